from django.contrib import admin

from relaydesk.notifications.models import Notification, Preference


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    """Rows without a user are the defaults admins set for everybody."""

    list_display = ["kind", "user", "channel"]
    list_filter = ["kind", "channel"]
    autocomplete_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    readonly_fields = ["user", "kind", "ticket", "title", "url", "urgent", "created_at"]
