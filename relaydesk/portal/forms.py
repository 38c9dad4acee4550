"""Portal forms: sign-in, sign-up, password reset, the account page, the request form,
replies and files."""

import logging
import zoneinfo
from functools import cache

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts import throttle
from relaydesk.accounts.models import Queue, User
from relaydesk.accounts.signup import email_taken
from relaydesk.accounts.throttle import ThrottledSignInMixin
from relaydesk.tickets import custom_fields, services
from relaydesk.tickets.models import CustomField, Ticket, TicketType

logger = logging.getLogger(__name__)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked against the upload size limit."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        if self.required and not cleaned:
            raise ValidationError(self.error_messages["required"], code="required")
        errors = []
        for upload in cleaned:
            try:
                services.check_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def apply_service_error(form: forms.Form, exc: ValidationError, rename: dict | None = None):
    """Show a service's ValidationError on FORM, next to the field it names when it can."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            name = rename.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- accounts ------------------------------------------------------------------------------


class EmailAuthenticationForm(ThrottledSignInMixin, AuthenticationForm):
    """Sign-in by email and password; clean() goes through the sign-in throttle first."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email address and password do not match an account."),
    }


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email_taken(email):
            raise ValidationError(
                _("An account with this email address already exists. Sign in instead."),
                code="duplicate",
            )
        return email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ResetMailNotSent(Exception):
    """The mail server could not be reached, or refused the password reset mail."""


class PasswordResetRequestForm(PasswordResetForm):
    """Ask for a reset link by email address: Django's form, with the reset-mail limit, and a
    mail server failure reported to the caller instead of swallowed."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def get_users(self, email):
        # Active accounts only. Unlike Django's default, accounts without a usable password
        # get a link too: customers created from an inbound mail or by an agent logging a call
        # have none, and the reset is how they set their first one (accounts/services.py).
        # Emails are stored lower-case, so an exact match uses the unique index.
        return User.objects.filter(email=throttle.normalize_email(email), is_active=True)

    def save(self, *, request, **kwargs) -> None:
        """Mail a reset link to the account with the address, if there is one and the limits
        allow it; raise ResetMailNotSent when the mail server fails.

        The answer must not tell whether the address has an account: the limits count every
        address alike, and the mail server is reached before the account is looked up, so
        that an outage shows the same way for both.
        """
        email = self.cleaned_data["email"]
        ip = throttle.client_ip(request)
        claim = throttle.claim_reset_mail(email, ip)
        if claim is None:
            logger.warning("password reset mail refused by the limit (asked from %s)", ip)
            return
        self.connection = get_connection()
        try:
            self.connection.open()
            super().save(request=request, **kwargs)
        except OSError as exc:  # smtplib's errors, refused connections and timeouts alike
            logger.exception("password reset mail not sent (asked from %s)", ip)
            throttle.release_reset_mail(claim)
            raise ResetMailNotSent from exc
        finally:
            self.connection.close()

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Django's own logs a failure and carries on; here it reaches save(), and the person
        # is told to try again instead of waiting for a mail that will never come.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(
            subject, body, from_email, [to_email], connection=self.connection
        )
        if html_email_template_name is not None:
            message.attach_alternative(
                render_to_string(html_email_template_name, context), "text/html"
            )
        message.send()


class NewPasswordForm(SetPasswordForm):
    """The new password set from a reset link, checked by the project's validators."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    error_messages = {"password_mismatch": _("The two passwords differ.")}

    def save(self, commit=True):
        self.user.set_password(self.cleaned_data["new_password1"])
        if commit:
            self.user.save(update_fields=["password"])
        return self.user


@cache
def time_zone_names() -> list[str]:
    """Every zone the server knows, sorted, for the time zone field's suggestions."""
    return sorted(zoneinfo.available_timezones())


class ProfileForm(forms.Form):
    """Name and time zone; accounts.profile.update_profile validates and saves them."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_(
            "A name such as Europe/Berlin or America/New_York. "
            "Leave empty to use the site's default."
        ),
        widget=forms.TextInput(
            attrs={"list": "time-zone-names", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


# --- requests ------------------------------------------------------------------------------


class RequestForm(forms.Form):
    """A new request. The custom fields of the chosen type are added on construction."""

    subject = forms.CharField(label=_("Subject"), max_length=500)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you expected, and any error message you saw."),
    )
    type = forms.ModelChoiceField(
        label=_("Type"), queryset=TicketType.objects.none(), empty_label=_("Choose a type")
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Ticket.Priority.choices,
        coerce=int,
        initial=Ticket.Priority.NORMAL,
    )
    queue = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Queue.objects.none(),
        required=False,
        empty_label=_("Not sure"),
    )
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("Screenshots or other files (optional).")
    )
    # Which type the custom fields on the page were drawn for: a mismatch means the
    # customer changed the type without JavaScript and has not seen its fields yet.
    fields_for = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, ticket_type: TicketType | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        active_types = TicketType.objects.filter(is_active=True)
        self.fields["type"].queryset = active_types
        self.fields["type"].required = active_types.exists()
        # Swap in the chosen type's custom fields; without JavaScript the server does it.
        self.fields["type"].widget.attrs.update(
            {
                "hx-get": reverse("portal:new_fields"),
                "hx-target": "#custom-fields",
                "hx-swap": "innerHTML",
                "hx-trigger": "change",
            }
        )
        self.fields["queue"].queryset = Queue.objects.filter(is_active=True)
        self.ticket_type = ticket_type
        self.custom_fields: list[CustomField] = custom_fields.fields_for_type(
            ticket_type, customer=True
        )
        custom_fields.add_to_form(self, self.custom_fields, initial={})
        drawn_for = str(ticket_type.pk) if ticket_type else ""
        self.submitted_fields_for = (self.data.get("fields_for") or "").strip()
        self.initial["fields_for"] = drawn_for
        if self.is_bound:
            # A re-rendered form must say the fields now on the page are for this type.
            self.data = self.data.copy()
            self.data["fields_for"] = drawn_for

    @staticmethod
    def type_from(value) -> TicketType | None:
        """The active type a submitted or requested value names, or None."""
        if value is None or not str(value).isdigit():
            return None
        return TicketType.objects.filter(is_active=True, pk=int(value)).first()

    def custom_bound_fields(self):
        return [self[custom_fields.field_name(cf)] for cf in self.custom_fields]

    def fields_were_shown(self) -> bool:
        """False when the custom fields for the chosen type were never on the customer's page."""
        wanted = str(self.ticket_type.pk) if self.ticket_type else ""
        return self.submitted_fields_for == wanted or not self.custom_fields

    def custom_values(self) -> dict:
        return custom_fields.values_from_form(self, self.custom_fields)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(label=_("Attach files"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reply_%s")  # the ticket page has two forms with "files"
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("files") and not self._errors:
            raise ValidationError(_("Write a message or attach a file."), code="empty")
        return data


class FilesForm(forms.Form):
    files = MultipleFileField(label=_("Files to add"), required=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "add_%s")
        super().__init__(*args, **kwargs)
