"""tickets/services.py: the one write path. Each rule the issue states is tried here."""

from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from relaydesk.accounts.models import User
from relaydesk.core import fastsql
from relaydesk.core.models import Sequence
from relaydesk.tickets import services
from relaydesk.tickets.models import (
    Attachment,
    CustomField,
    Event,
    Message,
    Ticket,
    TicketShare,
    TypeField,
)
from relaydesk.tickets.queries import visible_tickets
from tests.factories import AgentFactory, CustomFieldFactory, TicketTypeFactory, UserFactory
from tests.tickets.uploads import stored_files, upload

S = Ticket.Status
DESK = Ticket.Channel.DESK
MB = 1024 * 1024


def _force_status(ticket: Ticket, status: str, **extra) -> Ticket:
    """Test set-up only: put TICKET in STATUS without going through the workflow."""
    Ticket.objects.filter(pk=ticket.pk).update(status=status, **extra)
    ticket.refresh_from_db()
    return ticket


def _events(ticket: Ticket, kind: str | None = None) -> list[Event]:
    qs = Event.objects.filter(ticket=ticket).order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


# --- open_ticket ---------------------------------------------------------------------------


def test_numbers_start_at_1001_and_increase(make_ticket):
    first, second, third = make_ticket(), make_ticket(), make_ticket()
    assert [first.number, second.number, third.number] == [1001, 1002, 1003]
    assert first.reference == "RD-1001"


def test_a_number_is_never_reused_even_after_the_ticket_is_deleted(make_ticket):
    make_ticket()
    last = make_ticket()
    Ticket.objects.filter(pk=last.pk).delete()
    assert make_ticket().number == last.number + 1


def test_numbering_restarts_at_1001_if_the_counter_row_is_lost(make_ticket):
    """After a flush (tests on a live server do one) the counter row is gone."""
    Sequence.objects.all().delete()
    assert make_ticket().number == 1001


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [("", "Body", "subject"), ("   \n\t", "Body", "subject"), ("Subject", "", "body"),
     ("Subject", "  \n ", "body")],
)  # fmt: skip
def test_subject_and_description_are_required(customer, queue, subject, body, field):
    with pytest.raises(ValidationError) as exc:
        services.open_ticket(
            actor=customer, requester=customer, subject=subject, body=body, channel="web",
            queue=queue,
        )  # fmt: skip
    assert field in exc.value.message_dict
    assert not Ticket.objects.exists()
    assert not Event.objects.exists()


def test_subject_whitespace_is_collapsed(make_ticket):
    assert make_ticket(subject="  Printer \n  on fire  ").subject == "Printer on fire"


def test_customers_open_tickets_only_for_themselves(customer, org_colleague, queue):
    with pytest.raises(PermissionDenied):
        services.open_ticket(
            actor=customer, requester=org_colleague, subject="S", body="B", channel="web",
            queue=queue,
        )  # fmt: skip
    assert not Ticket.objects.exists()


def test_agent_opens_a_ticket_on_behalf_of_a_customer(agent, customer, queue, org):
    ticket = services.open_ticket(
        actor=agent, requester=customer, subject="Phoned in: VPN down", body="Called at 9:00",
        channel=Ticket.Channel.PHONE, queue=queue,
    )  # fmt: skip
    assert ticket.requester == customer
    assert ticket.organization == org
    assert ticket.channel == "phone"
    assert ticket.status == S.NEW
    message = ticket.messages.get()
    assert (message.author, message.channel, message.is_internal) == (agent, "phone", False)
    [created] = _events(ticket)
    assert (created.kind, created.actor, created.new_value) == (Event.Kind.CREATED, agent, "phone")


def test_created_event_is_written_in_the_same_transaction(customer, queue, monkeypatch):
    """If the audit row cannot be written, the ticket is not created either."""
    real_insert = fastsql.insert

    def failing_insert(objs, **kwargs):
        if any(isinstance(o, Event) and o.kind == Event.Kind.CREATED for o in objs):
            raise RuntimeError("audit store down")
        return real_insert(objs, **kwargs)

    monkeypatch.setattr(fastsql, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue
        )
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()


