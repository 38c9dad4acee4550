"""axe-core on every portal and desk page, at desktop width and on a 375 px phone."""

import pytest

from relaydesk.tickets import services
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


@pytest.fixture
def worked_ticket(make_ticket, agent):
    """A ticket with a reply, an internal note and some history, so every part renders."""
    ticket = make_ticket(subject="VPN drops every ten minutes", priority=Ticket.Priority.HIGH)
    services.assign(ticket, actor=agent, assignee=agent)
    services.post_message(
        ticket, actor=agent, body="Checking the concentrator logs.", internal=True,
        channel=Ticket.Channel.DESK,
    )  # fmt: skip
    services.post_message(
        ticket, actor=agent, body="Which client version do you run?",
        channel=Ticket.Channel.DESK, new_status=Ticket.Status.WAITING,
    )  # fmt: skip
    return ticket


@VIEWPORTS
def test_public_pages(live_server, open_page, viewport, db):
    page = open_page(viewport)
    for url in ("/", "/login/", "/signup/"):
        page.goto(live_server.url + url)
        assert_accessible(page)
        assert_no_horizontal_scroll(page)


@VIEWPORTS
def test_portal_pages(live_server, open_page, viewport, customer, worked_ticket):
    page = open_page(viewport)
    login(page, live_server.url, customer.email)
    for url in ("/", "/requests/", "/requests/new/", f"/requests/{worked_ticket.number}/"):
        page.goto(live_server.url + url)
        assert page.url.endswith(url), f"{url} redirected to {page.url}"
        assert_accessible(page)
        assert_no_horizontal_scroll(page)


@VIEWPORTS
def test_desk_pages(live_server, open_page, viewport, agent, worked_ticket):
    page = open_page(viewport)
    login(page, live_server.url, agent.email)
    for url in (
        "/desk/",
        "/desk/?view=unassigned",
        "/desk/?view=mine",
        "/desk/?q=VPN",
        f"/desk/tickets/{worked_ticket.number}/",
        "/desk/calls/new/",
    ):
        page.goto(live_server.url + url)
        assert "/login/" not in page.url
        assert_accessible(page)
        assert_no_horizontal_scroll(page)


@VIEWPORTS
@pytest.mark.parametrize("persona", ["customer", "agent"])
def test_account_pages(live_server, open_page, viewport, persona, request):
    user = request.getfixturevalue(persona)
    page = open_page(viewport)
    login(page, live_server.url, user.email)
    for url in ("/account/", "/account/password/"):
        page.goto(live_server.url + url)
        assert page.url.endswith(url), f"{url} redirected to {page.url}"
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
