"""SLA due times, the notification centre, availability and macros in the desk.

Every new view is tried as the agent of the queue, an agent of another queue, a customer
(403) and an anonymous visitor (login); lists keep a bounded number of queries; GET changes
nothing.
"""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from relaydesk.automation.models import Macro
from relaydesk.desk import due
from relaydesk.notifications import services as notifications
from relaydesk.notifications.models import Kind, Notification
from relaydesk.routing.models import AgentProfile
from relaydesk.routing.rules import VersionedCache
from relaydesk.sla.models import SlaPolicy, TicketClock
from relaydesk.tickets import services
from relaydesk.tickets.models import Message, Ticket

H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _fresh_rule_caches():
    """Each test's database starts with rule version 0 again: drop the compiled rules."""
    VersionedCache.clear_all()
    yield
    VersionedCache.clear_all()


@pytest.fixture
def policy(db):
    return SlaPolicy.objects.create(
        name="Standard", first_response_minutes=60, resolution_minutes=8 * 60, warning_minutes=15
    )


def body_of(response) -> str:
    return response.content.decode()


# --- SLA on the ticket page -------------------------------------------------------------------


def test_ticket_page_shows_due_times_on_track(client_for, agent, policy, ticket):
    body = body_of(client_for(agent).get(f"/desk/tickets/{ticket.number}/"))
    section = body.split('id="sla-heading"')[1].split("</section>")[0]
    assert "Policy: Standard" in section
    assert "First response due" in section and "Resolution due" in section
    clock = ticket.sla_clock
    assert f'datetime="{clock.response_due.isoformat()}"' in section
    assert section.count("sla-ok") == 3  # summary and both targets


def test_warning_colour_before_breach(client_for, agent, policy, ticket):
    TicketClock.objects.filter(ticket=ticket).update(
        response_warn_at=timezone.now() - dt.timedelta(minutes=1)
    )
    body = body_of(client_for(agent).get(f"/desk/tickets/{ticket.number}/"))
    assert 'class="sla-section sla-warning-section"' in body
    assert '<span class="badge sla-warning">Due soon</span>' in body


def test_breached_state(client_for, agent, policy, ticket):
    TicketClock.objects.filter(ticket=ticket).update(response_breached_at=timezone.now())
    body = body_of(client_for(agent).get(f"/desk/tickets/{ticket.number}/"))
    assert 'class="sla-section sla-breached-section"' in body
    assert '<span class="badge sla-breached">Breached</span>' in body


def test_paused_while_waiting_and_met_response(client_for, agent, policy, ticket):
    services.post_message(
        ticket, actor=agent, body="Which model?", channel="desk", new_status="waiting"
    )
    body = body_of(client_for(agent).get(f"/desk/tickets/{ticket.number}/"))
    assert "The clock is paused since" in body
    assert '<span class="badge sla-met">Met</span>' in body  # the reply was the first response
    assert '<span class="badge sla-paused">Paused</span>' in body


def test_no_policy_says_so(client_for, agent, ticket):
    body = body_of(client_for(agent).get(f"/desk/tickets/{ticket.number}/"))
    assert "No service level target applies to this ticket." in body


def test_target_state_rules():
    now = timezone.now()
    kw = dict(due=now + H, warn_at=now + H / 2, warned_at=None, breached_at=None, done_at=None)
    assert due._target_state(**kw, paused=False, now=now) == "ok"
    assert due._target_state(**kw, paused=False, now=now + H * 0.75) == "warning"
    assert due._target_state(**kw, paused=False, now=now + 2 * H) == "breached"
    assert due._target_state(**kw, paused=True, now=now + 2 * H) == "paused"
    assert due._target_state(**{**kw, "done_at": now}, paused=False, now=now) == "met"
    assert due._target_state(**{**kw, "done_at": now + 2 * H}, paused=False, now=now) == "late"


# --- SLA in the list, "due soonest" ---------------------------------------------------------


def test_list_shows_due_badge(client_for, agent, policy, ticket):
    body = body_of(client_for(agent).get("/desk/"))
    assert '<th scope="col">Due</th>' in body
    assert '<span class="badge sla-ok">On track</span>' in body
    assert f'datetime="{ticket.sla_clock.due_at.isoformat()}"' in body


