"""A small fixed corpus, written for these tests, and helpers to build articles."""

import pytest

from relaydesk.knowledge import services
from relaydesk.knowledge.models import Article, Category

PUBLIC = Article.Visibility.PUBLIC
INTERNAL = Article.Visibility.INTERNAL
ORGANIZATION = Article.Visibility.ORGANIZATION
PUBLISHED = Article.Status.PUBLISHED


@pytest.fixture
def make_article(agent):
    def make(title, body="", *, status=PUBLISHED, visibility=PUBLIC, organizations=(), **kw):
        return services.create_article(
            actor=kw.pop("actor", agent),
            title=title,
            body=body or f"<p>{title}</p>",
            status=status,
            visibility=visibility,
            organizations=organizations,
            **kw,
        )

    return make


@pytest.fixture
def corpus(make_article, org, other_org):
    """Named articles: public ones on common problems, and walled ones that must not leak."""
    network = Category.objects.create(name="Network", slug="network")
    printing = Category.objects.create(name="Printing", slug="printing")
    a = {}
    a["vpn"] = make_article(
        "VPN disconnects every few minutes",
        "<p>If the VPN client drops the connection, update the client and switch to the "
        "wired network.</p>",
        category=network,
    )
    a["wifi"] = make_article(
        "Wi-Fi is slow in the office",
        "<p>Move closer to an access point. Some users report the VPN is slow too.</p>",
        category=network,
    )
    a["printer"] = make_article(
        "Printer shows paper jam",
        "<p>Open tray 2 and remove the jammed paper, then restart the printing queue.</p>",
        category=printing,
    )
    a["toner"] = make_article(
        "Replacing the toner cartridge",
        "<p>The printer needs new toner when pages come out faded.</p>",
        category=printing,
    )
    a["password"] = make_article(
        "Reset your password",
        "<p>Use the self-service page to choose a new password after it expired.</p>",
    )
    a["internal"] = make_article(
        "VPN server restart runbook",
        "<p>Internal: restart the vpn concentrator with the admin key.</p>",
        visibility=INTERNAL,
    )
    a["acme"] = make_article(
        "Acme VPN profile download",
        "<p>Acme staff download the VPN profile from the intranet.</p>",
        visibility=ORGANIZATION,
        organizations=[org],
    )
    a["globex"] = make_article(
        "Globex VPN token setup",
        "<p>Globex staff set up the VPN hardware token.</p>",
        visibility=ORGANIZATION,
        organizations=[other_org],
    )
    a["draft"] = make_article(
        "VPN draft notes", "<p>Not ready: vpn ideas.</p>", status=Article.Status.DRAFT
    )
    return a