def test_without_a_queue_the_first_active_queue_is_used(customer, queue, other_queue):
    queue.is_active = False
    queue.save()
    ticket = services.open_ticket(
        actor=customer, requester=customer, subject="S", body="B", channel="web"
    )
    assert ticket.queue == other_queue


def test_attachments_get_a_random_stored_name_and_keep_the_original(make_ticket, media):
    ticket = make_ticket(
        attachments=[upload("screen shot.png"), upload("screen shot.png", b"other"),
                     upload("../../etc/passwd", b"root", "text/plain")],
    )  # fmt: skip
    stored = list(ticket.attachments.order_by("id"))
    assert [a.filename for a in stored] == ["screen shot.png", "screen shot.png", "passwd"]
    names = {a.file.name for a in stored}
    assert len(names) == 3
    for attachment in stored:
        assert attachment.file.name.startswith("attachments/")
        assert "screen" not in attachment.file.name and "passwd" not in attachment.file.name
        assert attachment.message == ticket.messages.get()
    assert stored[2].content_type == "text/plain"
    assert stored[2].size == 4
    assert len(stored_files(media)) == 3
    with stored[1].file.open("rb") as f:
        assert f.read() == b"other"


def test_custom_field_values_are_validated_for_the_type(customer, queue):
    ticket_type = TicketTypeFactory()
    device = CustomFieldFactory(key="device", kind=CustomField.Kind.CHOICE,
                                choices="Laptop\nPrinter", required=True)  # fmt: skip
    internal = CustomFieldFactory(key="root_cause", required=True, customer_visible=False)
    TypeField.objects.create(ticket_type=ticket_type, field=device, position=1)
    TypeField.objects.create(ticket_type=ticket_type, field=internal, position=2)

    def open_with(custom):
        return services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web",
            queue=queue, ticket_type=ticket_type, custom=custom,
        )  # fmt: skip

    with pytest.raises(ValidationError) as exc:
        open_with({"device": "Toaster"})
    assert "device" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        open_with({"device": "Laptop", "root_cause": "User error"})  # internal: not theirs
    assert "root_cause" in exc.value.message_dict
    # The required internal field is the agents' business: customers need not fill it.
    ticket = open_with({"device": "Laptop"})
    assert ticket.custom == {"device": "Laptop"}


# --- post_message --------------------------------------------------------------------------


