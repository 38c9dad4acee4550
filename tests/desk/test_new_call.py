"""A phone call logged as a new ticket, and find_or_create_customer."""

import pytest
from django.core.exceptions import ValidationError

from relaydesk.accounts.models import User
from relaydesk.accounts.services import find_or_create_customer
from relaydesk.tickets.models import Event, Ticket, TypeField
from tests.factories import CustomFieldFactory, TicketTypeFactory


def call_data(queue, **extra):
    data = {
        "email": "customer@acme.test",
        "subject": "Cannot print",
        "body": "Caller says the printer is offline.",
        "queue": str(queue.pk),
        "priority": "3",
    }
    data.update(extra)
    return data


def test_existing_customer(client_for, agent, customer, queue):
    response = client_for(agent).post("/desk/calls/new/", call_data(queue))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/tickets/{ticket.number}/"
    assert ticket.channel == Ticket.Channel.PHONE
    assert ticket.requester == customer and ticket.organization == customer.organization
    assert ticket.priority == 3 and ticket.queue == queue
    message = ticket.messages.get()
    assert message.author == agent and message.channel == Ticket.Channel.PHONE
    assert ticket.events.filter(kind=Event.Kind.CREATED, actor=agent).exists()


def test_unknown_caller_needs_a_name_then_gets_an_account(client_for, agent, org, queue):
    client = client_for(agent)
    data = call_data(queue, email="New.Person@ACME.test")
    response = client.post("/desk/calls/new/", data)
    assert response.status_code == 400
    assert "enter the caller" in response.content.decode()
    assert not Ticket.objects.exists() and not User.objects.filter(email__icontains="new.").exists()
    response = client.post("/desk/calls/new/", {**data, "full_name": "New Person"})
    assert response.status_code == 302
    caller = User.objects.get(email="new.person@acme.test")
    assert caller.is_customer and caller.organization == org and not caller.has_usable_password()
    assert Ticket.objects.get().requester == caller


def test_custom_fields_of_the_type(client_for, agent, customer, queue):
    hardware = TicketTypeFactory(name="Hardware")
    asset = CustomFieldFactory(key="asset", label="Asset tag", required=True)
    TypeField.objects.create(ticket_type=hardware, field=asset)
    client = client_for(agent)
    page = client.get(f"/desk/calls/new/?ticket_type={hardware.pk}").content.decode()
    assert "Asset tag" in page
    partial = client.get(f"/desk/calls/new/?ticket_type={hardware.pk}",
                         headers={"HX-Request": "true"}).content.decode()  # fmt: skip
    assert partial.lstrip().startswith('<div id="call-ticket-fields"') and "Asset tag" in partial
    data = call_data(queue, ticket_type=str(hardware.pk))
    assert client.post("/desk/calls/new/", data).status_code == 400
    assert client.post("/desk/calls/new/", {**data, "cf_asset": "LAP-7"}).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.ticket_type == hardware and ticket.custom == {"asset": "LAP-7"}


def test_ticket_in_a_queue_the_agent_cannot_see_goes_back_to_list(client_for, agent, customer,
                                                                  other_queue):  # fmt: skip
    response = client_for(agent).post("/desk/calls/new/", call_data(other_queue))
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert Ticket.objects.get().queue == other_queue


def test_find_or_create_customer(org, customer):
    assert find_or_create_customer("CUSTOMER@acme.test") == (customer, False)
    user, created = find_or_create_customer(" pat@sub.acme.test ", "Pat")
    assert created and user.organization is None  # only exact domains match
    user, created = find_or_create_customer("kim@acme.test", "  Kim   Lee ")
    assert created and user.organization == org and user.full_name == "Kim Lee"
    with pytest.raises(ValidationError):
        find_or_create_customer("not-an-email", "X")
    with pytest.raises(ValidationError):
        find_or_create_customer("nobody@acme.test", "")
    customer.is_active = False
    customer.save()
    with pytest.raises(ValidationError):
        find_or_create_customer(customer.email, "Cora")
