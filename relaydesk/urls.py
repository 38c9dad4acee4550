from django.contrib import admin
from django.urls import include, path

from relaydesk.api.routes import api
from relaydesk.core import views as core_views

admin.site.site_header = "Relaydesk administration"
admin.site.site_title = "Relaydesk admin"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("desk/", include("relaydesk.desk.urls")),
    path("", include("relaydesk.portal.urls")),
]
