from django.contrib.auth import views as auth_views
from django.urls import path

from relaydesk.portal.views import accounts, knowledge, requests, tickets

app_name = "portal"
urlpatterns = [
    path("", accounts.home, name="home"),
    path("login/", accounts.PortalLoginView.as_view(), name="login"),
    # LogoutView accepts POST only (GET gets 405), so a link or prefetch cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(next_page="portal:home"), name="logout"),
    path("signup/", accounts.signup, name="signup"),
    path("password-reset/", accounts.PortalPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        accounts.PortalPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/", accounts.account, name="account"),
    path(
        "account/password/",
        accounts.PortalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path("requests/", requests.request_list, name="list"),
    path("requests/new/", requests.new_request, name="new"),
    path("requests/new/fields/", requests.new_request_fields, name="new_fields"),
    path("requests/<int:number>/", tickets.ticket_detail, name="ticket"),
    path("requests/<int:number>/reply/", tickets.reply, name="reply"),
    path("requests/<int:number>/status/", tickets.change_status, name="status"),
    path("requests/<int:number>/files/", tickets.add_files, name="files"),
    path("attachments/<int:id>/", tickets.attachment, name="attachment"),
    path("kb/", knowledge.kb_home, name="kb"),
    path("kb/suggest/", knowledge.kb_suggest, name="kb_suggest"),
    path("kb/deflection/", knowledge.kb_deflection, name="kb_deflection"),
    path("kb/category/<slug:slug>/", knowledge.kb_category, name="kb_category"),
    path("kb/<int:id>/vote/", knowledge.kb_vote, name="kb_vote"),
    path("kb/<int:id>-<slug:slug>/", knowledge.kb_article, name="kb_article"),
    path("kb/<int:id>/", knowledge.kb_article, name="kb_article_short"),
]
