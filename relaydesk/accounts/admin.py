"""The Django admin for people and places: users, organizations, queues and API tokens.

Users sign in by email (no username or first/last names). Queue memberships are edited from
both sides: on the user (which queues an agent works) and on the queue (who works it).
Failed sign-ins are listed read-only; deleting them lifts a sign-in lock.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import (
    ApiToken,
    LoginFailure,
    Organization,
    PasswordResetRequest,
    Queue,
    QueueMembership,
    User,
)
from relaydesk.accounts.throttle import ThrottledSignInMixin


class ThrottledAdminLoginForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The admin's own sign-in page is a way to guess passwords too (staff ones at that)."""


admin.site.login_form = ThrottledAdminLoginForm


def _clean_email(form: forms.ModelForm) -> str:
    """Emails are the login: stored lower-case and unique whatever the case typed."""
    email = User.objects.normalize_email(form.cleaned_data.get("email") or "").lower()
    taken = User.objects.filter(email__iexact=email)
    if form.instance.pk:
        taken = taken.exclude(pk=form.instance.pk)
    if email and taken.exists():
        raise forms.ValidationError(_("A user with this email address already exists."))
    return email


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role")

    def clean_email(self) -> str:
        return _clean_email(self)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return _clean_email(self)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = QueueMembership
        fields = ("user", "queue")

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is not None and user.is_customer:
            raise forms.ValidationError(
                _("%(user)s is a customer; only staff can work in queues.") % {"user": user}
            )
        return cleaned


class UserMembershipInline(admin.TabularInline):
    model = QueueMembership
    form = MembershipForm
    fields = ("queue",)
    extra = 0
    verbose_name = _("queue")
    verbose_name_plural = _("queues worked (agents only)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "queue":
            kwargs["queryset"] = Queue.objects.order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QueueMembershipInline(admin.TabularInline):
    model = QueueMembership
    form = MembershipForm
    fields = ("user",)
    # A search box, never a drop-down of every user (there may be thousands of customers).
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = _("agent")
    verbose_name_plural = _("agents working this queue")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "time_zone")}),
        (
            _("Role"),
            {"fields": ("role", "tier", "organization", "is_org_manager")},
        ),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _(
                    "“Staff status” opens this administration site; the role decides what "
                    "the user may do in the desk and the portal."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "role", "tier", "organization", "is_active")
    list_select_related = ("organization",)
    list_filter = ("role", "tier", "is_active", "is_staff", "is_org_manager")
    search_fields = ("email", "full_name", "organization__name")
    ordering = ("email",)
    autocomplete_fields = ("organization",)
    inlines = [UserMembershipInline]

    def get_inlines(self, request, obj):
        # Queue memberships make sense only once the user exists.
        return self.inlines if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The queue page's agent picker offers staff only.
        if (
            request.path.endswith("/autocomplete/")
            and request.GET.get("model_name") == QueueMembership._meta.model_name
        ):
            queryset = queryset.exclude(role=User.Role.CUSTOMER).filter(is_active=True)
        return queryset, may_have_duplicates


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "domains", "members_see_all_tickets", "member_count")
    list_filter = ("members_see_all_tickets",)
    search_fields = ("name", "domains")
    ordering = ("name",)
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        # One grouped query for the whole page instead of a count per row.
        return super().get_queryset(request).annotate(_member_count=Count("members"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj: Organization) -> int:
        return obj._member_count


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "email", "is_active", "agent_count")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "email")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)
    inlines = [QueueMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_agent_count=Count("memberships"))

    @admin.display(description=_("agents"), ordering="_agent_count")
    def agent_count(self, obj: Queue) -> int:
        return obj._agent_count


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `relaydesk token create EMAIL` (the key is shown once only);
    here they can be renamed or revoked (deleted)."""

    list_display = ("user", "name", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "name")
    fields = ("user", "name", "key_hash", "created_at", "last_used_at")
    readonly_fields = ("user", "key_hash", "created_at", "last_used_at")
    ordering = ("-created_at",)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Failed sign-ins, newest first, to see an attack. Rows are written by the sign-in
    throttle only; deleting an email's or an address's rows lifts its lock at once."""

    list_display = ("failed_at", "email", "ip_address")
    search_fields = ("=email", "=ip_address")
    fields = ("failed_at", "email", "ip_address")
    readonly_fields = fields
    ordering = ("-failed_at",)
    show_full_result_count = False  # no COUNT(*) over an attack's rows on every page

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PasswordResetRequest)
class PasswordResetRequestAdmin(LoginFailureAdmin):
    """Password reset mails asked for, newest first (a flood of them is an attack too)."""

    list_display = ("requested_at", "email", "ip_address")
    fields = ("requested_at", "email", "ip_address")
    readonly_fields = fields
    ordering = ("-requested_at",)
