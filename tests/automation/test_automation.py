import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from relaydesk.automation import outbound
from relaydesk.automation.models import Macro, ScheduledRule, Trigger
from relaydesk.automation.services import apply_macro, macros_for, run_scheduled_rules
from relaydesk.tickets import services
from relaydesk.tickets.models import Event, Message, Ticket


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make_trigger(event, conditions=(), actions=(), **kw):
    trigger = Trigger.objects.create(name=kw.pop("name", "t"), event=event, **kw)
    for field, op, value in conditions:
        trigger.conditions.create(field=field, operator=op, value=value)
    for kind, value in actions:
        trigger.actions.create(kind=kind, value=value)
    return trigger


def test_trigger_on_customer_reply_adds_note_and_tag(commit, ticket, customer):
    make_trigger(
        "message.posted",
        [("body", "any_word", "angry, lawyer")],
        [("add_note", "Careful: {requester} is upset"), ("add_tags", "vip")],
        name="upset customer",
    )
    with commit():
        services.post_message(ticket, actor=customer, body="I will call my lawyer", channel="web")
    note = Message.objects.get(ticket=ticket, is_internal=True)
    assert note.body_text == "Careful: Cora Customer is upset" and note.author is None
    assert ticket.tags.filter(name="vip").exists()
    assert Event.objects.filter(ticket=ticket, note="rule: trigger upset customer").exists()


def test_trigger_does_not_fire_when_conditions_fail(commit, ticket, customer):
    make_trigger("message.posted", [("body", "contains", "lawyer")], [("set_priority", "4")])
    with commit():
        services.post_message(ticket, actor=customer, body="thanks", channel="web")
    ticket.refresh_from_db()
    assert ticket.priority == 2


def test_automated_changes_do_not_fire_triggers_again(commit, ticket, agent):
    make_trigger("ticket.updated", [], [("set_priority", "4")], name="loop?")
    make_trigger("ticket.updated", [], [("add_note", "again")], name="note")
    with commit():
        services.update_ticket(ticket, actor=agent, tier=2)
    ticket.refresh_from_db()
    assert ticket.priority == 4
    assert Message.objects.filter(ticket=ticket, body_text="again").count() == 1


def test_trigger_email_and_webhook(commit, ticket, agent):
    make_trigger(
        "ticket.status_changed",
        [("status", "equals", "resolved")],
        [("email_customer", "Solved: {subject}\nBye"), ("webhook", "http://127.0.0.1:9/x")],
    )
    with mock.patch.object(outbound.urllib.request, "urlopen") as urlopen, commit():
        services.change_status(ticket, actor=agent, status="in_progress")
        services.change_status(ticket, actor=agent, status="resolved")
    assert any(m.subject == f"[{ticket.reference}] Solved: Printer is broken" for m in mail.outbox)
    request = urlopen.call_args.args[0]
    assert request.full_url == "http://127.0.0.1:9/x" and b'"status": "resolved"' in request.data


def test_macro_reply_with_placeholders_and_field_changes(ticket, agent):
    macro = Macro.objects.create(
        name="Waiting on you",
        new_status="waiting",
        reply="Hello {requester}, about {reference}: which model?",
    )
    macro.actions.create(kind="set_priority", value="3")
    macro.actions.create(kind="add_tags", value="needs-info")
    apply_macro(ticket, actor=agent, macro=macro)
    ticket.refresh_from_db()
    reply = Message.objects.filter(ticket=ticket, author=agent).get()
    assert reply.body_text == f"Hello Cora Customer, about {ticket.reference}: which model?"
    assert (ticket.status, ticket.priority) == ("waiting", 3)
    assert ticket.tags.filter(name="needs-info").exists()
    assert Event.objects.filter(ticket=ticket, field="priority", actor=agent).exists()


def test_personal_macros_are_private(ticket, agent, other_agent, customer):
    mine = Macro.objects.create(name="mine", owner=agent, reply="x")
    shared = Macro.objects.create(name="shared", reply="y")
    assert set(macros_for(agent)) == {mine, shared}
    assert list(macros_for(other_agent)) == [shared]
    assert not macros_for(customer).exists()
    with pytest.raises(PermissionDenied):
        apply_macro(ticket, actor=other_agent, macro=mine)


def test_scheduled_rules_remind_resolve_close(commit, make_ticket, agent):
    waiting, resolved = make_ticket(), make_ticket()
    services.post_message(waiting, actor=agent, body="?", channel="desk", new_status="waiting")
    services.change_status(resolved, actor=agent, status="in_progress")
    services.change_status(resolved, actor=agent, status="resolved")
    ScheduledRule.objects.create(
        name="remind",
        status="waiting",
        after_hours=72,
        action="remind",
        value="Still there?\nPlease answer {reference}",
    )
    ScheduledRule.objects.create(
        name="auto-resolve",
        status="waiting",
        after_hours=240,
        action="set_status",
        value="resolved",
    )
    ScheduledRule.objects.create(
        name="auto-close",
        status="resolved",
        after_hours=24 * 7,
        action="set_status",
        value="closed",
    )
    now = timezone.now()
    assert run_scheduled_rules(now + dt.timedelta(hours=1)) == 0
    with commit():
        assert run_scheduled_rules(now + dt.timedelta(days=4)) == 1  # the reminder
    assert [m.subject for m in mail.outbox if "Still there" in m.subject] == [
        f"[{waiting.reference}] Still there?"
    ]
    assert run_scheduled_rules(now + dt.timedelta(days=5)) == 0  # reminded once
    with mock.patch("django.utils.timezone.now", return_value=now + dt.timedelta(days=11)):
        assert run_scheduled_rules(now + dt.timedelta(days=11)) == 2  # resolve + close
    waiting.refresh_from_db()
    resolved.refresh_from_db()
    assert (waiting.status, resolved.status) == (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
    assert Event.objects.filter(
        ticket=resolved, new_value="closed", note="rule: scheduled auto-close"
    ).exists()
