"""The admin: categories and tags edited there; article settings saved through the service."""

from relaydesk.knowledge import queries, services
from relaydesk.knowledge.models import Article


def test_admin_pages_load(client_for, admin_user, corpus):
    client = client_for(admin_user)
    for url in [
        "/admin/knowledge/article/",
        f"/admin/knowledge/article/{corpus['vpn'].id}/change/",
        "/admin/knowledge/category/",
        "/admin/knowledge/tag/",
        "/admin/knowledge/category/add/",
    ]:
        assert client.get(url).status_code == 200, url


def test_admin_change_goes_through_the_service(client_for, admin_user, corpus):
    article = corpus["vpn"]
    response = client_for(admin_user).post(
        f"/admin/knowledge/article/{article.id}/change/",
        {
            "visibility": Article.Visibility.INTERNAL,
            "category": article.category_id,
            "translations-TOTAL_FORMS": "0",
            "translations-INITIAL_FORMS": "0",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    article.refresh_from_db()
    assert article.visibility == Article.Visibility.INTERNAL
    latest = queries.revisions(article)[0]
    assert latest.editor == admin_user and latest.changed == ["visibility"]


def test_list_and_faq_queries_are_bounded(corpus, agent, customer, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = queries.list_articles(agent, size=50)
        titles = [a.translation().title for a in page.items]
    assert titles and all(titles)
    for article in (corpus["vpn"], corpus["wifi"]):
        services.record_view(article)
    with django_assert_max_num_queries(4):
        faq = queries.faq(customer)
    assert {h.article for section in faq for h in section.hits} == {corpus["vpn"], corpus["wifi"]}
