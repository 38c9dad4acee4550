"""The ticket page: what it shows, and its query budget."""

import pytest

from relaydesk.tickets import services
from relaydesk.tickets.models import CustomField, Ticket, TypeField
from tests.factories import CustomFieldFactory, TicketTypeFactory


@pytest.fixture
def typed_ticket(make_ticket, agent):
    hardware = TicketTypeFactory(name="Hardware")
    asset = CustomFieldFactory(key="asset", label="Asset tag")
    secret = CustomFieldFactory(key="cost", label="Cost centre", customer_visible=False)
    TypeField.objects.create(ticket_type=hardware, field=asset, position=1)
    TypeField.objects.create(ticket_type=hardware, field=secret, position=2)
    return make_ticket(
        ticket_type=hardware, custom={"asset": "LAP-0042", "cost": "CC-7"}, actor=agent
    )


def test_header_details_and_custom_fields(client_for, agent, typed_ticket, customer, org):
    body = client_for(agent).get(f"/desk/tickets/{typed_ticket.number}/").content.decode()
    for text in [typed_ticket.reference, "Printer is broken", "New", "Normal", "Hardware",
                 "IT Support", "Unassigned", customer.display_name, org.name,
                 "Asset tag", "LAP-0042", "Cost centre", "CC-7"]:  # fmt: skip
        assert text in body, text
    assert "Assign to me" in body


def test_timeline_shows_notes_events_and_files(client_for, agent, attached_ticket, org_colleague):
    services.post_message(attached_ticket, actor=agent, body="Secret note", channel="desk",
                          internal=True)  # fmt: skip
    services.change_status(attached_ticket, actor=agent, status="waiting", note="asked")
    services.update_ticket(attached_ticket, actor=agent, priority=Ticket.Priority.URGENT)
    services.escalate(attached_ticket, actor=agent, reason="Needs a specialist")
    services.share(attached_ticket, actor=agent, user=org_colleague)
    body = client_for(agent).get(f"/desk/tickets/{attached_ticket.number}/").content.decode()
    assert "message-internal" in body and "Secret note" in body
    assert "Waiting for customer" in body and "New → Waiting for customer" in body
    assert "Normal → Urgent" in body
    assert "IT Support / tier 1 → IT Support / tier 2" in body
    assert "Needs a specialist" in body
    assert f"Shared with {org_colleague.display_name}" in body
    attachment = attached_ticket.attachments.get()
    assert f'href="/desk/attachments/{attachment.pk}/"' in body
    assert "log.txt" in body


def test_assign_select_lists_only_queue_agents(client_for, agent, other_agent, customer, ticket):
    body = client_for(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    select = body[body.index('name="assignee" id="assign_assignee"') :]
    select = select[: select.index("</select>")]
    assert agent.display_name in select
    assert other_agent.display_name not in select
    assert customer.display_name not in select


def test_status_select_offers_allowed_moves(client_for, agent, ticket):
    body = client_for(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    select = body[body.index('id="status_status"') :]
    select = select[: select.index("</select>")]
    assert 'value="in_progress"' in select and 'value="feedback"' not in select


def test_ids_are_unique(client_for, agent, typed_ticket):
    import re

    body = client_for(agent).get(f"/desk/tickets/{typed_ticket.number}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("replies", [3, 30])
def test_query_count_is_bounded(client_for, agent, customer, typed_ticket, upload, replies,
                                django_assert_max_num_queries):  # fmt: skip
    for i in range(replies):
        author = agent if i % 2 else customer
        services.post_message(typed_ticket, actor=author, body=f"Reply {i}", channel="desk",
                              internal=bool(i % 3 == 0 and author == agent),
                              attachments=[upload(f"f{i}.txt")])  # fmt: skip
        services.update_ticket(typed_ticket, actor=agent, tier=1 + i % 3)
    services.share(typed_ticket, actor=agent, user=customer)
    client = client_for(agent)
    # 18: one of them reads the mail rows (delivery of replies, folded quotes) of all messages.
    with django_assert_max_num_queries(18):
        response = client.get(f"/desk/tickets/{typed_ticket.number}/")
    assert response.status_code == 200
    assert f"Reply {replies - 1}" in response.content.decode()


def test_custom_field_kinds_render(client_for, agent, make_ticket):
    kinds = TicketTypeFactory(name="Kinds")
    for i, kind in enumerate(CustomField.Kind.values):
        cf = CustomFieldFactory(key=f"k_{kind}", label=f"Field {kind}", kind=kind,
                                choices="One\nTwo")  # fmt: skip
        TypeField.objects.create(ticket_type=kinds, field=cf, position=i)
    t = make_ticket(ticket_type=kinds, custom={"k_checkbox": True, "k_multi_choice": ["One"]})
    body = client_for(agent).get(f"/desk/tickets/{t.number}/").content.decode()
    assert "Yes" in body and "<legend>Field multi_choice" in body
