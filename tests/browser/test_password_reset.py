"""A forgotten password, in a real browser: from the sign-in page to the mailed link (read from
the outbox of the live server, which runs in this process) to signing in with the new password;
every page checked for accessibility and for fitting a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    login,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "amber-lantern-93-quiet"
FIRST_FIELD = re.compile(r"^New password:?$")
LINK = re.compile(r"https?://\S+/password-reset/\S+/\S+/")


def check(page) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_forgotten_password_to_signing_in_again(
    live_server, open_page, customer, mailoutbox, viewport
):
    page = open_page(viewport)
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    check(page)

    page.get_by_label("Email address").fill(customer.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("If an account uses that address, we sent a link")).to_be_visible()
    check(page)

    [message] = mailoutbox
    assert message.to == [customer.email]
    [link] = LINK.findall(message.body)
    assert link.startswith(live_server.url)  # built from the host the browser used

    page.goto(link)
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    check(page)
    page.get_by_label(FIRST_FIELD).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("alert")).to_contain_text("This password is too short.")
    check(page)
    page.get_by_label(FIRST_FIELD).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your new password is set.")
    check(page)
    login(page, live_server.url, customer.email, NEW_PASSWORD)
    expect(page.get_by_text(customer.display_name).first).to_be_visible()

    # The link was for one use only.
    again = open_page(viewport)
    again.goto(link)
    expect(again.get_by_role("heading", name="This link no longer works")).to_be_visible()
    check(again)
    again.get_by_role("link", name="Email me a new link").click()
    expect(again.get_by_role("heading", name="Reset your password")).to_be_visible()
