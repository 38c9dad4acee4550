"""The admin refuses rule, trigger, macro and scheduled-rule actions that could never work,
with a message on the value, instead of the action being skipped when the rule runs."""

import pytest
from django.forms import modelform_factory

from relaydesk.automation.admin import MacroActionForm, ScheduledRuleForm
from relaydesk.automation.models import MacroAction, ScheduledRule, Trigger, TriggerAction
from relaydesk.routing.actions import validate_action
from relaydesk.routing.admin import ActionForm
from relaydesk.routing.models import AssignmentAction, AssignmentRule
from tests.factories import TicketTypeFactory

K = AssignmentAction.Kind


@pytest.fixture
def known(queue, agent, customer):
    TicketTypeFactory(slug="hardware")
    return {"queue": queue.slug, "agent": agent.email, "customer": customer.email}


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (K.SET_QUEUE, "no-such-queue", "No active queue has the slug “no-such-queue”."),
        (K.ASSIGN_TEAM, "nope", "No active queue has the slug “nope”."),
        (K.SET_TYPE, "gadgets", "No ticket type has the slug “gadgets”."),
        (K.SET_TIER, "5", "Give a tier from 1 to 4."),
        (K.SET_TIER, "two", "Give a tier from 1 to 4."),
        (K.SET_PRIORITY, "0", "Give a priority from 1 (low) to 4 (urgent)."),
        (K.ASSIGN_AGENT, "ghost@nowhere.test", "No active agent uses the address"),
        (K.ASSIGN_AGENT, "customer", "No active agent uses the address"),
        (K.SET_STATUS, "done", "Give one of the statuses"),
        (K.WEBHOOK, "ftp://example.com/x", "http:// or https://"),
        (K.WEBHOOK, "not a url", "http:// or https://"),
        (K.ADD_TAGS, "  ", "This action needs a value."),
        (K.ADD_NOTE, "", "This action needs a value."),
    ],
)
def test_broken_values_are_refused(known, kind, value, message):
    value = known.get(value, value)
    problem = validate_action(kind, value)
    assert problem is not None and message in problem


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (K.SET_QUEUE, "queue"),
        (K.ASSIGN_TEAM, "queue"),
        (K.SET_TYPE, "hardware"),
        (K.SET_TIER, "4"),
        (K.SET_PRIORITY, " 4 "),
        (K.ASSIGN_AGENT, "agent"),
        (K.SET_STATUS, "resolved"),
        (K.WEBHOOK, "https://hooks.example.com/relaydesk"),
        (K.WEBHOOK, "http://127.0.0.1:8080/hook"),
        (K.ADD_TAGS, "vpn, network"),
        (K.EMAIL_CUSTOMER, "Subject\nBody"),
    ],
)
def test_working_values_pass(known, kind, value):
    assert validate_action(kind, known.get(value, value)) is None


def test_inactive_queue_is_refused(queue):
    queue.is_active = False
    queue.save()
    assert validate_action(K.SET_QUEUE, queue.slug) is not None


def test_action_form_puts_the_error_on_the_value(db):
    rule = AssignmentRule.objects.create(name="r")
    form_class = modelform_factory(AssignmentAction, form=ActionForm, exclude=["rule"])
    form = form_class(
        data={"kind": K.SET_QUEUE, "value": "nowhere", "position": 0, "secret": "k"},
        instance=AssignmentAction(rule=rule),
    )
    assert not form.is_valid()
    assert form.errors["value"] == ["No active queue has the slug “nowhere”."]


def test_macro_actions_only_what_macros_do(agent):
    assert validate_action(K.WEBHOOK, "https://x.example/h", macro=True) is not None
    assert validate_action(K.ASSIGN_AGENT, "", macro=True) is None  # unassign
    assert validate_action(K.ASSIGN_AGENT, "", macro=False) is not None
    assert MacroActionForm.for_macro is True


def _inline(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_admin_refuses_assignment_rule_with_unknown_queue(client_for, admin_user, queue):
    client = client_for(admin_user)
    data = {
        "name": "VPN to network", "position": "0", "is_active": "on", "match": "all",
        **_inline("conditions", [
            {"position": "0", "field": "subject", "operator": "contains", "value": "vpn"}]),
        **_inline("actions", [{"position": "0", "kind": "set_queue", "value": "netwrok"}]),
    }  # fmt: skip
    response = client.post("/admin/routing/assignmentrule/add/", data)
    assert response.status_code == 200  # the form again, with the error
    assert "No active queue has the slug “netwrok”." in response.content.decode()
    assert not AssignmentRule.objects.exists()
    data["actions-0-value"] = queue.slug
    response = client.post("/admin/routing/assignmentrule/add/", data)
    assert response.status_code == 302
    assert AssignmentRule.objects.get().actions.get().value == queue.slug


def test_admin_refuses_trigger_assigning_unknown_agent(client_for, admin_user):
    client = client_for(admin_user)
    data = {
        "name": "to Bob", "event": Trigger.On.CREATED, "position": "0", "is_active": "on",
        "match": "all",
        **_inline("conditions", []),
        **_inline("actions", [{"position": "0", "kind": "assign_agent", "value": "bob@x.test",
                               "secret": "k"}]),
    }  # fmt: skip
    response = client.post("/admin/automation/trigger/add/", data)
    assert "No active agent uses the address “bob@x.test”." in response.content.decode()
    assert not Trigger.objects.exists() and not TriggerAction.objects.exists()


def test_admin_refuses_macro_with_tier_out_of_range(client_for, admin_user):
    data = {
        "name": "Up", "reply": "", "new_status": "",
        **_inline("actions", [{"position": "0", "kind": "set_tier", "value": "9"}]),
    }  # fmt: skip
    response = client_for(admin_user).post("/admin/automation/macro/add/", data)
    assert "Give a tier from 1 to 4." in response.content.decode()
    assert not MacroAction.objects.exists()


@pytest.mark.parametrize(
    ("action", "value", "error"),
    [
        ("set_status", "finished", "Give one of the statuses"),
        ("set_status", "waiting", "the status the rule looks at"),
        ("add_note", "", "Write the text"),
        ("remind", "  ", "Write the text"),
    ],
)
def test_scheduled_rule_value_must_fit_the_action(db, action, value, error):
    form = ScheduledRuleForm(
        data={
            "name": "r",
            "is_active": "on",
            "status": "waiting",
            "after_hours": "72",
            "action": action,
            "value": value,
        }  # fmt: skip
    )
    assert not form.is_valid()
    assert error in " ".join(form.errors["value"])


def test_scheduled_rule_admin_accepts_a_good_rule(client_for, admin_user):
    data = {"name": "Auto-resolve", "is_active": "on", "status": "waiting",
            "after_hours": "168", "action": "set_status", "value": "resolved"}  # fmt: skip
    response = client_for(admin_user).post("/admin/automation/scheduledrule/add/", data)
    assert response.status_code == 302
    assert ScheduledRule.objects.get().value == "resolved"
