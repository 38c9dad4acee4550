"""Accounts the channels create: a customer for a new mail sender or caller, found again by
email whatever its case, joining the organization of its domain."""

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db.models import signals

from relaydesk.accounts.models import User
from relaydesk.accounts.services import (
    create_customer,
    find_or_create_customer,
    organization_for_email,
    user_by_email,
)
from tests.factories import OrganizationFactory


def test_user_by_email_finds_the_account_whatever_the_case(customer):
    assert user_by_email(" Customer@ACME.test ") == customer
    assert user_by_email("nobody@acme.test") is None
    assert user_by_email("") is None


def test_domains_match_whole_and_in_any_case(db):
    acme = OrganizationFactory(domains="Other.test, ACME.Test")
    OrganizationFactory(domains="acme.test.evil")
    assert organization_for_email("a@acme.test") == acme
    assert organization_for_email("a@other.TEST") == acme
    # LIKE's wildcards in an address are plain characters, not patterns.
    assert organization_for_email("a@acm_.test") is None
    assert organization_for_email("a@%.test") is None
    assert organization_for_email("no-domain") is None


def test_new_customer_is_saved_as_save_would(org):
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.pk, created, kwargs["update_fields"], kwargs["raw"]))

    signals.post_save.connect(receiver, sender=User, dispatch_uid="test-new-customer")
    try:
        user = create_customer("Kim@ACME.test", "  Kim   Lee ")
    finally:
        signals.post_save.disconnect(sender=User, dispatch_uid="test-new-customer")
    assert heard == [(user.pk, True, None, False)]
    stored = User.objects.get(pk=user.pk)
    assert stored.email == "kim@acme.test" and stored.full_name == "Kim Lee"
    assert stored.role == User.Role.CUSTOMER and stored.organization == org
    assert stored.is_active and not stored.is_staff and stored.date_joined is not None
    assert not stored.has_usable_password()
    assert authenticate(username="kim@acme.test", password="") is None


def test_create_customer_refuses_what_it_cannot_create(db):
    with pytest.raises(ValidationError):
        create_customer("not-an-email", "X")
    with pytest.raises(ValidationError):
        create_customer("nobody@acme.test", "   ")
    assert not User.objects.exists()


def test_find_or_create_customer_finds_before_creating(customer):
    assert find_or_create_customer("CUSTOMER@acme.test", "Someone") == (customer, False)
    user, created = find_or_create_customer("new@acme.test", "New")
    assert created and find_or_create_customer("new@acme.test") == (user, False)


def test_the_database_refuses_an_email_that_is_not_lower_case(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Mixed.Case@Example.test")])  # past every form
    user = User.objects.create_user("Mixed.Case@Example.test")
    assert user.email == "mixed.case@example.test"
    assert user_by_email(" MIXED.case@example.TEST ") == user
