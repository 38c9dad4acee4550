"""The knowledge base in a real browser: live suggestions while a customer writes a request,
the agent's two-click "insert link", and axe-core on every KB page at desktop and 375 px."""

import re

import pytest
from playwright.sync_api import expect

from relaydesk.knowledge import services as kb
from relaydesk.knowledge.models import Article, Category
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
def network(db):
    return Category.objects.create(
        name="Network", slug="network", description="VPN, Wi-Fi and cables."
    )


@pytest.fixture
def vpn_article(agent, network):
    article = kb.create_article(
        actor=agent,
        title="VPN disconnects every few minutes",
        body="<p>If the VPN client drops the connection, update the client and switch to the "
        "wired network.</p><ul><li>Open the client</li><li>Choose <strong>Update</strong></li>"
        "</ul>",
        category=network,
        tags=kb.tags_named(agent, ["vpn", "remote work"]),
        visibility=Article.Visibility.PUBLIC,
        status=Article.Status.PUBLISHED,
    )
    kb.record_view(article)  # so the FAQ on /kb/ lists it
    kb.create_article(
        actor=agent,
        title="Printer shows paper jam",
        body="<p>Open tray 2 and remove the jammed paper.</p>",
        status=Article.Status.PUBLISHED,
    )
    return article


def test_suggestions_appear_while_the_customer_types(live_server, open_page, customer,
                                                     vpn_article):  # fmt: skip
    page = open_page(DESKTOP)
    login(page, live_server.url, customer.email)
    page.goto(f"{live_server.url}/requests/new/")
    page.evaluate("window.__sameDocument = true")
    suggestions = page.locator("#kb-suggestions")
    expect(suggestions.get_by_role("link")).to_have_count(0)

    page.get_by_label("Subject").press_sequentially("My vpn keeps disconnecting", delay=20)
    page.get_by_label("Description").press_sequentially("It drops when I work from home", delay=10)

    link = suggestions.get_by_role("link", name=re.compile("VPN disconnects every few minutes"))
    expect(link).to_be_visible()
    expect(suggestions.get_by_text("Printer shows paper jam")).to_have_count(0)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert f"/kb/{vpn_article.pk}-" in link.get_attribute("href")
    assert_accessible(page)
    assert not Ticket.objects.exists()


def test_agent_inserts_an_article_link_in_two_clicks(live_server, open_page, agent, make_ticket,
                                                      vpn_article):  # fmt: skip
    ticket = make_ticket(subject="VPN disconnects at home", body="The VPN drops every hour.")
    page = open_page(DESKTOP)
    login(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    reply = page.locator("#msg_body")
    reply.fill("Hello, please read ")

    # The suggested articles box loads by itself; one click inserts the link.
    suggested = page.locator("#kb-ticket-suggestions")
    suggested.get_by_role("button", name=re.compile("Insert link")).first.click()
    url = f"{live_server.url}/kb/{vpn_article.pk}-{vpn_article.slug}/"
    expect(reply).to_have_value(f"Hello, please read {url}")
    expect(page.locator("#kb-link-status")).to_have_text(re.compile("inserted", re.I))

    # Or search: type, then click the result.
    reply.fill("")
    page.get_by_label("Find an article to link in the reply").press_sequentially("paper jam")
    results = page.locator("#kb-link-results")
    button = results.get_by_role("button", name=re.compile("Printer shows paper jam"))
    expect(button).to_be_visible()
    button.click()
    expect(reply).to_have_value(re.compile(r"/kb/\d+-printer-shows-paper-jam/$"))
    assert_accessible(page)


@VIEWPORTS
def test_portal_kb_pages_anonymous(live_server, open_page, viewport, vpn_article, network):
    page = open_page(viewport)
    urls = [
        "/kb/",
        "/kb/?q=vpn",
        f"/kb/category/{network.slug}/",
        f"/kb/{vpn_article.pk}-{vpn_article.slug}/",
    ]
    for url in urls:
        page.goto(live_server.url + url)
        assert page.url.endswith(url), f"{url} went to {page.url}"
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
    expect(page.get_by_role("heading", name="VPN disconnects every few minutes")).to_be_visible()


@VIEWPORTS
def test_portal_kb_pages_signed_in(live_server, open_page, viewport, customer, vpn_article,
                                   network):  # fmt: skip
    page = open_page(viewport)
    login(page, live_server.url, customer.email)
    for url in (
        "/kb/",
        f"/kb/category/{network.slug}/",
        f"/kb/{vpn_article.pk}-{vpn_article.slug}/",
    ):
        page.goto(live_server.url + url)
        assert page.url.endswith(url), f"{url} went to {page.url}"
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Yes").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
    assert_accessible(page)


@VIEWPORTS
def test_desk_kb_pages(live_server, open_page, viewport, agent, make_ticket, vpn_article):
    ticket = make_ticket(subject="VPN disconnects at home", body="The VPN drops every hour.")
    services.post_message(ticket, actor=agent, body="Update the client.", channel="desk")
    kb.update_article(vpn_article, actor=agent, title="VPN drops every few minutes")
    page = open_page(viewport)
    login(page, live_server.url, agent.email)
    for url in (
        "/desk/kb/",
        "/desk/kb/?q=vpn",
        "/desk/kb/new/",
        f"/desk/kb/{vpn_article.pk}/edit/",
        f"/desk/kb/{vpn_article.pk}/edit/?lang=de",
        f"/desk/tickets/{ticket.number}/",
    ):
        page.goto(live_server.url + url)
        assert page.url.endswith(url), f"{url} went to {page.url}"
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
        assert_no_horizontal_scroll(page)