def test_an_agents_first_public_reply_sets_first_response(ticket, agent):
    services.post_message(ticket, actor=agent, body="Internal only", channel=DESK, internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    reply = services.post_message(ticket, actor=agent, body="On it", channel=DESK)
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply.created_at
    services.post_message(ticket, actor=agent, body="Later reply", channel=DESK)
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply.created_at
    kinds = [(e.kind, e.new_value) for e in _events(ticket, Event.Kind.MESSAGE)]
    assert kinds == [("message", "internal"), ("message", "public"), ("message", "public")]


def test_a_customer_reply_is_not_a_first_response(ticket, customer):
    services.post_message(ticket, actor=customer, body="Any news?", channel="web")
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_customers_cannot_post_internal_notes_or_set_a_status(ticket, customer):
    with pytest.raises(PermissionDenied):
        services.post_message(ticket, actor=customer, body="x", channel="web", internal=True)
    with pytest.raises(PermissionDenied):
        services.post_message(ticket, actor=customer, body="x", channel="web",
                              new_status=S.RESOLVED)  # fmt: skip
    assert ticket.messages.count() == 1


def test_nobody_posts_on_a_ticket_they_cannot_see(ticket, other_customer, other_agent):
    for outsider in (other_customer, other_agent):
        with pytest.raises(PermissionDenied):
            services.post_message(ticket, actor=outsider, body="hello", channel="web")
    assert ticket.messages.count() == 1


def test_an_empty_message_is_refused(ticket, agent):
    with pytest.raises(ValidationError) as exc:
        services.post_message(ticket, actor=agent, body="  ", channel=DESK)
    assert "body" in exc.value.message_dict


def test_message_bodies_are_sanitized_and_kept_as_text(ticket, agent):
    html = services.post_message(
        ticket, actor=agent, channel=DESK, body_is_html=True,
        body='<p onclick="steal()">Hello <b>there</b></p><script>alert(1)</script>',
    )  # fmt: skip
    assert "script" not in html.body_html and "onclick" not in html.body_html
    assert "<b>there</b>" in html.body_html
    assert html.body_text == "Hello there"
    text = services.post_message(ticket, actor=agent, channel=DESK, body="a < b & <i>c</i>")
    assert text.body_html == "<p>a &lt; b &amp; &lt;i&gt;c&lt;/i&gt;</p>"
    assert text.body_text == "a < b & <i>c</i>"


def test_an_agent_can_reply_and_wait_for_the_customer_in_one_step(ticket, agent):
    services.post_message(ticket, actor=agent, body="Try now?", channel=DESK, new_status=S.WAITING)
    ticket.refresh_from_db()
    assert ticket.status == S.WAITING


# --- workflow ------------------------------------------------------------------------------

# The workflow, written out here independently of workflow.py.
AGENT_MAY = {
    S.NEW: {S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.CLOSED},
    S.IN_PROGRESS: {S.WAITING, S.RESOLVED, S.CLOSED},
    S.WAITING: {S.IN_PROGRESS, S.RESOLVED, S.CLOSED},
    S.RESOLVED: {S.IN_PROGRESS, S.FEEDBACK, S.CLOSED},
    S.CLOSED: {S.FEEDBACK},
    S.FEEDBACK: {S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.CLOSED},
}
CUSTOMER_MAY = {
    S.NEW: {S.CLOSED},
    S.IN_PROGRESS: {S.CLOSED},
    S.WAITING: {S.CLOSED},
    S.RESOLVED: {S.CLOSED, S.FEEDBACK},
    S.CLOSED: {S.FEEDBACK},
    S.FEEDBACK: {S.CLOSED},
}
PAIRS = [(a, b) for a, b in product(S.values, S.values) if a != b]


@pytest.mark.parametrize(("role", "old", "new"),
                         [(r, a, b) for r in ("agent", "customer") for a, b in PAIRS])  # fmt: skip
def test_every_transition_for_agent_and_customer(request, ticket, role, old, new):
    actor = request.getfixturevalue(role)
    _force_status(ticket, old, closed_at=timezone.now())
    allowed = new in (AGENT_MAY if role == "agent" else CUSTOMER_MAY)[old]
    if allowed:
        services.change_status(ticket, actor=actor, status=new)
        ticket.refresh_from_db()
        assert ticket.status == new
        [event] = _events(ticket, Event.Kind.STATUS)
        assert (event.actor, event.old_value, event.new_value) == (actor, old, new)
    else:
        with pytest.raises(ValidationError) as exc:
            services.change_status(ticket, actor=actor, status=new)
        assert "status" in exc.value.message_dict
        ticket.refresh_from_db()
        assert ticket.status == old
        assert not _events(ticket, Event.Kind.STATUS)


def test_an_unknown_status_is_refused(ticket, agent):
    with pytest.raises(ValidationError):
        services.change_status(ticket, actor=agent, status="deleted")


def test_resolving_and_closing_stamp_their_times(ticket, agent):
    services.change_status(ticket, actor=agent, status=S.RESOLVED)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None and ticket.closed_at is None
    services.change_status(ticket, actor=agent, status=S.CLOSED)
    ticket.refresh_from_db()
    assert ticket.closed_at is not None


def test_only_the_requester_or_org_manager_closes_a_customer_ticket(
    ticket, org, org_colleague, org_manager
):
    org.members_see_all_tickets = True
    org.save()
    with pytest.raises(PermissionDenied):
        services.change_status(ticket, actor=org_colleague, status=S.CLOSED)
    services.change_status(ticket, actor=org_manager, status=S.CLOSED)
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED


def test_a_customer_reply_moves_waiting_back_to_in_progress(ticket, agent, customer):
    services.post_message(ticket, actor=agent, body="Try now?", channel=DESK, new_status=S.WAITING)
    services.post_message(ticket, actor=customer, body="Still broken", channel="web")
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    last = _events(ticket, Event.Kind.STATUS)[-1]
    assert (last.actor, last.old_value, last.new_value) == (customer, S.WAITING, S.IN_PROGRESS)


def test_a_customer_reply_moves_resolved_to_feedback(ticket, agent, customer):
    services.change_status(ticket, actor=agent, status=S.RESOLVED)
    services.post_message(ticket, actor=customer, body="It came back", channel="web")
    ticket.refresh_from_db()
    assert ticket.status == S.FEEDBACK


@pytest.mark.parametrize("status", [S.NEW, S.IN_PROGRESS, S.FEEDBACK])
def test_a_customer_reply_leaves_other_open_statuses_alone(ticket, customer, status):
    _force_status(ticket, status)
    services.post_message(ticket, actor=customer, body="More details", channel="web")
    ticket.refresh_from_db()
    assert ticket.status == status


def test_a_reply_to_a_recently_closed_ticket_reopens_it(ticket, customer, settings):
    settings.REOPEN_WINDOW_DAYS = 3
    _force_status(ticket, S.CLOSED, closed_at=timezone.now() - timedelta(days=2))
    message = services.post_message(ticket, actor=customer, body="Not fixed", channel="web")
    ticket.refresh_from_db()
    assert ticket.status == S.FEEDBACK
    assert message.ticket == ticket
    assert not Ticket.objects.filter(follow_up_of=ticket).exists()


def test_a_reply_beyond_the_reopen_window_opens_a_linked_follow_up(ticket, customer, settings):
    settings.REOPEN_WINDOW_DAYS = 3
    _force_status(ticket, S.CLOSED, closed_at=timezone.now() - timedelta(days=4))
    message = services.post_message(ticket, actor=customer, body="Broken again", channel="web")
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    follow_up = message.ticket
    assert follow_up != ticket
    assert follow_up.follow_up_of == ticket
    assert follow_up.number > ticket.number
    assert (follow_up.subject, follow_up.queue, follow_up.requester) == (
        ticket.subject, ticket.queue, customer)  # fmt: skip
    assert follow_up.status == S.NEW
    assert message.body_text == "Broken again"
    assert _events(ticket, Event.Kind.FOLLOW_UP)[0].new_value == follow_up.reference
    assert _events(follow_up, Event.Kind.FOLLOW_UP)[0].old_value == ticket.reference
    # And the old ticket can no longer be reopened by a status change.
    with pytest.raises(ValidationError) as exc:
        services.change_status(ticket, actor=customer, status=S.FEEDBACK)
    assert "follow-up" in str(exc.value)


# --- update_ticket -------------------------------------------------------------------------


def test_update_writes_one_event_per_changed_field(ticket, agent, other_queue):
    ticket_type = TicketTypeFactory(name="Hardware")
    services.update_ticket(
        ticket, actor=agent, subject="Printer on fire", priority=Ticket.Priority.URGENT,
        queue=ticket.queue, ticket_type=ticket_type, tier=2,
    )  # fmt: skip
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.priority, ticket.tier) == ("Printer on fire", 4, 2)
    changes = {e.field: (e.old_value, e.new_value) for e in _events(ticket, Event.Kind.FIELD)}
    assert changes == {
        "subject": ("Printer is broken", "Printer on fire"),
        "priority": ("2", "4"),
        "ticket_type": ("", "Hardware"),
        "tier": ("1", "2"),
    }  # the queue did not change: no event for it
    assert all(e.actor == agent for e in _events(ticket, Event.Kind.FIELD))


