import pytest
from django.core import mail

from relaydesk.notifications import services as notes
from relaydesk.notifications.models import Channel, Kind, Notification
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket
from tests.factories import AgentFactory


@pytest.fixture
def run_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_new_ticket_tells_queue_in_app_and_customer_by_email(
    run_commit, make_ticket, agent, other_agent, customer
):
    with run_commit():
        ticket = make_ticket()
    assert list(Notification.objects.values_list("user__email", "kind")) == [
        (agent.email, Kind.NEW_IN_QUEUE)
    ]
    assert notes.unread_count(agent) == 1 and notes.unread_count(other_agent) == 0
    # the customer's receipt is mailed once (by the mail channel when it is installed)
    received = [m for m in mail.outbox if m.to == [customer.email]]
    assert len(received) == 1 and ticket.reference in received[0].subject


def test_urgent_ticket_alerts_queue_at_once_by_both_channels(run_commit, make_ticket, agent):
    with run_commit():
        make_ticket(priority=Ticket.Priority.URGENT, subject="Server down")
    note = Notification.objects.get(user=agent)
    assert note.urgent and note.kind == Kind.URGENT and "Server down" in note.title
    assert any(m.to == [agent.email] and "Urgent" in m.subject for m in mail.outbox)


def test_preferences_user_over_admin_default_over_built_in(run_commit, make_ticket, agent, queue):
    colleague = AgentFactory(email="c@desk.test", queues=[queue])
    notes.set_preference(None, Kind.NEW_IN_QUEUE, Channel.NONE)  # admin: nobody by default
    notes.set_preference(agent, Kind.NEW_IN_QUEUE, Channel.BOTH)
    with run_commit():
        make_ticket()
    assert list(Notification.objects.values_list("user", flat=True)) == [agent.id]
    assert any(m.to == [agent.email] for m in mail.outbox)
    assert not any(m.to == [colleague.email] for m in mail.outbox)


def test_assignment_share_reply_escalation_resolution(
    run_commit, ticket, agent, other_agent, supervisor, customer
):
    with run_commit():
        services.assign(ticket, actor=supervisor, assignee=agent)
    assert Notification.objects.filter(user=agent, kind=Kind.ASSIGNED).count() == 1
    with run_commit():
        services.share(ticket, actor=agent, user=other_agent)
    assert Notification.objects.filter(user=other_agent, kind=Kind.SHARED).count() == 1
    with run_commit():
        services.post_message(ticket, actor=customer, body="Any news?", channel="web")
    assert Notification.objects.filter(user=agent, kind=Kind.CUSTOMER_REPLY).count() == 1
    mail.outbox.clear()
    with run_commit():
        services.post_message(
            ticket, actor=agent, body="Fixed", channel="desk", new_status=Ticket.Status.RESOLVED
        )
    subjects = [m.subject for m in mail.outbox if m.to == [customer.email]]
    assert len(subjects) == 2  # the answer (mailed once) and the resolution
    assert any("resolved" in s for s in subjects)
    senior = AgentFactory(email="senior@desk.test", tier=2, queues=[ticket.queue])
    with run_commit():
        services.escalate(ticket, actor=agent, reason="needs tier 2")
    assert Notification.objects.filter(user=senior, kind=Kind.ESCALATED).count() == 1
    assert not Notification.objects.filter(user=agent, kind=Kind.ESCALATED).exists()


def test_internal_note_tells_nobody(run_commit, ticket, agent):
    with run_commit():
        services.post_message(ticket, actor=agent, body="psst", channel="desk", internal=True)
    assert not Notification.objects.filter(kind=Kind.ANSWERED).exists()
    assert not mail.outbox


def test_failing_mail_does_not_block_the_change(run_commit, make_ticket, agent, settings):
    settings.EMAIL_BACKEND = "tests.notifications.broken_mail.Backend"
    with run_commit():
        ticket = make_ticket(priority=4)
    assert Ticket.objects.filter(id=ticket.id).exists()
    assert Notification.objects.filter(user=agent, urgent=True).exists()


def test_mark_read(agent, ticket):
    notes.notify([agent], Kind.ASSIGNED, ticket, "one")
    second = notes.notify([agent], Kind.ASSIGNED, ticket, "two")[0]
    assert notes.unread_count(agent) == 2
    assert notes.mark_read(agent, second.id) == 1
    assert notes.unread_count(agent) == 1
    notes.mark_read(agent)
    assert notes.unread_count(agent) == 0
