"""Portal fixtures: ticket types with custom fields, uploads, and helpers to age tickets."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relaydesk.tickets import services
from relaydesk.tickets.models import Event, Message, Ticket, TypeField
from tests.factories import CustomFieldFactory, TicketTypeFactory


@pytest.fixture
def hardware(db):
    """A type whose form asks for an asset tag (required), a model (optional) and an
    internal cost centre (never shown to customers)."""
    ticket_type = TicketTypeFactory(name="Hardware", slug="hardware", position=1)
    asset = CustomFieldFactory(key="asset_tag", label="Asset tag", required=True)
    model = CustomFieldFactory(key="model", label="Model", kind="choice", choices="X1\nX2")
    internal = CustomFieldFactory(
        key="cost_centre", label="Cost centre", customer_visible=False, required=True
    )
    for position, field in enumerate([asset, model, internal]):
        TypeField.objects.create(ticket_type=ticket_type, field=field, position=position)
    return ticket_type


@pytest.fixture
def other_type(db):
    ticket_type = TicketTypeFactory(name="Access", slug="access", position=2)
    field = CustomFieldFactory(key="system", label="Which system", required=False)
    TypeField.objects.create(ticket_type=ticket_type, field=field, position=0)
    return ticket_type


@pytest.fixture
def upload():
    def make(name="screenshot.png", size=64, content_type="image/png"):
        return SimpleUploadedFile(name, b"\x89PNG" + b"0" * (size - 4), content_type=content_type)

    return make


@pytest.fixture
def set_status(agent):
    """Move TICKET to STATUS as the queue's agent (through the write path)."""

    def move(ticket, status):
        services.change_status(ticket, actor=agent, status=status)
        ticket.refresh_from_db()
        return ticket

    return move


@pytest.fixture
def close_long_ago(set_status):
    """Close TICKET and pretend it happened beyond the reopen window."""

    def close(ticket, days=365):
        set_status(ticket, Ticket.Status.CLOSED)
        Ticket.objects.filter(pk=ticket.pk).update(
            closed_at=timezone.now() - datetime.timedelta(days=days)
        )
        ticket.refresh_from_db()
        return ticket

    return close


@pytest.fixture
def state_snapshot():
    """Counts and timestamps that any write would change."""

    def snapshot():
        return (
            Ticket.objects.count(),
            Message.objects.count(),
            Event.objects.count(),
            sorted(Ticket.objects.values_list("id", "status", "updated_at")),
        )

    return snapshot
