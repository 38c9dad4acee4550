"""Customer self sign-up on the portal."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relaydesk.accounts.models import User
from relaydesk.accounts.services import organization_for_email


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


@transaction.atomic
def sign_up_customer(email: str, full_name: str, password: str) -> User:
    """Create a customer account, joining the organization its email domain belongs to.

    The caller validates the password (Django's validators); an email already in use is
    refused whatever its case.
    """
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise ValidationError({"email": _("An email address is required.")})
    if email_taken(email):
        raise ValidationError({"email": _("An account with this email address already exists.")})
    return User.objects.create_user(
        email,
        password,
        full_name=" ".join((full_name or "").split())[:200],
        role=User.Role.CUSTOMER,
        organization=organization_for_email(email),
    )