def test_update_without_changes_writes_nothing(ticket, agent):
    before = ticket.updated_at
    services.update_ticket(ticket, actor=agent, subject=ticket.subject, priority=ticket.priority)
    ticket.refresh_from_db()
    assert not _events(ticket, Event.Kind.FIELD)
    assert ticket.updated_at == before


def test_custom_field_changes_are_audited_per_key(customer, agent, queue):
    ticket_type = TicketTypeFactory()
    for i, key in enumerate(["device", "asset_tag"]):
        TypeField.objects.create(
            ticket_type=ticket_type, field=CustomFieldFactory(key=key), position=i
        )
    ticket = services.open_ticket(
        actor=customer, requester=customer, subject="S", body="B", channel="web", queue=queue,
        ticket_type=ticket_type, custom={"device": "Laptop"},
    )  # fmt: skip
    services.update_ticket(ticket, actor=agent, custom={"device": "Desktop", "asset_tag": "A-7"})
    ticket.refresh_from_db()
    assert ticket.custom == {"device": "Desktop", "asset_tag": "A-7"}
    changes = {e.field: (e.old_value, e.new_value) for e in _events(ticket, Event.Kind.FIELD)}
    assert changes == {"custom.device": ("Laptop", "Desktop"), "custom.asset_tag": ("", "A-7")}
    with pytest.raises(ValidationError):
        services.update_ticket(ticket, actor=agent, custom={"no_such_field": "x"})


