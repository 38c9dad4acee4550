"""Write paths for accounts that channels need (the desk logging a call for a new caller, a
mail from an unknown sender)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, router, transaction
from django.db.models import signals
from django.utils.translation import gettext as _

from relaydesk.accounts.models import Organization, User
from relaydesk.core import fastsql


def organization_for_email(email: str) -> Organization | None:
    """The organization whose email domains include EMAIL's domain, if any."""
    org_id = _organization_id_for_email(email)
    return Organization.objects.get(pk=org_id) if org_id is not None else None


def _organization_id_for_email(email: str) -> int | None:
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    # `domains` is a comma-separated list: narrow in SQL, then match whole domains exactly.
    # One hand-written statement: every new mail sender asks, and the ORM takes four times
    # as long to build this query as SQLite takes to run it.
    connection = connections[router.db_for_read(Organization)]
    table = connection.ops.quote_name(Organization._meta.db_table)
    pattern = "%" + domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, domains FROM {table} "  # noqa: S608 (the table name comes from the model)
            "WHERE LOWER(domains) LIKE %s ESCAPE '\\' ORDER BY id",
            [pattern],
        )
        for org_id, domains in cursor.fetchall():
            if domain in Organization(domains=domains).domain_list():
                return org_id
    return None


def user_by_email(email: str) -> User | None:
    """The account with EMAIL (any case), or None.

    Every way an account is written (manager, admin forms, sign-up, the functions here)
    stores its email lower-case, so an exact match on the unique index finds it; `iexact`
    would scan the whole user table instead, for every inbound mail.
    """
    return fastsql.select_one(User, "email", (email or "").strip().lower())


def create_customer(email: str, full_name: str = "") -> User:
    """A new customer account for EMAIL, which the caller knows has none.

    It joins the organization that claims its email domain, and gets no usable password:
    it can set one through the portal's password reset when it wants to sign in.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError(
            {"full_name": _("%(email)s has no account yet: enter the caller's name to create one.")
             % {"email": email}}
        )  # fmt: skip
    user = User(
        email=email,
        full_name=full_name[:200],
        role=User.Role.CUSTOMER,
        organization_id=_organization_id_for_email(email),
    )
    user.set_unusable_password()
    _insert(user)
    return user


def _insert(user: User) -> None:
    """Save the new USER with a prepared INSERT, sending the signals save() sends.

    Every mail from an unknown sender writes one; save() spends longer building the INSERT
    than the database takes to run it. The receivers run exactly as they would for save().
    """
    using = router.db_for_write(User)
    signals.pre_save.send(sender=User, instance=user, raw=False, using=using, update_fields=None)
    fastsql.insert([user], signals_ok=True)
    signals.post_save.send(
        sender=User, instance=user, created=True, update_fields=None, raw=False, using=using
    )


@transaction.atomic
def find_or_create_customer(email: str, full_name: str = "") -> tuple[User, bool]:
    """The account with EMAIL, or a new customer account for it; returns (user, created).

    Disabled accounts are refused rather than silently revived.
    """
    existing = user_by_email(email)
    if existing is not None:
        if not existing.is_active:
            raise ValidationError({"email": _("The account of %(email)s is disabled.") % {
                "email": existing.email}})  # fmt: skip
        return existing, False
    return create_customer(email, full_name), True
