"""The portal's knowledge base pages, as anonymous visitor and as customers."""

from django.test import Client

from relaydesk.knowledge.models import Article, Deflection, Vote


def url(article):
    return f"/kb/{article.id}-{article.slug}/"


def test_public_article_without_login(corpus):
    response = Client().get(url(corpus["vpn"]))
    assert response.status_code == 200
    assert b"VPN disconnects every few minutes" in response.content
    corpus["vpn"].refresh_from_db()
    assert corpus["vpn"].view_count == 1
    # A wrong slug redirects to the right one.
    assert Client().get(f"/kb/{corpus['vpn'].id}-old/").url == url(corpus["vpn"])


def test_walled_articles_404_by_url(corpus, client_for, customer, other_customer):
    for name in ["internal", "acme", "globex", "draft"]:
        assert Client().get(f"/kb/{corpus[name].id}/").status_code == 404, name
    client = client_for(customer)
    assert client.get(url(corpus["acme"])).status_code == 200
    for name in ["internal", "globex", "draft"]:
        assert client.get(f"/kb/{corpus[name].id}/", follow=True).status_code == 404, name
    assert client_for(other_customer).get(url(corpus["acme"])).status_code == 404


def test_kb_home_search_and_faq(corpus):
    client = Client()
    client.get(url(corpus["printer"]))
    page = client.get("/kb/").content.decode()
    assert "Frequently asked questions" in page and "Printer shows paper jam" in page
    page = client.get("/kb/?q=vpn").content.decode()
    assert "VPN disconnects" in page
    assert "runbook" not in page and "Globex" not in page and "Acme VPN" not in page


def test_suggest_fragment(corpus, client_for, customer):
    page = Client().get("/kb/suggest/", {"subject": "vpn keeps", "description": "disconn"})
    text = page.content.decode()
    assert page.status_code == 200 and "VPN disconnects every few minutes" in text
    assert "runbook" not in text and "Acme VPN" not in text
    text = client_for(customer).get("/kb/suggest/", {"q": "vpn profile"}).content.decode()
    assert "Acme VPN profile download" in text
    assert "?from=suggest" in text


def test_vote_post_only_and_once(corpus):
    client = Client()
    article = corpus["toner"]
    assert client.get(f"/kb/{article.id}/vote/").status_code == 405
    client.post(f"/kb/{article.id}/vote/", {"helpful": "yes"})
    client.post(f"/kb/{article.id}/vote/", {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    article.refresh_from_db()
    assert article.helpful_count == 1 and Vote.objects.count() == 1
    assert client.post(f"/kb/{corpus['internal'].id}/vote/", {"helpful": "yes"}).status_code == 404


def test_opened_suggestion_then_leaving_is_a_deflection(corpus, client_for, customer):
    client = client_for(customer)
    client.get(url(corpus["vpn"]) + "?from=suggest")
    client.get(url(corpus["printer"]))  # not from a suggestion
    assert client.post("/kb/deflection/", {"q": "vpn drops"}).status_code == 204
    assert list(Deflection.objects.values_list("article_id", "user_id", "query")) == [
        (corpus["vpn"].id, customer.id, "vpn drops")
    ]
    client.post("/kb/deflection/")  # nothing opened since: nothing more counted
    assert Deflection.objects.count() == 1


def test_submitting_after_opening_is_not_a_deflection(corpus, client_for, customer, queue):
    client = client_for(customer)
    client.get(url(corpus["vpn"]) + "?from=suggest")
    response = client.post(
        "/requests/new/",
        {"subject": "VPN drops", "description": "Still broken", "priority": 2, "queue": queue.id},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        client.post("/kb/deflection/")
        assert Deflection.objects.count() == 0


def test_translation_from_browser_language(make_article, agent):
    from relaydesk.knowledge import services

    article = make_article("Printer jam", "<p>Open the tray.</p>")
    services.update_article(article, actor=agent, language="de", title="Papierstau", body="x")
    page = Client().get(f"/kb/{article.id}/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9", follow=True)
    assert "Papierstau" in page.content.decode()
    page = Client().get(f"/kb/{article.id}/", HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert "Printer jam" in page.content.decode()
    assert Article.objects.get(id=article.id).view_count == 2
