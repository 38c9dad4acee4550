"""Admin: mailboxes per queue, outbound templates, and the inbound log with quarantine."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from relaydesk.mail import ingest
from relaydesk.mail.models import InboundMail, Mailbox, MailTemplate, OutboundMail


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["name", "queue", "protocol", "host", "folder", "is_active", "last_polled_at",
                    "last_error"]  # fmt: skip
    list_filter = ["protocol", "is_active", "queue"]
    readonly_fields = ["last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "queue", "address", "is_active", "known_senders_only"]}),
        (
            _("Server"),
            {
                "fields": [
                    "protocol",
                    "host",
                    "port",
                    "security",
                    "folder",
                    "after_processing",
                    "processed_folder",
                ]
            },
        ),  # fmt: skip
        (
            _("Sign-in"),
            {
                "fields": [
                    "auth",
                    "username",
                    "password",
                    "oauth_token_url",
                    "oauth_client_id",
                    "oauth_client_secret",
                    "oauth_refresh_token",
                ]
            },
        ),  # fmt: skip
        (_("Status"), {"fields": ["last_polled_at", "last_error"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "oauth_token_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.action(description=_("Retry processing the selected messages"))
def retry_processing(modeladmin, request, queryset):
    done = 0
    for inbound in queryset.exclude(status=InboundMail.Status.PROCESSED):
        ingest.retry(inbound)
        done += inbound.status == InboundMail.Status.PROCESSED
    modeladmin.message_user(
        request,
        ngettext("%d message processed.", "%d messages processed.", done) % done,
        messages.SUCCESS if done else messages.WARNING,
    )


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "status", "ticket", "attempts"]
    list_filter = ["status", "mailbox"]
    search_fields = ["sender", "subject", "mail_id"]
    list_select_related = ["ticket"]
    actions = [retry_processing]
    readonly_fields = [f.name for f in InboundMail._meta.fields]
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipients", "subject", "status", "attempts",
                    "last_error"]  # fmt: skip
    list_filter = ["status", "kind"]
    search_fields = ["recipients", "subject", "mail_id"]
    readonly_fields = [f.name for f in OutboundMail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(MailTemplate)
class MailTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "subject", "updated_at"]