def test_customers_cannot_update_fields(ticket, customer):
    with pytest.raises(PermissionDenied):
        services.update_ticket(ticket, actor=customer, priority=Ticket.Priority.URGENT)
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.NORMAL


@pytest.mark.parametrize(
    "changes", [{"status": "closed"}, {"requester": None}, {"tier": 5}, {"tier": 0},
                {"subject": "   "}],
)  # fmt: skip
def test_update_refuses_bad_changes(ticket, agent, changes):
    with pytest.raises(ValidationError):
        services.update_ticket(ticket, actor=agent, **changes)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.tier, ticket.subject) == (S.NEW, 1, "Printer is broken")


# --- assign --------------------------------------------------------------------------------


def test_assigning_a_new_ticket_starts_the_work(ticket, agent):
    services.assign(ticket, actor=agent, assignee=agent)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (agent, S.IN_PROGRESS)
    [assigned] = _events(ticket, Event.Kind.ASSIGNED)
    assert (assigned.old_value, assigned.new_value) == ("", agent.display_name)
    [status] = _events(ticket, Event.Kind.STATUS)
    assert (status.old_value, status.new_value) == (S.NEW, S.IN_PROGRESS)


def test_assigning_a_waiting_ticket_keeps_its_status(ticket, agent, other_agent):
    _force_status(ticket, S.WAITING)
    services.assign(ticket, actor=agent, assignee=other_agent)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (other_agent, S.WAITING)


def test_unassigning(ticket, agent):
    services.assign(ticket, actor=agent, assignee=agent)
    services.assign(ticket, actor=agent, assignee=None)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.status == S.IN_PROGRESS
    assert _events(ticket, Event.Kind.ASSIGNED)[-1].old_value == agent.display_name


def test_only_active_agents_can_be_assigned(ticket, agent, customer):
    retired = AgentFactory(email="retired@desk.test", is_active=False)
    for wrong in (customer, retired):
        with pytest.raises(ValidationError) as exc:
            services.assign(ticket, actor=agent, assignee=wrong)
        assert "assignee" in exc.value.message_dict
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_customers_and_outside_agents_cannot_assign(ticket, customer, other_agent):
    with pytest.raises(PermissionDenied):
        services.assign(ticket, actor=customer, assignee=other_agent)
    with pytest.raises(PermissionDenied):
        services.assign(ticket, actor=other_agent, assignee=other_agent)
    ticket.refresh_from_db()
    assert ticket.assignee is None


