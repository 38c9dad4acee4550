"""Permission walls: internal, draft and other organizations' articles never reach a
customer or an anonymous visitor, by search, suggestion, FAQ, category or id."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from relaydesk.knowledge import queries, services

WALLED_FROM_ANONYMOUS = ["internal", "acme", "globex", "draft"]


def found(hits):
    return {h.article.id for h in hits}


def every_read(user, text):
    """Everything a reader can get articles from, for one query."""
    hits = queries.search_articles(user, text, limit=50)
    hits += queries.suggest(user, text, limit=50)
    for section in queries.faq(user):
        hits += section.hits
    for category, _count in queries.categories(user):
        hits += queries.articles_in_category(user, category)
    return found(hits)


@pytest.fixture
def opened_everything(corpus):
    for article in corpus.values():
        services.record_view(article)  # so the FAQ would list all of them if it could


@pytest.mark.parametrize("query", ["vpn", "vpn restart runbook concentrator", "globex token"])
def test_anonymous_sees_only_public_published(corpus, opened_everything, query):
    ids = every_read(AnonymousUser(), query)
    for name in WALLED_FROM_ANONYMOUS:
        assert corpus[name].id not in ids, name
    assert corpus["vpn"].id in every_read(AnonymousUser(), "vpn")


def test_customer_sees_own_organization_only(corpus, opened_everything, customer, other_customer):
    ids = every_read(customer, "vpn profile token runbook draft")
    assert corpus["acme"].id in ids
    for name in ["internal", "globex", "draft"]:
        assert corpus[name].id not in ids, name
    other_ids = every_read(other_customer, "vpn profile token runbook draft")
    assert corpus["globex"].id in other_ids
    assert corpus["acme"].id not in other_ids


def test_customer_without_organization_sees_public_only(corpus, make_article, db):
    from tests.factories import UserFactory

    loner = UserFactory(email="loner@example.test")
    ids = every_read(loner, "vpn profile token")
    assert corpus["acme"].id not in ids and corpus["globex"].id not in ids
    assert corpus["vpn"].id in ids


def test_typo_fallback_respects_walls(corpus, agent):
    # "runbok" corrects to "runbook", which only the internal article has.
    assert queries.search_articles(AnonymousUser(), "runbok") == []
    assert found(queries.search_articles(agent, "runbok")) == {corpus["internal"].id}


def test_agent_finds_internal_but_customer_does_not(corpus, agent, customer):
    assert corpus["internal"].id in found(queries.search_articles(agent, "runbook"))
    assert queries.search_articles(customer, "runbook") == []
    # Drafts only through the desk's own search.
    assert corpus["draft"].id not in found(queries.search_articles(agent, "draft notes"))
    desk = queries.search_articles(agent, "draft notes", include_unpublished=True)
    assert corpus["draft"].id in found(desk)
    # A customer asking for unpublished ones still gets only what they may read.
    assert queries.search_articles(customer, "draft notes", include_unpublished=True) == []


def test_get_article_by_id(corpus, customer, other_customer, agent):
    for name in WALLED_FROM_ANONYMOUS:
        with pytest.raises(Http404):
            queries.get_article(AnonymousUser(), corpus[name].id)
    assert queries.get_article(customer, corpus["acme"].id) == corpus["acme"]
    for name in ["internal", "globex", "draft"]:
        with pytest.raises(Http404):
            queries.get_article(customer, corpus[name].id)
    with pytest.raises(Http404):
        queries.get_article(other_customer, corpus["acme"].id)
    assert queries.get_article(agent, corpus["internal"].id) == corpus["internal"]
    assert queries.get_article(agent, corpus["draft"].id) == corpus["draft"]


def test_archived_article_leaves_readers(corpus, agent, customer):
    services.archive(corpus["vpn"], actor=agent)
    assert corpus["vpn"].id not in found(queries.search_articles(customer, "vpn disconnects"))
    with pytest.raises(Http404):
        queries.get_article(customer, corpus["vpn"].id)


def test_inactive_customer_is_anonymous(corpus, customer):
    customer.is_active = False
    customer.save()
    assert corpus["acme"].id not in found(queries.search_articles(customer, "acme vpn profile"))


def test_only_agents_write(corpus, customer, org_manager):
    for user in (customer, org_manager, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            services.create_article(actor=user, title="x", body="y")
        with pytest.raises(PermissionDenied):
            services.update_article(corpus["vpn"], actor=user, title="Hacked")
        with pytest.raises(PermissionDenied):
            services.publish(corpus["draft"], actor=user)
        with pytest.raises(PermissionDenied):
            services.archive(corpus["vpn"], actor=user)


def test_readers_cannot_vote_or_deflect_on_walled_articles(corpus, customer):
    with pytest.raises(PermissionDenied):
        services.vote(corpus["internal"], user=customer, helpful=True)
    with pytest.raises(PermissionDenied):
        services.vote(corpus["globex"], user=AnonymousUser(), session_key="s1", helpful=True)
    with pytest.raises(PermissionDenied):
        services.record_deflection(corpus["internal"], user=AnonymousUser(), session_key="s1")
