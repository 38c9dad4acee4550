"""Writes: revisions, status changes, turn-into-article, votes, views, deflections,
translations and their fallback, sanitizing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from relaydesk.knowledge import queries, services
from relaydesk.knowledge.models import Article, Deflection, Revision, Vote
from relaydesk.tickets import services as ticket_services


def test_create_sanitizes_and_records_a_revision(agent):
    article = services.create_article(
        actor=agent,
        title="  Fix   the printer ",
        body='<p onclick="x()">Turn it off<script>alert(1)</script></p>',
    )
    translation = article.translation()
    assert translation.title == "Fix the printer"
    assert "script" not in translation.body_html and "onclick" not in translation.body_html
    assert translation.body_text == "Turn it off"
    assert article.status == Article.Status.DRAFT and article.author == agent
    (revision,) = article.revisions.all()
    assert revision.editor == agent and revision.changed == ["created"]


def test_create_requires_a_title(agent):
    with pytest.raises(ValidationError) as error:
        services.create_article(actor=agent, title="   ", body="x")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.create_article(actor=agent, title="x", body="y", language="not a code")


def test_update_records_who_changed_what(make_article, agent, other_agent):
    article = make_article("Old title", "<p>Old body</p>")
    services.update_article(article, actor=other_agent, title="New title")
    services.update_article(article, actor=agent, body="<p>New body</p>")
    services.update_article(article, actor=agent, title="New title")  # no change: no revision
    revisions = queries.revisions(article)
    assert [r.changed for r in revisions] == [["body"], ["title"], ["created"]]
    assert revisions[1].editor == other_agent and revisions[1].title == "New title"
    assert revisions[0].body_html == "<p>New body</p>"
    # The index follows the text.
    assert queries.search_articles(AnonymousUser(), "new title")[0].article == article
    assert queries.search_articles(AnonymousUser(), "old") == []


def test_publish_archive_are_revisions(make_article, agent):
    article = make_article("Draft one", status=Article.Status.DRAFT)
    assert queries.search_articles(AnonymousUser(), "draft one") == []
    services.publish(article, actor=agent)
    article.refresh_from_db()
    assert article.published_at is not None
    assert queries.search_articles(AnonymousUser(), "draft one")[0].article == article
    services.archive(article, actor=agent)
    assert list(Revision.objects.filter(article=article).values_list("status", flat=True)) == [
        "archived",
        "published",
        "draft",
    ]


def test_settings_changes_are_revisions(make_article, agent, org):
    article = make_article("Settings")
    services.update_article(
        article, actor=agent, visibility=Article.Visibility.ORGANIZATION, organizations=[org]
    )
    assert set(queries.revisions(article)[0].changed) == {"visibility", "organizations"}
    assert list(article.organizations.all()) == [org]


def test_turn_message_into_article(make_ticket, agent, other_agent, customer):
    ticket = make_ticket(subject="Outlook crashes on start", body="It crashes.")
    reply = ticket_services.post_message(
        ticket, actor=agent, body="Start Outlook with /safe and disable the add-in.", channel="web"
    )
    article = services.article_from_message(reply, actor=agent)
    assert article.status == Article.Status.DRAFT
    assert article.visibility == Article.Visibility.INTERNAL
    assert article.source_ticket == ticket and article.source_message == reply
    assert article.translation().title == "Outlook crashes on start"
    assert "disable the add-in" in article.translation().body_text
    with pytest.raises(PermissionDenied):
        services.article_from_message(reply, actor=customer)
    with pytest.raises(PermissionDenied):  # not in the ticket's queue
        services.article_from_message(reply, actor=other_agent)


def test_votes_one_per_user_and_per_session(make_article, customer):
    article = make_article("Votable")
    services.vote(article, user=customer, helpful=True)
    services.vote(article, user=customer, helpful=True)
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (1, 0)
    services.vote(article, user=customer, helpful=False)  # changes the vote
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (0, 1)
    anonymous = AnonymousUser()
    services.vote(article, user=anonymous, session_key="abc", helpful=True)
    services.vote(article, user=anonymous, session_key="abc", helpful=True)
    services.vote(article, user=anonymous, session_key="def", helpful=True)
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (2, 1)
    assert Vote.objects.filter(article=article).count() == 3
    with pytest.raises(ValidationError):
        services.vote(article, user=anonymous, session_key="", helpful=True)


def test_view_counts_order_the_faq(make_article, customer):
    from relaydesk.knowledge.models import Category

    howto = Category.objects.create(name="How-to", slug="how-to")
    rare = make_article("Rarely read", category=howto)
    popular = make_article("Often read", category=howto)
    unread = make_article("Never opened")
    for _ in range(3):
        services.record_view(popular)
    services.record_view(rare)
    popular.refresh_from_db()
    assert popular.view_count == 3
    (section,) = queries.faq(customer)
    assert section.category == howto
    assert [h.article for h in section.hits] == [popular, rare]
    assert unread not in [h.article for h in section.hits]


def test_deflection_once_per_session(make_article, customer):
    article = make_article("VPN help")
    first = services.record_deflection(
        article, user=AnonymousUser(), session_key="s1", query="my vpn  drops"
    )
    assert first is not None and first.query == "my vpn drops"
    assert services.record_deflection(article, user=AnonymousUser(), session_key="s1") is None
    services.record_deflection(article, user=customer, session_key="s2")
    assert Deflection.objects.filter(article=article).count() == 2
    assert Deflection.objects.filter(user=customer).count() == 1


def test_translations_fall_back_to_the_default_language(make_article, agent):
    article = make_article("Printer jam", "<p>Open the tray.</p>")
    services.update_article(
        article, actor=agent, language="de", title="Papierstau", body="<p>Fach öffnen.</p>"
    )
    article = queries.get_article(agent, article.id)
    assert article.translation("de").title == "Papierstau"
    assert article.translation("de-AT").title == "Papierstau"  # base language
    assert article.translation("fr").title == "Printer jam"  # default
    assert article.translation(None).title == "Printer jam"
    # Either language finds it; the hit is shown in the reader's language.
    hit = queries.search_articles(AnonymousUser(), "papierstau", language="fr")[0]
    assert hit.article == article and hit.title == "Printer jam"
    hit = queries.search_articles(AnonymousUser(), "printer jam", language="de")[0]
    assert hit.title == "Papierstau"
    assert "translation:de" in queries.revisions(article)[0].changed
    # Diacritics are folded (SQLite's unicode61 tokenizer): "offnen" finds "öffnen".
    if connection.vendor == "sqlite":
        assert queries.search_articles(AnonymousUser(), "offnen")[0].article == article


def test_default_language_must_exist(make_article, agent):
    article = make_article("English only")
    with pytest.raises(ValidationError):
        services.update_article(article, actor=agent, default_language="fr")
    services.update_article(article, actor=agent, language="fr", title="Français seulement")
    services.update_article(article, actor=agent, default_language="fr")
    article.refresh_from_db()
    assert article.default_language == "fr"
    assert queries.get_article(agent, article.id).translation("es").title == "Français seulement"