# --- escalate ------------------------------------------------------------------------------


def test_escalate_goes_one_tier_up_and_unassigns(ticket, agent):
    services.assign(ticket, actor=agent, assignee=agent)
    services.escalate(ticket, actor=agent, reason="Needs a network engineer")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.queue.slug) == (2, None, "it-support")
    [event] = _events(ticket, Event.Kind.ESCALATED)
    assert event.note == "Needs a network engineer"
    assert (event.old_value, event.new_value) == ("IT Support / tier 1", "IT Support / tier 2")


def test_escalate_needs_a_reason(ticket, agent):
    with pytest.raises(ValidationError) as exc:
        services.escalate(ticket, actor=agent, reason="   ")
    assert "reason" in exc.value.message_dict
    ticket.refresh_from_db()
    assert ticket.tier == 1


def test_escalate_stops_at_tier_four(ticket, agent):
    services.escalate(ticket, actor=agent, reason="straight to the top", tier=4)
    ticket.refresh_from_db()
    assert ticket.tier == 4
    with pytest.raises(ValidationError):
        services.escalate(ticket, actor=agent, reason="higher")
    with pytest.raises(ValidationError):
        services.escalate(ticket, actor=agent, reason="higher", tier=5)
    ticket.refresh_from_db()
    assert ticket.tier == 4


def test_escalate_to_another_queue(ticket, agent, other_agent, other_queue):
    assert not visible_tickets(other_agent).filter(pk=ticket.pk).exists()
    services.assign(ticket, actor=agent, assignee=agent)
    services.escalate(ticket, actor=agent, reason="It is the network", queue=other_queue)
    ticket.refresh_from_db()
    assert (ticket.queue, ticket.tier, ticket.assignee) == (other_queue, 1, None)
    # The other queue's agent now sees it; the first agent's queue no longer holds it.
    assert visible_tickets(User.objects.get(pk=other_agent.pk)).filter(pk=ticket.pk).exists()
    assert not visible_tickets(User.objects.get(pk=agent.pk)).filter(pk=ticket.pk).exists()


def test_escalate_to_a_named_agent(ticket, agent, other_agent):
    services.escalate(ticket, actor=agent, reason="Nina knows", tier=2, assignee=other_agent)
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (2, other_agent)


def test_escalating_to_the_same_place_is_refused(ticket, agent, queue):
    with pytest.raises(ValidationError):
        services.escalate(ticket, actor=agent, reason="x", tier=1, queue=queue)


def test_customers_cannot_escalate(ticket, customer):
    with pytest.raises(PermissionDenied):
        services.escalate(ticket, actor=customer, reason="please hurry")


# --- share / unshare -----------------------------------------------------------------------


def test_a_shared_agent_sees_the_ticket_until_unshared(ticket, agent, other_agent):
    assert not visible_tickets(other_agent).filter(pk=ticket.pk).exists()
    services.share(ticket, actor=agent, user=other_agent)
    assert visible_tickets(other_agent).filter(pk=ticket.pk).exists()
    services.post_message(ticket, actor=other_agent, body="Seen this before", channel=DESK)
    services.unshare(ticket, actor=agent, user=other_agent)
    assert not visible_tickets(other_agent).filter(pk=ticket.pk).exists()
    kinds = [(e.kind, e.old_value, e.new_value) for e in _events(ticket)
             if e.kind in (Event.Kind.SHARED, Event.Kind.UNSHARED)]  # fmt: skip
    assert kinds == [("shared", "", "Nina Net"), ("unshared", "Nina Net", "")]


def test_sharing_twice_keeps_one_share_and_one_event(ticket, agent, other_agent):
    services.share(ticket, actor=agent, user=other_agent)
    services.share(ticket, actor=agent, user=other_agent)
    assert TicketShare.objects.filter(ticket=ticket).count() == 1
    assert len(_events(ticket, Event.Kind.SHARED)) == 1