@pytest.mark.parametrize("sort", ["", "&sort=due"])
def test_list_queries_do_not_grow_with_the_page(
    client_for, agent, policy, make_ticket, sort, django_assert_max_num_queries
):
    client = client_for(agent)
    for _ in range(3):
        make_ticket()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/desk/?view=open{sort}")
    for _ in range(30):
        make_ticket()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/desk/?view=open{sort}")
    assert body_of(response).count("badge sla-ok") == 33


def _set_due(ticket, when):
    TicketClock.objects.filter(ticket=ticket).update(due_at=when)


def test_due_soonest_orders_by_due_time_nulls_last(client_for, agent, policy, make_ticket):
    now = timezone.now()
    late, soon, middle = make_ticket(subject="late"), make_ticket(subject="soon"), make_ticket()
    _set_due(late, now + 5 * H)
    _set_due(soon, now + H)
    _set_due(middle, now + 2 * H)
    paused = make_ticket(subject="paused")
    services.post_message(paused, actor=agent, body="?", channel="desk", new_status="waiting")
    no_clock = make_ticket(subject="no clock")
    TicketClock.objects.filter(ticket=no_clock).delete()
    body = body_of(client_for(agent).get("/desk/?view=open&sort=due"))
    refs = re.findall(r"<td data-label=\"Number\"><a href=\"[^\"]+\">(RD-\d+)</a>", body)
    assert refs[:3] == [soon.reference, middle.reference, late.reference]
    assert set(refs[3:]) == {paused.reference, no_clock.reference}
    assert '<option value="due" selected>Due soonest</option>' in body


def test_due_soonest_pages_walk_every_ticket_once(client_for, agent, policy, make_ticket, settings):
    settings.PAGE_SIZE = 2
    now = timezone.now()
    running = [make_ticket(subject=f"run {i}") for i in range(3)]
    for i, t in enumerate(running):
        _set_due(t, now + (i + 1) * H)
    rest = [make_ticket(subject=f"rest {i}") for i in range(3)]
    for t in rest:
        services.post_message(t, actor=agent, body="?", channel="desk", new_status="waiting")
    client, url, seen = client_for(agent), "/desk/?view=open&sort=due", []
    for _ in range(10):
        body = body_of(client.get(url))
        seen += re.findall(r"<td data-label=\"Number\"><a href=\"[^\"]+\">(RD-\d+)</a>", body)
        match = re.search(r'href="([^"]+)"[^>]*rel="next"', body)
        if not match:
            break
        url = match.group(1).replace("&amp;", "&")
    assert seen[:3] == [t.reference for t in running]
    assert sorted(seen[3:]) == sorted(t.reference for t in rest)
    assert len(seen) == len(set(seen)) == 6


def test_due_soonest_exact_fit_page_links_to_the_rest(agent, policy, make_ticket):
    first = make_ticket()
    other = make_ticket()
    services.post_message(other, actor=agent, body="?", channel="desk", new_status="waiting")
    page = due.due_page(agent, None, None, 1)
    assert [t.id for t in page.items] == [first.id] and page.next_cursor == "n."
    page = due.due_page(agent, None, page.next_cursor, 1)
    assert [t.id for t in page.items] == [other.id] and page.next_cursor is None
    assert page.items[0].due.paused


def test_due_soonest_bad_cursor_is_400(client_for, agent):
    assert client_for(agent).get("/desk/?sort=due&cursor=x.abc").status_code == 400
    assert client_for(agent).get("/desk/?sort=due&cursor=d.%%%").status_code == 400


def test_due_soonest_only_visible_tickets(client_for, other_agent, policy, make_ticket):
    make_ticket(subject="Not for the network team")
    body = body_of(client_for(other_agent).get("/desk/?view=all&sort=due"))
    assert "Not for the network team" not in body


# --- notification centre ------------------------------------------------------------------


@pytest.fixture
def urgent_note(agent, make_ticket):
    ticket = make_ticket(subject="Server room flooded", priority=Ticket.Priority.URGENT)
    Notification.objects.filter(user=agent).delete()  # whatever the subscribers made
    return notifications.notify(
        [agent], Kind.URGENT, ticket, f"Urgent: {ticket.reference}", urgent=True
    )[0]


@pytest.fixture
def plain_note(agent, ticket):
    return notifications.notify([agent], Kind.ASSIGNED, ticket, "Assigned to you")[0]


