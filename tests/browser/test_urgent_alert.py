"""An urgent request submitted on the portal alerts a logged-in agent's desk without a reload,
on the page (role="alert") and as a browser notification once the agent allowed them; the
new desk parts (notification centre, SLA due times, macros, availability) pass axe."""

import re

import pytest
from playwright.sync_api import expect

from relaydesk.automation.models import Macro
from relaydesk.routing.rules import VersionedCache
from relaydesk.sla.models import SlaPolicy
from relaydesk.tickets.models import Ticket
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
POLL_WAIT = 25_000  # the badge polls every 10 s

# Chromium headless has no notification service: record what the page would show instead.
FAKE_NOTIFICATION_API = """
window.__browserNotes = [];
window.Notification = function (title, options) { window.__browserNotes.push(title); };
window.Notification.permission = "default";
window.Notification.requestPermission = function () {
  window.Notification.permission = "granted";
  return Promise.resolve("granted");
};
"""


@pytest.fixture(autouse=True)
def _fresh_rule_caches():
    VersionedCache.clear_all()
    yield
    VersionedCache.clear_all()


@VIEWPORTS
def test_urgent_portal_request_alerts_the_desk_live(
    live_server, open_page, viewport, customer, agent, queue
):
    desk = open_page(viewport)
    desk.context.add_init_script(FAKE_NOTIFICATION_API)
    login(desk, live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/")
    expect(desk.locator("#notif-badge")).to_be_attached()
    desk.evaluate("window.__samePage = 'still here'")
    # Browser notifications are asked for on a click, never on load.
    desk.get_by_role("button", name="Enable browser alerts").click()
    expect(desk.get_by_role("button", name="Enable browser alerts")).to_be_hidden()
    assert_accessible(desk)
    assert_no_horizontal_scroll(desk)

    portal = open_page(viewport)
    login(portal, live_server.url, customer.email)
    portal.goto(f"{live_server.url}/requests/new/")
    portal.get_by_label("Subject").fill("Payment terminal is down in every shop")
    portal.get_by_label("Description").fill("No card payments since 9:00.")
    portal.get_by_label("Priority").select_option(label="Urgent")
    portal.get_by_label("Department").select_option(label=queue.name)
    portal.get_by_role("button", name=re.compile("Submit|Send", re.I)).click()
    expect(portal.get_by_text(re.compile(r"RD-\d+")).first).to_be_visible()
    ticket = Ticket.objects.get(subject="Payment terminal is down in every shop")
    assert ticket.priority == Ticket.Priority.URGENT

    # The desk learns of it by polling: no reload, an alert on the page, a browser notification.
    alert = desk.get_by_role("alert").filter(has_text="Payment terminal is down")
    expect(alert).to_be_visible(timeout=POLL_WAIT)
    assert desk.evaluate("window.__samePage") == "still here"
    expect(desk.locator("#notif-badge .count-badge")).to_have_text(re.compile(r"^1\s*unread$"))
    notes = desk.evaluate("window.__browserNotes")
    assert any(ticket.reference in n for n in notes), notes
    assert_accessible(desk)
    assert_no_horizontal_scroll(desk)

    # The next poll does not repeat the same alert; the link opens the ticket.
    desk.wait_for_timeout(11_000)
    assert desk.locator(".urgent-alert").count() == 1
    assert len(desk.evaluate("window.__browserNotes")) == 1
    alert.get_by_role("link").click()
    expect(desk).to_have_url(re.compile(rf"/desk/tickets/{ticket.number}/$"))


@VIEWPORTS
def test_new_desk_parts_are_accessible(live_server, open_page, viewport, agent, make_ticket):
    SlaPolicy.objects.create(name="Standard", first_response_minutes=60, resolution_minutes=480)
    Macro.objects.create(name="Ask for the model", reply="Which model, {requester}?")
    ticket = make_ticket(subject="Laptop will not boot", priority=Ticket.Priority.URGENT)

    page = open_page(viewport)
    login(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/desk/?sort=due")
    expect(page.get_by_text("On track").first).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    expect(page.get_by_role("heading", name="Service level")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("combobox", name="Macro").select_option(label="Ask for the model")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("Which model, Cora Customer?")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/desk/notifications/")
    expect(page.get_by_role("link", name=re.compile(ticket.reference))).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name=re.compile("^Mark read")).first.click()
    expect(page.get_by_text("0 unread")).to_be_visible()

    page.get_by_role("button", name="Mark me away").click()
    expect(page.get_by_role("button", name="I am available")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
