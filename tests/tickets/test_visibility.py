"""Who sees what: visible_tickets, get_ticket and get_attachment for every persona.

One ticket of `customer` (org Acme) in `queue`, with a public attachment on its first
message and an attachment on an agent's internal note. Each persona is set up by a small
function, then asked for the ticket by queryset, by number and by attachment id.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from relaydesk.tickets import queries, services
from relaydesk.tickets.models import Ticket
from tests.factories import AgentFactory, UserFactory
from tests.tickets.uploads import upload


@pytest.fixture
def scene(make_ticket, agent, media):
    ticket = make_ticket(attachments=[upload("public.png")])
    note = services.post_message(
        ticket, actor=agent, body="Password is in the vault", channel=Ticket.Channel.DESK,
        internal=True, attachments=[upload("internal.txt", b"secret", "text/plain")],
    )  # fmt: skip
    public = ticket.messages.get(is_internal=False).attachments.get()
    internal = note.attachments.get()
    return ticket, public, internal


def _fetch(request, name):
    return request.getfixturevalue(name)


# Each persona: (how to get the user, sees the ticket, sees internal-note files).
def requester(request, ticket):
    return _fetch(request, "customer")


def colleague_sharing_off(request, ticket):
    return _fetch(request, "org_colleague")


def colleague_sharing_on(request, ticket):
    org = _fetch(request, "org")
    org.members_see_all_tickets = True
    org.save()
    return _fetch(request, "org_colleague")


def org_manager(request, ticket):
    return _fetch(request, "org_manager")


def customer_of_other_org(request, ticket):
    return _fetch(request, "other_customer")


def customer_of_other_org_that_shares(request, ticket):
    other_org = _fetch(request, "other_org")
    other_org.members_see_all_tickets = True
    other_org.save()
    return _fetch(request, "other_customer")


def customer_shared_with(request, ticket):
    colleague = _fetch(request, "org_colleague")
    services.share(ticket, actor=_fetch(request, "agent"), user=colleague)
    return colleague


def agent_of_the_queue(request, ticket):
    return _fetch(request, "agent")


def agent_of_another_queue(request, ticket):
    return _fetch(request, "other_agent")


def assigned_agent_outside_the_queue(request, ticket):
    other = _fetch(request, "other_agent")
    services.assign(ticket, actor=_fetch(request, "agent"), assignee=other)
    return other


def shared_with_agent(request, ticket):
    other = _fetch(request, "other_agent")
    services.share(ticket, actor=_fetch(request, "agent"), user=other)
    return other


def agent_without_queues(request, ticket):
    return AgentFactory(email="floater@desk.test")


def supervisor(request, ticket):
    return _fetch(request, "supervisor")


def admin(request, ticket):
    return _fetch(request, "admin_user")


def inactive_requester(request, ticket):
    user = _fetch(request, "customer")
    user.is_active = False
    user.save()
    return user


def inactive_agent_of_the_queue(request, ticket):
    user = _fetch(request, "agent")
    user.is_active = False
    user.save()
    return user


def anonymous(request, ticket):
    return AnonymousUser()


def customer_without_organization(request, ticket):
    return UserFactory(email="solo@example.test")


MATRIX = [
    (requester, True, False),
    (colleague_sharing_off, False, False),
    (colleague_sharing_on, True, False),
    (org_manager, True, False),
    (customer_of_other_org, False, False),
    (customer_of_other_org_that_shares, False, False),
    (customer_without_organization, False, False),
    (customer_shared_with, True, False),
    (agent_of_the_queue, True, True),
    (agent_of_another_queue, False, False),
    (assigned_agent_outside_the_queue, True, True),
    (shared_with_agent, True, True),
    (agent_without_queues, False, False),
    (supervisor, True, True),
    (admin, True, True),
    (inactive_requester, False, False),
    (inactive_agent_of_the_queue, False, False),
    (anonymous, False, False),
]


@pytest.mark.parametrize(("persona", "sees", "sees_internal"), MATRIX,
                         ids=[p.__name__ for p, _, _ in MATRIX])  # fmt: skip
def test_permission_matrix(request, scene, persona, sees, sees_internal):
    ticket, public, internal = scene
    user = persona(request, ticket)
    if hasattr(user, "refresh_from_db"):
        user.refresh_from_db()  # drop cached queue ids and organization

    assert queries.visible_tickets(user).filter(pk=ticket.pk).exists() is sees
    if sees:
        assert queries.get_ticket(user, ticket.number) == ticket
        assert queries.get_attachment(user, public.pk) == public
    else:
        with pytest.raises(Http404):
            queries.get_ticket(user, ticket.number)
        with pytest.raises(Http404):
            queries.get_attachment(user, public.pk)
    if sees_internal:
        assert queries.get_attachment(user, internal.pk) == internal
    else:
        with pytest.raises(Http404):
            queries.get_attachment(user, internal.pk)


def test_a_missing_number_or_attachment_is_a_404(scene, admin_user):
    with pytest.raises(Http404):
        queries.get_ticket(admin_user, 999_999)
    with pytest.raises(Http404):
        queries.get_attachment(admin_user, 999_999)


def test_customers_never_see_internal_notes_in_the_timeline(scene, customer, agent):
    ticket, _public, _internal = scene
    services.change_status(ticket, actor=agent, status=Ticket.Status.IN_PROGRESS)
    customer_view = queries.timeline(customer, ticket)
    messages = [e.item for e in customer_view if e.kind == "message"]
    assert [m.is_internal for m in messages] == [False]
    assert all("vault" not in m.body_text for m in messages)
    assert {e.item.kind for e in customer_view if e.kind == "event"} <= {"created", "status"}
    agent_view = queries.timeline(agent, ticket)
    assert any(e.kind == "message" and e.item.is_internal for e in agent_view)


def test_lists_show_only_visible_tickets(make_ticket, customer, other_customer, agent,
                                          other_agent, other_queue):  # fmt: skip
    mine = make_ticket()
    theirs = make_ticket(other_customer, queue_=other_queue)
    assert [t.pk for t in queries.list_tickets(customer).items] == [mine.pk]
    assert [t.pk for t in queries.list_tickets(other_customer).items] == [theirs.pk]
    assert [t.pk for t in queries.list_tickets(agent).items] == [mine.pk]
    assert [t.pk for t in queries.list_tickets(other_agent).items] == [theirs.pk]