def test_share_with_a_colleague_of_the_customer(ticket, agent, org_colleague):
    assert not visible_tickets(org_colleague).filter(pk=ticket.pk).exists()
    services.share(ticket, actor=agent, user=org_colleague)
    assert visible_tickets(org_colleague).filter(pk=ticket.pk).exists()


def test_a_customer_of_another_organization_cannot_be_added(ticket, agent, other_customer):
    with pytest.raises(ValidationError) as exc:
        services.share(ticket, actor=agent, user=other_customer)
    assert "user" in exc.value.message_dict
    assert not visible_tickets(other_customer).filter(pk=ticket.pk).exists()


def test_a_ticket_without_organization_is_not_shared_with_other_customers(make_ticket, agent):
    loner = UserFactory(email="loner@example.test")
    stranger = UserFactory(email="stranger@example.test")
    ticket = make_ticket(loner)
    with pytest.raises(ValidationError):
        services.share(ticket, actor=agent, user=stranger)
    assert not visible_tickets(stranger).filter(pk=ticket.pk).exists()


def test_disabled_accounts_and_customers_cannot_share(ticket, agent, customer, other_agent):
    other_agent.is_active = False
    other_agent.save()
    with pytest.raises(ValidationError):
        services.share(ticket, actor=agent, user=other_agent)
    with pytest.raises(PermissionDenied):
        services.share(ticket, actor=customer, user=agent)
    assert not TicketShare.objects.exists()


# --- attachments and upload limits ---------------------------------------------------------


def test_add_attachments_to_the_ticket(ticket, agent, customer, media):
    stored = services.add_attachments(
        ticket, actor=customer, files=[upload("a.png"), upload("b.txt", b"hi", "text/plain")]
    )
    assert [a.filename for a in stored] == ["a.png", "b.txt"]
    assert all(a.message is None and a.uploaded_by == customer for a in stored)
    assert [e.new_value for e in _events(ticket, Event.Kind.ATTACHMENT)] == ["a.png", "b.txt"]
    assert len(stored_files(media)) == 2
    with pytest.raises(ValidationError):
        services.add_attachments(ticket, actor=agent, files=[])


def test_outsiders_cannot_add_attachments(ticket, other_customer, media):
    with pytest.raises(PermissionDenied):
        services.add_attachments(ticket, actor=other_customer, files=[upload()])
    assert stored_files(media) == []


def test_an_oversized_upload_opens_no_ticket_and_writes_no_file(customer, queue, settings, media):
    settings.MAX_UPLOAD_BYTES = 1 * MB
    with pytest.raises(ValidationError) as exc:
        services.open_ticket(
            actor=customer, requester=customer, subject="S", body="B", channel="web",
            queue=queue,
            attachments=[upload("small.png"), upload("huge.iso", b"x" * (MB + 1))],
        )  # fmt: skip
    message = " ".join(exc.value.messages)
    assert "huge.iso" in message and "at most 1 MB" in message
    assert "1.0 MB" not in message  # never claims a file over the limit is at the limit
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_reply_attachment_changes_nothing(ticket, agent, customer, settings, media):
    settings.MAX_UPLOAD_BYTES = 1 * MB
    services.post_message(ticket, actor=agent, body="Try now?", channel=DESK, new_status=S.WAITING)
    with pytest.raises(ValidationError):
        services.post_message(ticket, actor=customer, body="Here", channel="web",
                              attachments=[upload("big.bin", b"x" * (MB + 1))])  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.status == S.WAITING
    assert ticket.messages.count() == 2
    assert stored_files(media) == []


def test_an_oversized_file_among_several_writes_no_file(ticket, customer, settings, media):
    settings.MAX_UPLOAD_BYTES = 1 * MB
    with pytest.raises(ValidationError):
        services.add_attachments(
            ticket, actor=customer, files=[upload("ok.png"), upload("big.bin", b"x" * (MB + 1))]
        )
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
