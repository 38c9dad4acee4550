"""Write paths for accounts that channels need (the desk logging a call for a new caller)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from relaydesk.accounts.models import Organization, User


def organization_for_email(email: str) -> Organization | None:
    """The organization whose email domains include EMAIL's domain, if any."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    # `domains` is a comma-separated list: narrow in SQL, then match whole domains exactly.
    for org in Organization.objects.filter(domains__icontains=domain).order_by("id"):
        if domain in org.domain_list():
            return org
    return None


@transaction.atomic
def find_or_create_customer(email: str, full_name: str = "") -> tuple[User, bool]:
    """The account with EMAIL, or a new customer account for it; returns (user, created).

    A new customer joins the organization that claims its email domain. It gets no usable
    password: it can set one through the portal's password reset when it wants to sign in.
    Disabled accounts are refused rather than silently revived.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if not existing.is_active:
            raise ValidationError({"email": _("The account of %(email)s is disabled.") % {
                "email": email}})  # fmt: skip
        return existing, False
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError(
            {"full_name": _("%(email)s has no account yet: enter the caller's name to create one.")
             % {"email": email}}
        )  # fmt: skip
    user = User.objects.create_user(
        email=email,
        password=None,
        full_name=full_name[:200],
        role=User.Role.CUSTOMER,
        organization=organization_for_email(email),
    )
    return user, True
