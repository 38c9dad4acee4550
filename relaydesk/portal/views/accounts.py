"""Home page, sign-in, sign-up, password reset by email, and the account page (profile and
password)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relaydesk.accounts import throttle
from relaydesk.accounts.profile import update_profile
from relaydesk.accounts.signup import sign_up_customer
from relaydesk.core.context_processors import site
from relaydesk.portal.forms import (
    EmailAuthenticationForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ProfileForm,
    ResetMailNotSent,
    SignUpForm,
    apply_service_error,
    time_zone_names,
)
from relaydesk.tickets import queries

RECENT_ON_HOME = 5


def home(request):
    """Welcome for visitors, recent requests for customers, the way to the desk for agents."""
    user = request.user
    recent = []
    if user.is_authenticated and user.is_customer:
        page = queries.list_tickets(
            user, queries.TicketFilter(requester_id=user.id), size=RECENT_ON_HOME
        )
        recent = page.items
    return render(request, "portal/home.html", {"recent": recent})


class PortalLoginView(LoginView):
    """One sign-in page for everyone; afterwards agents land in the desk, customers here."""

    template_name = "portal/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # LoginView names the site after the request's host; the page header says "Relaydesk".
        context.pop("site_name", None)
        return context

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and user.is_agent:
            return reverse("desk:list")
        return reverse("portal:list")


def reset_link_lifetime() -> str:
    """How long a reset link works, in words: "1 hour", "90 minutes"."""
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


class PortalPasswordResetView(PasswordResetView):
    """Ask for a reset link by email. The answer is the same whether or not an account has
    the address, and when the reset-mail limit holds the mail back."""

    template_name = "portal/password_reset.html"
    form_class = PasswordResetRequestForm
    subject_template_name = "portal/password_reset_subject.txt"
    email_template_name = "portal/password_reset_email.txt"
    html_email_template_name = "portal/password_reset_email.html"
    success_url = reverse_lazy("portal:password_reset_done")

    def form_valid(self, form):
        try:
            form.save(
                request=self.request,
                # The configured address, never the Host header when there is one: a forged
                # Host would otherwise mail the victim a link to the attacker's site.
                domain_override=urlsplit(settings.SITE_URL).netloc or None,
                # Behind TLS the link must be https even if the proxy did not say so.
                use_https=(
                    settings.SITE_URL.startswith("https:")
                    if settings.SITE_URL
                    else self.request.is_secure() or settings.HTTPS
                ),
                token_generator=self.token_generator,
                from_email=settings.DEFAULT_FROM_EMAIL,
                subject_template_name=self.subject_template_name,
                email_template_name=self.email_template_name,
                html_email_template_name=self.html_email_template_name,
                # Django would name the site after the host; the mail says "Relaydesk".
                extra_email_context={**site(self.request), "lifetime": reset_link_lifetime()},
            )
        except ResetMailNotSent:
            form.add_error(
                None,
                _("We could not send the email right now. Please try again in a few minutes."),
            )
            return self.form_invalid(form)
        return HttpResponseRedirect(self.get_success_url())


class LinkLifetimeMixin:
    """Pages that say how long a reset link works."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(lifetime=reset_link_lifetime(), **kwargs)


class PortalPasswordResetDoneView(LinkLifetimeMixin, PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PortalPasswordResetConfirmView(LinkLifetimeMixin, PasswordResetConfirmView):
    """Set a new password from a mailed link, then sign in with it.

    The link works once (Django's token changes with the password) and for
    PASSWORD_RESET_TIMEOUT; a used, expired or forged link gets a page that says so and
    offers a new one.
    """

    template_name = "portal/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("portal:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A link mailed before the account was disabled must not work afterwards.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever holds the mailbox has proved it: lift the sign-in lock on the address.
        throttle.clear_failures(form.user.email)
        messages.success(self.request, _("Your new password is set. Sign in with it now."))
        return response


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def signup(request):
    if request.user.is_authenticated:
        return redirect("portal:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = sign_up_customer(data["email"], data["full_name"], data["password1"])
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            login(request, user)
            messages.success(request, _("Welcome, %(name)s. Your account is ready.")
                             % {"name": user.display_name})  # fmt: skip
            return redirect(_safe_next(request) or "portal:home")
    return render(request, "portal/signup.html", {"form": form, "next": _safe_next(request)})


@login_required
def account(request):
    """Any signed-in user's own name and time zone (customers and agents alike)."""
    user = request.user
    initial = {"full_name": user.full_name, "time_zone": user.time_zone}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_profile(user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Your account settings are saved."))
            return redirect("portal:account")
    context = {"form": form, "time_zone_names": time_zone_names()}
    return render(request, "portal/account.html", context)


class PortalPasswordChangeView(LoginRequiredMixin, PasswordChangeView):
    """Django's password change (it keeps this session signed in), in the portal's look."""

    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