def test_poll_counts_unread_and_carries_urgent_alerts(
    client_for, agent, urgent_note, plain_note, django_assert_max_num_queries
):
    client = client_for(agent)
    with django_assert_max_num_queries(4):
        response = client.get("/desk/notifications/poll/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert '<span class="count-badge">2<span class="visually-hidden"> unread</span>' in body_of(
        response
    )
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["relaydesk:urgent"]["alerts"] == [
        {"id": urgent_note.pk, "title": urgent_note.title, "url": urgent_note.url}
    ]
    assert urgent_note.url == f"/desk/tickets/{urgent_note.ticket.number}/"
    # GET never marks anything read
    assert Notification.objects.filter(user=agent, read_at__isnull=True).count() == 2


def test_poll_without_urgent_has_no_trigger(client_for, agent, plain_note):
    notifications.mark_read(agent, plain_note.pk)
    response = client_for(agent).get("/desk/notifications/poll/")
    assert "HX-Trigger" not in response
    assert "count-badge" not in body_of(response)


def test_other_agents_notifications_stay_private(client_for, other_agent, urgent_note):
    client = client_for(other_agent)
    response = client.get("/desk/notifications/poll/")
    assert "HX-Trigger" not in response and "count-badge" not in body_of(response)
    assert urgent_note.title not in body_of(client.get("/desk/notifications/"))
    client.post("/desk/notifications/read/", {"id": urgent_note.pk})
    urgent_note.refresh_from_db()
    assert urgent_note.read_at is None


def test_notification_page_lists_with_links(
    client_for, agent, urgent_note, plain_note, django_assert_max_num_queries
):
    client = client_for(agent)
    with django_assert_max_num_queries(8):
        response = client.get("/desk/notifications/")
    body = body_of(response)
    assert f'<a href="{urgent_note.url}">{urgent_note.title}</a>' in body
    assert "Assigned to you" in body and "2 unread" in body
    assert 'aria-current="page"' in body.split("notif-link")[1][:200]


def test_mark_one_then_all_read(client_for, agent, urgent_note, plain_note):
    client = client_for(agent)
    response = client.post("/desk/notifications/read/", {"id": urgent_note.pk})
    assert response.status_code == 302 and response["Location"] == "/desk/notifications/"
    urgent_note.refresh_from_db()
    plain_note.refresh_from_db()
    assert urgent_note.read_at is not None and plain_note.read_at is None
    assert "HX-Trigger" not in client.get("/desk/notifications/poll/")
    client.post("/desk/notifications/read/", {"next": "https://evil.test/"})
    plain_note.refresh_from_db()
    assert plain_note.read_at is not None


def test_mark_read_with_a_bad_id_marks_nothing(client_for, agent, plain_note):
    client_for(agent).post("/desk/notifications/read/", {"id": "x"})
    plain_note.refresh_from_db()
    assert plain_note.read_at is None


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/desk/notifications/"),
        ("get", "/desk/notifications/poll/"),
        ("post", "/desk/notifications/read/"),
        ("post", "/desk/availability/"),
    ],
)
def test_customers_get_403_and_anonymous_login(client, client_for, customer, method, url):
    assert getattr(client_for(customer), method)(url).status_code == 403
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_poll_stops_when_the_session_ends(client):
    response = client.get("/desk/notifications/poll/", headers={"HX-Request": "true"})
    assert response.status_code == 286 and not response.content


@pytest.mark.parametrize("url", ["/desk/notifications/read/", "/desk/availability/"])
def test_state_changing_views_refuse_get(client_for, agent, plain_note, url):
    assert client_for(agent).get(url).status_code == 405
    plain_note.refresh_from_db()
    assert plain_note.read_at is None
    assert not AgentProfile.objects.filter(user=agent, away=True).exists()


# --- availability ---------------------------------------------------------------------------


def test_agent_marks_itself_away_and_back(client_for, agent):
    client = client_for(agent)
    assert "Mark me away" in body_of(client.get("/desk/"))
    response = client.post("/desk/availability/", {"away": "1", "next": "/desk/?view=mine"})
    assert response.status_code == 302 and response["Location"] == "/desk/?view=mine"
    assert AgentProfile.objects.get(user=agent).away
    body = body_of(client.get("/desk/"))
    assert "I am available" in body and "You are marked away" in body
    response = client.post("/desk/availability/", {"away": "0", "next": "https://evil.test/"})
    assert response["Location"] == "/desk/"
    assert not AgentProfile.objects.get(user=agent).away


