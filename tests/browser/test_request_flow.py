"""The foundation's end-to-end flow, in a real browser, checked for accessibility on the way:
customer submits a request with a screenshot -> agent finds it unassigned, takes it, replies
-> customer reads the reply and answers -> the status moves as the workflow says."""

import re

import pytest
from playwright.sync_api import expect

from relaydesk.tickets.models import Ticket
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_request_reply_answer(live_server, open_page, customer, agent, queue, viewport, tmp_path):
    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(PNG)

    # The customer submits a request with an attachment on the portal.
    portal = open_page(viewport)
    login(portal, live_server.url, customer.email)
    portal.goto(f"{live_server.url}/requests/new/")
    assert_accessible(portal)
    assert_no_horizontal_scroll(portal)
    portal.get_by_label("Subject").fill("Screen flickers after docking")
    portal.get_by_label("Description").fill("Since Monday the external screen flickers.")
    portal.locator("input[type=file]").first.set_input_files(str(screenshot))
    portal.get_by_role("button", name=re.compile("Submit|Send", re.I)).click()
    expect(portal.get_by_text(re.compile(r"RD-\d+")).first).to_be_visible()
    ticket = Ticket.objects.get(subject="Screen flickers after docking")
    assert ticket.status == Ticket.Status.NEW
    assert ticket.attachments.get().filename == "screenshot.png"
    assert_accessible(portal)
    assert_no_horizontal_scroll(portal)

    # The agent sees it in the unassigned view, takes it and replies.
    desk = open_page(viewport)
    login(desk, live_server.url, agent.email)
    desk.goto(f"{live_server.url}/desk/?view=unassigned")
    assert_accessible(desk)
    desk.get_by_role("link", name=re.compile(ticket.reference)).first.click()
    expect(desk.get_by_text("Screen flickers after docking").first).to_be_visible()
    assert_accessible(desk)
    desk.get_by_role("button", name=re.compile("Assign to me", re.I)).click()
    desk.wait_for_load_state("networkidle")
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.status == Ticket.Status.IN_PROGRESS
    desk.get_by_role("textbox", name=re.compile("^(Reply|Message)", re.I)).first.fill(
        "Please try the other USB-C port."
    )
    desk.get_by_label("Status after sending").select_option("waiting")
    desk.get_by_role("button", name=re.compile("Send", re.I)).first.click()
    desk.wait_for_load_state("networkidle")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    assert ticket.messages.filter(is_internal=False, author=agent).exists()

    # The customer reads the reply and answers; the ticket goes back to In progress.
    portal.goto(f"{live_server.url}/requests/{ticket.number}/")
    expect(portal.get_by_text("Please try the other USB-C port.")).to_be_visible()
    assert_accessible(portal)
    assert_no_horizontal_scroll(portal)
    portal.get_by_role("textbox", name=re.compile("Reply|Message", re.I)).first.fill(
        "That fixed it, thanks!"
    )
    portal.get_by_role("button", name=re.compile("Send", re.I)).first.click()
    expect(portal.get_by_text("That fixed it, thanks!")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
