"""The walls, as a browser meets them: no URL shows a customer another customer's ticket."""

import pytest

from relaydesk.tickets import services
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_other_customer_sees_nothing_by_url(
    live_server, open_page, make_ticket, customer, other_customer, tmp_path
):
    upload = tmp_path / "invoice.txt"
    upload.write_text("secret numbers")
    ticket = make_ticket(subject="Confidential payroll question")
    with upload.open("rb") as fh:
        from django.core.files.uploadedfile import SimpleUploadedFile

        services.add_attachments(
            ticket, actor=customer, files=[SimpleUploadedFile("invoice.txt", fh.read())]
        )
    attachment = ticket.attachments.get()

    page = open_page()
    login(page, live_server.url, other_customer.email)
    for url in (
        f"/requests/{ticket.number}/",
        f"/attachments/{attachment.id}/",
        f"/desk/tickets/{ticket.number}/",
    ):
        response = page.goto(live_server.url + url)
        assert response.status in (403, 404), f"{url} answered {response.status}"
        assert "Confidential payroll" not in page.content()
        assert "secret numbers" not in page.content()


def test_customer_cannot_open_the_desk(live_server, open_page, customer):
    page = open_page()
    login(page, live_server.url, customer.email)
    response = page.goto(f"{live_server.url}/desk/")
    assert response.status in (302, 403) or "/desk/" not in page.url
    assert "Unassigned" not in page.content()


def test_anonymous_is_sent_to_login(live_server, open_page, ticket):
    page = open_page()
    page.goto(f"{live_server.url}/requests/{ticket.number}/")
    assert "/login/" in page.url
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    assert "/login/" in page.url
