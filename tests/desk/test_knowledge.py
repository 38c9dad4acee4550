"""The desk's knowledge base: the article list and editor, publish/archive, "turn into
article" and the ticket page's article box, each tried as each persona."""

import re

import pytest
from django.test import Client, override_settings

from relaydesk.knowledge import services as kb
from relaydesk.knowledge.models import Article, Category, Revision, Tag
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket

PUBLIC = Article.Visibility.PUBLIC
INTERNAL = Article.Visibility.INTERNAL
PUBLISHED = Article.Status.PUBLISHED
DRAFT = Article.Status.DRAFT


@pytest.fixture
def make_article(agent):
    def make(title, body="", *, status=PUBLISHED, visibility=PUBLIC, **kw):
        return kb.create_article(
            actor=kw.pop("actor", agent),
            title=title,
            body=body or f"<p>{title}</p>",
            status=status,
            visibility=visibility,
            **kw,
        )

    return make


@pytest.fixture
def article(make_article):
    return make_article("VPN disconnects every few minutes", "<p>Update the VPN client.</p>")


@pytest.fixture
def network():
    return Category.objects.create(name="Network", slug="network")


def form_data(**overrides):
    data = {
        "title": "Printer shows paper jam",
        "body": "<p>Open tray 2.</p><script>alert(1)</script>",
        "body_format": "html",
        "language": "en",
        "category": "",
        "tags": "printing, hardware",
        "visibility": PUBLIC,
        "status": DRAFT,
        "note": "",
    }
    data.update(overrides)
    return data


def get_urls(article, ticket):
    return [
        "/desk/kb/",
        "/desk/kb/?q=vpn",
        "/desk/kb/new/",
        f"/desk/kb/{article.pk}/edit/",
        "/desk/kb/links/?q=vpn",
        f"/desk/tickets/{ticket.number}/kb/",
    ]


def post_urls(article, ticket):
    message = ticket.messages.first()
    return {
        "/desk/kb/new/": form_data(),
        f"/desk/kb/{article.pk}/edit/": form_data(title="Renamed", status=PUBLISHED),
        f"/desk/kb/{article.pk}/publish/": {},
        f"/desk/kb/{article.pk}/archive/": {},
        f"/desk/tickets/{ticket.number}/messages/{message.pk}/article/": {},
    }


# --- who may use the pages -------------------------------------------------------------------


def test_agent_gets_every_page(client_for, agent, article, ticket):
    client = client_for(agent)
    for url in get_urls(article, ticket):
        assert client.get(url).status_code == 200, url


def test_customer_gets_403_and_nothing_changes(client_for, customer, article, ticket):
    client = client_for(customer)
    for url in get_urls(article, ticket):
        assert client.get(url).status_code == 403, url
    revisions = Revision.objects.count()
    for url, data in post_urls(article, ticket).items():
        assert client.post(url, data).status_code == 403, url
    assert Article.objects.count() == 1 and Revision.objects.count() == revisions
    article.refresh_from_db()
    assert article.status == PUBLISHED and str(article) == "VPN disconnects every few minutes"


def test_anonymous_goes_to_login_and_nothing_changes(article, ticket):
    client = Client()
    for url in get_urls(article, ticket):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    for url, data in post_urls(article, ticket).items():
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert article.status == PUBLISHED


def test_desk_nav_links_to_the_knowledge_base(client_for, agent):
    body = client_for(agent).get("/desk/kb/").content.decode()
    assert re.search(r'href="/desk/kb/" aria-current="page">Knowledge base<', body)


# --- GET never changes state -----------------------------------------------------------------


def test_get_never_changes_state(client_for, agent, article, ticket):
    client = client_for(agent)
    revisions = Revision.objects.count()
    for url in get_urls(article, ticket):
        client.get(url)
    for url in post_urls(article, ticket):
        if not url.endswith(("/new/", "/edit/")):
            assert client.get(url).status_code == 405, url
    assert Article.objects.count() == 1 and Revision.objects.count() == revisions
    article.refresh_from_db()
    assert article.status == PUBLISHED


# --- the list --------------------------------------------------------------------------------