def test_away_is_per_agent(client_for, agent, other_agent):
    client_for(other_agent).post("/desk/availability/", {"away": "1"})
    assert not AgentProfile.objects.filter(user=agent, away=True).exists()
    assert AgentProfile.objects.get(user=other_agent).away


# --- macros ---------------------------------------------------------------------------------


@pytest.fixture
def macros(agent, other_agent):
    shared = Macro.objects.create(
        name="Ask for model", reply="Hello {requester}, which model is it?", new_status="waiting"
    )
    mine = Macro.objects.create(name="My note", owner=agent, reply="Noted.", internal=True)
    theirs = Macro.objects.create(name="Nina's own", owner=other_agent, reply="secret")
    return shared, mine, theirs


def test_ticket_page_offers_shared_and_own_macros(client_for, agent, ticket, macros):
    shared, mine, theirs = macros
    body = body_of(client_for(agent).get(f"/desk/tickets/{ticket.number}/"))
    select = body.split('id="macro_macro"')[1].split("</select>")[0]
    assert f'value="{shared.pk}"' in select and f'value="{mine.pk}"' in select
    assert f'value="{theirs.pk}"' not in select
    assert '<label for="macro_macro">Macro' in body


def test_apply_macro_lands_in_the_timeline(client_for, agent, ticket, macros):
    shared = macros[0]
    client = client_for(agent)
    response = client.post(f"/desk/tickets/{ticket.number}/macro/", {"macro": shared.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    reply = Message.objects.get(ticket=ticket, author=agent)
    assert reply.body_text == "Hello Cora Customer, which model is it?" and not reply.is_internal
    body = body_of(client.get(f"/desk/tickets/{ticket.number}/"))
    assert "Macro “Ask for model” applied." in body
    assert "Hello Cora Customer, which model is it?" in body


def test_someone_elses_macro_is_refused(client_for, agent, ticket, macros):
    theirs = macros[2]
    client = client_for(agent)
    client.post(f"/desk/tickets/{ticket.number}/macro/", {"macro": theirs.pk})
    assert not Message.objects.filter(ticket=ticket, author=agent).exists()
    body = body_of(client.get(f"/desk/tickets/{ticket.number}/"))
    assert "Select a valid choice" in body


def test_macro_naming_a_missing_queue_changes_nothing(client_for, agent, ticket, macros):
    shared = macros[0]
    shared.actions.create(kind="set_queue", value="no-such-queue")
    client = client_for(agent)
    client.post(f"/desk/tickets/{ticket.number}/macro/", {"macro": shared.pk})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW
    assert not Message.objects.filter(ticket=ticket, author=agent).exists()
    assert "no longer exists" in body_of(client.get(f"/desk/tickets/{ticket.number}/"))


def test_apply_macro_as_other_personas(client, client_for, other_agent, customer, ticket, macros):
    url = f"/desk/tickets/{ticket.number}/macro/"
    data = {"macro": macros[0].pk}
    assert client_for(other_agent).post(url, data).status_code == 404  # not their queue
    assert client_for(customer).post(url, data).status_code == 403
    response = client.post(url, data)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_for(customer).get(url).status_code == 403
    assert not Message.objects.filter(ticket=ticket).exclude(author=customer).exists()


def test_apply_macro_refuses_get(client_for, agent, ticket, macros):
    assert client_for(agent).get(f"/desk/tickets/{ticket.number}/macro/").status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


def test_pages_get_never_change_state(client_for, agent, policy, ticket, plain_note):
    before = (
        Ticket.objects.values().get(pk=ticket.pk),
        TicketClock.objects.values().get(ticket=ticket),
    )
    client = client_for(agent)
    for url in ("/desk/", "/desk/?sort=due", f"/desk/tickets/{ticket.number}/",
                "/desk/notifications/", "/desk/notifications/poll/"):  # fmt: skip
        assert client.get(url).status_code == 200
    after = (
        Ticket.objects.values().get(pk=ticket.pk),
        TicketClock.objects.values().get(ticket=ticket),
    )
    assert after == before
    plain_note.refresh_from_db()
    assert plain_note.read_at is None
    assert not AgentProfile.objects.filter(user=agent).exists()
