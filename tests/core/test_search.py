"""Full-text search of tickets: what finds a ticket, who it is found for, and that nothing a
user types can break the query."""

import pytest

from relaydesk.core import search
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket
from relaydesk.tickets.queries import search_tickets

DESK = Ticket.Channel.DESK


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the block's after-commit work (the search indexer) when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def printer(make_ticket, agent, indexed):
    with indexed():
        ticket = make_ticket(subject="Printer jams on the third floor", body="Paper everywhere")
        services.post_message(ticket, actor=agent, channel=DESK,
                              body="Replaced the fuser assembly")  # fmt: skip
        services.post_message(ticket, actor=agent, channel=DESK, internal=True,
                              body="Kerberos ticket expired on the print server")  # fmt: skip
    return ticket


@pytest.fixture
def vpn(make_ticket, indexed):
    with indexed():
        return make_ticket(subject="VPN drops every ten minutes", body="Since Monday")


def numbers(user, query, **kw) -> list[int]:
    return [t.number for t in search_tickets(user, query, **kw).items]


def test_finds_by_subject_word(printer, vpn, agent):
    assert numbers(agent, "printer") == [printer.number]
    assert numbers(agent, "vpn") == [vpn.number]


def test_finds_by_message_word(printer, agent):
    assert numbers(agent, "fuser") == [printer.number]
    assert numbers(agent, "everywhere") == [printer.number]  # the first message


def test_finds_by_prefix(printer, vpn, agent):
    assert numbers(agent, "prin") == [printer.number]
    assert numbers(agent, "min") == [vpn.number]


def test_every_word_must_match(printer, vpn, agent):
    assert numbers(agent, "printer floor") == [printer.number]
    assert numbers(agent, "printer monday") == []


@pytest.mark.parametrize("query", ["RD-{n}", "rd-{n}", "{n}", "  RD-{n} "])
def test_finds_by_reference(printer, vpn, agent, query):
    assert numbers(agent, query.format(n=printer.number)) == [printer.number]


def test_stemming(printer, agent):
    assert numbers(agent, "printers") == [printer.number]
    assert numbers(agent, "jamming") == [printer.number]
    assert numbers(agent, "replacing fusers") == [printer.number]


def test_customers_match_subjects_only(printer, customer, agent):
    # The internal note's word finds the ticket for agents, never for the customer.
    assert numbers(agent, "kerberos") == [printer.number]
    assert numbers(customer, "kerberos") == []
    # Public message words do not match for customers either; subject words do.
    assert numbers(customer, "fuser") == []
    assert numbers(customer, "printer") == [printer.number]
    assert numbers(customer, f"RD-{printer.number}") == [printer.number]


def test_results_are_permission_filtered(printer, other_customer, other_agent, supervisor,
                                         org_colleague):  # fmt: skip
    assert numbers(supervisor, "printer") == [printer.number]
    for outsider in (other_customer, other_agent, org_colleague):
        assert numbers(outsider, "printer") == []
        assert numbers(outsider, str(printer.number)) == []


def test_changes_are_reindexed(printer, agent, indexed):
    with indexed():
        services.update_ticket(printer, actor=agent, subject="Scanner is offline")
    assert numbers(agent, "scanner") == [printer.number]
    assert numbers(agent, "jams") == []
    with indexed():
        services.post_message(printer, actor=agent, channel=DESK, body="Ordered a new toner")
    assert numbers(agent, "toner") == [printer.number]


def test_search_pages_hold_every_match_once(make_ticket, agent, indexed):
    with indexed():
        made = [make_ticket(subject=f"Monitor flickers {i}") for i in range(7)]
    seen, cursor = [], None
    for _ in range(10):
        page = search_tickets(agent, "monitor", size=3, cursor=cursor)
        seen += [t.number for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted((t.number for t in made), reverse=True)


NASTY = [
    '"', '""', '"unbalanced', "printer\"", "'", "*", "**", "print*", "*printer", "^printer",
    "NEAR", "NEAR(printer jams)", "NEAR(printer jams, 2)", "printer NEAR jams", "(", ")",
    "(printer", "printer)", "-", "-printer", "printer -jams", "printer - jams", "AND", "OR",
    "NOT", "printer AND", "OR printer", "printer NOT jams", "subject:printer",
    "{subject}: printer", "body : x", "+", "printer+", "a\x00b", ":", "\\", "%", "_", "&|!",
    "printer:*", "", "   ", "é", "日本語", "x" * 300, "word " * 50,
]  # fmt: skip


@pytest.mark.parametrize("query", NASTY)
def test_search_syntax_in_the_input_never_errors(printer, agent, customer, query):
    for user in (agent, customer):
        page = search_tickets(user, query)
        assert isinstance(page.items, list)
    assert isinstance(search.matching_ticket_ids(query), list)


@pytest.mark.parametrize("query", ["printer)", "(printer", '"printer"', "printer*", "-printer",
                                   "printer:*", "printer!"])  # fmt: skip
def test_syntax_characters_are_ignored_not_obeyed(printer, agent, query):
    assert numbers(agent, query) == [printer.number]