def test_list_shows_drafts_and_internal_articles(client_for, agent, make_article, network):
    make_article("Public answer", category=network)
    make_article("Secret runbook", visibility=INTERNAL, status=DRAFT)
    make_article("Old way", status=Article.Status.ARCHIVED)
    body = client_for(agent).get("/desk/kb/").content.decode()
    for text in ["Public answer", "Secret runbook", "Old way", "Draft", "Archived", "Network"]:
        assert text in body, text


def test_list_filters_by_status_and_category(client_for, agent, make_article, network):
    make_article("Public answer", category=network)
    make_article("Secret runbook", visibility=INTERNAL, status=DRAFT)
    client = client_for(agent)
    body = client.get("/desk/kb/?status=draft").content.decode()
    assert "Secret runbook" in body and "Public answer" not in body
    body = client.get(f"/desk/kb/?category={network.pk}").content.decode()
    assert "Public answer" in body and "Secret runbook" not in body


def test_search_finds_internal_drafts(client_for, agent, make_article):
    make_article("VPN server restart runbook", visibility=INTERNAL, status=DRAFT)
    make_article("Printer shows paper jam")
    client = client_for(agent)
    body = client.get("/desk/kb/?q=vpn+restart").content.decode()
    assert "VPN server restart runbook" in body and "Printer shows paper jam" not in body
    body = client.get("/desk/kb/?q=vpn&status=published").content.decode()
    assert "VPN server restart runbook" not in body


@override_settings(PAGE_SIZE=10)
def test_list_pages_with_a_cursor(client_for, agent, make_article):
    for i in range(12):
        make_article(f"Article number {i:02d}")
    client = client_for(agent)
    body = client.get("/desk/kb/").content.decode()
    assert "Article number 11" in body and "Article number 01" not in body
    next_url = re.search(r'href="([^"]+)" rel="next"', body).group(1).replace("&amp;", "&")
    body = client.get(next_url).content.decode()
    assert "Article number 01" in body and "Article number 11" not in body
    assert client.get("/desk/kb/?cursor=garbage").status_code == 400


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_bounded(client_for, agent, make_article, network, count,
                                     django_assert_max_num_queries):  # fmt: skip
    for i in range(count):
        make_article(f"Bounded article {i}", category=network)
    client = client_for(agent)
    with django_assert_max_num_queries(8):
        response = client.get("/desk/kb/")
    assert response.content.decode().count("Bounded article") == count
    with django_assert_max_num_queries(10):
        response = client.get("/desk/kb/?q=bounded")
    assert response.content.decode().count("Bounded article") == count


# --- writing, editing, revisions -------------------------------------------------------------


