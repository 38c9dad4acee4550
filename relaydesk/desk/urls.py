from django.urls import path

from relaydesk.desk.views import (
    actions,
    availability,
    calls,
    files,
    knowledge,
    macros,
    notifications,
    people,
    ticket,
    ticket_list,
)

app_name = "desk"
urlpatterns = [
    path("", ticket_list.ticket_list, name="list"),
    path("tickets/<int:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<int:number>/messages/", actions.post_message, name="post_message"),
    path("tickets/<int:number>/status/", actions.change_status, name="change_status"),
    path("tickets/<int:number>/fields/", actions.update_fields, name="update_fields"),
    path("tickets/<int:number>/assign/", actions.assign, name="assign"),
    path("tickets/<int:number>/escalate/", actions.escalate, name="escalate"),
    path("tickets/<int:number>/deescalate/", actions.deescalate, name="deescalate"),
    path("tickets/<int:number>/share/", actions.share, name="share"),
    path("tickets/<int:number>/unshare/", actions.unshare, name="unshare"),
    path("tickets/<int:number>/files/", actions.attach_files, name="attach_files"),
    path("calls/new/", calls.new_call, name="new_call"),
    path("attachments/<int:attachment_id>/", files.download_attachment, name="attachment"),
    path("people/", people.people, name="people"),
    path("kb/", knowledge.article_list, name="kb_list"),
    path("kb/new/", knowledge.article_new, name="kb_new"),
    path("kb/links/", knowledge.link_search, name="kb_link_search"),
    path("kb/<int:article_id>/edit/", knowledge.article_edit, name="kb_edit"),
    path("kb/<int:article_id>/publish/", knowledge.article_publish, name="kb_publish"),
    path("kb/<int:article_id>/archive/", knowledge.article_archive, name="kb_archive"),
    path("tickets/<int:number>/kb/", knowledge.ticket_suggestions, name="kb_ticket_suggestions"),
    path(
        "tickets/<int:number>/messages/<int:message_id>/article/",
        knowledge.article_from_message,
        name="kb_from_message",
    ),
    path("tickets/<int:number>/macro/", macros.apply_macro, name="apply_macro"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/poll/", notifications.notifications_poll, name="notifications_poll"),
    path("notifications/read/", notifications.mark_read, name="mark_read"),
    path("availability/", availability.set_availability, name="availability"),
]
