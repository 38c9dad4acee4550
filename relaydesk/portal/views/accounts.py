"""Home page, sign-in, sign-up, and the account page (profile and password)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from relaydesk.accounts.profile import update_profile
from relaydesk.accounts.signup import sign_up_customer
from relaydesk.portal.forms import (
    EmailAuthenticationForm,
    ProfileForm,
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

    def get_default_redirect_url(self):
        user = self.request.user
        if user.is_authenticated and user.is_agent:
            return reverse("desk:list")
        return reverse("portal:list")


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