def test_create_writes_article_and_revision(client_for, agent, network):
    response = client_for(agent).post(
        "/desk/kb/new/", form_data(category=str(network.pk), note="first")
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/kb/{article.pk}/edit/"
    assert article.author == agent and article.category == network and article.status == DRAFT
    translation = article.translation()
    assert translation.title == "Printer shows paper jam"
    assert "Open tray 2" in translation.body_html and "<script" not in translation.body_html
    assert sorted(article.tags.values_list("name", flat=True)) == ["hardware", "printing"]
    revision = article.revisions.get()
    assert revision.editor == agent and revision.changed == ["created"]


def test_create_from_plain_text(client_for, agent):
    client_for(agent).post("/desk/kb/new/", form_data(body="<b>not html</b>", body_format="text"))
    assert "&lt;b&gt;not html&lt;/b&gt;" in Article.objects.get().translation().body_html


def test_create_for_organizations_needs_one(client_for, agent, org):
    client = client_for(agent)
    response = client.post("/desk/kb/new/", form_data(visibility="organization"))
    assert response.status_code == 400 and not Article.objects.exists()
    assert "Choose at least one organization." in response.content.decode()
    client.post("/desk/kb/new/", form_data(visibility="organization", organizations=[org.pk]))
    assert list(Article.objects.get().organizations.all()) == [org]


def test_invalid_form_keeps_the_text(client_for, agent):
    response = client_for(agent).post("/desk/kb/new/", form_data(title=""))
    assert response.status_code == 400 and not Article.objects.exists()
    assert "Open tray 2." in response.content.decode()


def test_edit_writes_revision_with_who_and_what(client_for, agent, supervisor, article):
    Tag.objects.create(name="vpn", slug="vpn")
    response = client_for(supervisor).post(
        f"/desk/kb/{article.pk}/edit/",
        form_data(
            title="VPN drops",
            body="<p>Update the VPN client.</p>",
            tags="vpn",
            status=PUBLISHED,
            note="clearer title",
        ),  # fmt: skip
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert str(article) == "VPN drops"
    revision = article.revisions.first()
    assert revision.editor == supervisor
    assert set(revision.changed) == {"title", "tags"} and revision.note == "clearer title"
    assert Tag.objects.count() == 1  # an existing tag is reused
    body = client_for(agent).get(f"/desk/kb/{article.pk}/edit/").content.decode()
    history = body[body.index("Revision history") :]
    assert supervisor.display_name in history and "title, tags" in history
    assert "clearer title" in history and agent.display_name in history


def test_saving_unchanged_form_writes_no_revision(client_for, agent, article):
    client = client_for(agent)
    data = form_data(title=str(article), body=article.translation().body_html, tags="",
                     status=PUBLISHED)  # fmt: skip
    client.post(f"/desk/kb/{article.pk}/edit/", data)
    assert article.revisions.count() == 1


def test_edit_form_can_change_status(client_for, agent, article):
    client_for(agent).post(
        f"/desk/kb/{article.pk}/edit/", form_data(title=str(article), status="archived")
    )
    article.refresh_from_db()
    assert article.status == Article.Status.ARCHIVED
    assert article.revisions.first().changed == ["status"]


def test_translation_is_added_and_edited_by_language(client_for, agent, article):
    client = client_for(agent)
    body = client.get(f"/desk/kb/{article.pk}/edit/?lang=de").content.decode()
    assert "There is no version in “de” yet" in body
    response = client.post(
        f"/desk/kb/{article.pk}/edit/?lang=de",
        form_data(title="VPN trennt die Verbindung", language="de", status=PUBLISHED),
    )
    assert response["Location"] == f"/desk/kb/{article.pk}/edit/?lang=de"
    assert article.translation("de").title == "VPN trennt die Verbindung"
    assert str(article) == "VPN disconnects every few minutes"  # the default is unchanged
    assert article.revisions.first().changed[0] == "translation:de"
    body = client.get(f"/desk/kb/{article.pk}/edit/").content.decode()
    assert "new version: de" in body and f"/desk/kb/{article.pk}/edit/?lang=de" in body


def test_edit_of_unknown_article_is_404(client_for, agent):
    assert client_for(agent).get("/desk/kb/999/edit/").status_code == 404


# --- publish and archive ---------------------------------------------------------------------


def test_publish_and_archive(client_for, agent, make_article):
    draft = make_article("Half written", status=DRAFT)
    client = client_for(agent)
    body = client.get(f"/desk/kb/{draft.pk}/edit/").content.decode()
    assert f'action="/desk/kb/{draft.pk}/publish/"' in body
    response = client.post(f"/desk/kb/{draft.pk}/publish/")
    assert response["Location"] == f"/desk/kb/{draft.pk}/edit/"
    draft.refresh_from_db()
    assert draft.status == PUBLISHED and draft.published_at is not None
    body = client.get(f"/desk/kb/{draft.pk}/edit/").content.decode()
    assert f'action="/desk/kb/{draft.pk}/publish/"' not in body
    assert "View in the portal" in body
    client.post(f"/desk/kb/{draft.pk}/archive/")
    draft.refresh_from_db()
    assert draft.status == Article.Status.ARCHIVED
    assert [r.changed for r in draft.revisions.all()] == [["status"], ["status"], ["created"]]


# --- from the ticket page --------------------------------------------------------------------


def test_ticket_page_has_turn_into_article_and_the_article_box(client_for, agent, ticket):
    services.post_message(ticket, actor=agent, body="Try the other port.", channel="desk")
    body = client_for(agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    for message in ticket.messages.all():
        assert f"/desk/tickets/{ticket.number}/messages/{message.pk}/article/" in body
    assert f'hx-get="/desk/tickets/{ticket.number}/kb/"' in body
    assert 'hx-get="/desk/kb/links/"' in body and "desk/kb_links.js" in body
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids))


def test_turn_message_into_article(client_for, agent, ticket):
    message = services.post_message(
        ticket, actor=agent, body="Workaround: restart the spooler.", channel="desk",
        internal=True,
    )  # fmt: skip
    response = client_for(agent).post(
        f"/desk/tickets/{ticket.number}/messages/{message.pk}/article/"
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/kb/{article.pk}/edit/"
    assert article.status == DRAFT and article.visibility == INTERNAL
    assert article.source_ticket == ticket and article.source_message == message
    assert "restart the spooler" in article.translation().body_html
    body = client_for(agent).get(response["Location"]).content.decode()
    assert ticket.reference in body and "Printer is broken" in body


def test_turn_into_article_needs_the_ticket(client_for, other_agent, ticket, make_ticket):
    message = ticket.messages.first()
    client = client_for(other_agent)  # in another queue: cannot see the ticket
    url = f"/desk/tickets/{ticket.number}/messages/{message.pk}/article/"
    assert client.post(url).status_code == 404
    assert client.get(f"/desk/tickets/{ticket.number}/kb/").status_code == 404
    assert not Article.objects.exists()


def test_turn_into_article_message_must_belong_to_the_ticket(client_for, agent, make_ticket):
    first, second = make_ticket(), make_ticket(subject="Another")
    message = second.messages.first()
    url = f"/desk/tickets/{first.number}/messages/{message.pk}/article/"
    assert client_for(agent).post(url).status_code == 404
    assert not Article.objects.exists()


def test_ticket_suggestions_list_published_matches(client_for, agent, make_ticket, make_article):
    ticket = make_ticket(subject="VPN disconnects at home", body="The VPN drops.")
    make_article("VPN disconnects every few minutes")
    make_article("VPN draft notes", status=DRAFT)
    make_article("Printer shows paper jam")
    with_requester = make_article("VPN runbook for agents", visibility=INTERNAL)
    body = client_for(agent).get(f"/desk/tickets/{ticket.number}/kb/").content.decode()
    assert "VPN disconnects every few minutes" in body
    assert "VPN draft notes" not in body and "Printer shows paper jam" not in body
    assert with_requester.get_visibility_display() in body  # internal ones are marked
    assert 'data-insert-link="http://testserver/kb/' in body


def test_ticket_suggestions_query_count(client_for, agent, make_ticket, make_article,
                                        django_assert_max_num_queries):  # fmt: skip
    ticket = make_ticket(subject="VPN disconnects at home", body="The VPN drops.")
    for i in range(10):
        make_article(f"VPN answer {i}")
    client = client_for(agent)
    # Session and user (3), ticket and its first message (2), the search: a count per word
    # (at most search.MAX_TERMS) and the match, then articles and their translations.
    with django_assert_max_num_queries(20):
        response = client.get(f"/desk/tickets/{ticket.number}/kb/")
    assert response.content.decode().count("data-insert-link") == 5


def test_link_search_inserts_portal_urls(client_for, agent, article, make_article):
    make_article("VPN draft notes", status=DRAFT)
    body = client_for(agent).get("/desk/kb/links/?q=vpn").content.decode()
    url = f"http://testserver/kb/{article.pk}-{article.slug}/"
    assert f'data-insert-link="{url}"' in body and f'href="{url}"' in body
    assert "VPN draft notes" not in body  # drafts cannot be opened by the customer
    body = client_for(agent).get("/desk/kb/links/?q=zzzqqq").content.decode()
    assert "No published article matches" in body
    assert client_for(agent).get("/desk/kb/links/").content.decode().strip() == ""


def test_customer_cannot_reach_desk_suggestions_for_own_ticket(client_for, customer, ticket):
    assert ticket.requester == customer
    assert client_for(customer).get(f"/desk/tickets/{ticket.number}/kb/").status_code == 403
    assert Ticket.objects.count() == 1
