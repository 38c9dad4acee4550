"""The account page (name and time zone) and password change, for customers and agents."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from relaydesk.accounts.models import User
from relaydesk.accounts.profile import update_profile
from relaydesk.tickets.models import Ticket
from tests.factories import PASSWORD

NEW_PASSWORD = "saffron-lighthouse-83-quartz"
# 2024-01-15 12:00 UTC is 21:00 in Tokyo (UTC+9, no daylight saving).
KNOWN_UTC = datetime.datetime(2024, 1, 15, 12, 0, tzinfo=datetime.UTC)
TOKYO_ISO = "2024-01-15T21:00:00+09:00"

ROLES = pytest.mark.parametrize("persona", ["customer", "agent"])


@pytest.fixture
def user(request, persona):
    return request.getfixturevalue(persona)


def ticket_url(user, ticket):
    if user.is_agent:
        return f"/desk/tickets/{ticket.number}/"
    return f"/requests/{ticket.number}/"


# --- profile ------------------------------------------------------------------------------


@ROLES
def test_account_page_shows_the_form_and_email(client_for, user):
    response = client_for(user).get("/account/")
    assert response.status_code == 200
    body = response.content.decode()
    assert user.email in body
    assert 'name="full_name"' in body
    assert '<label for="id_time_zone">' in body
    assert 'list="time-zone-names"' in body
    assert '<option value="Europe/Berlin">' in body
    assert 'name="email"' not in body  # shown, never editable
    assert 'href="/account/password/"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/account/", "/account/password/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@ROLES
def test_post_saves_name_and_time_zone(client_for, user):
    client = client_for(user)
    response = client.post(
        "/account/", {"full_name": "  Renamed Person ", "time_zone": "Asia/Tokyo"}, follow=True
    )
    assert response.redirect_chain == [("/account/", 302)]
    user.refresh_from_db()
    assert user.full_name == "Renamed Person"
    assert user.time_zone == "Asia/Tokyo"
    body = response.content.decode()
    assert "Your account settings are saved." in body
    assert "Renamed Person" in body  # the header shows the new name


@ROLES
def test_invalid_time_zone_is_refused_and_nothing_is_saved(client_for, user):
    before = (user.full_name, user.time_zone)
    response = client_for(user).post(
        "/account/", {"full_name": "Changed Name", "time_zone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mars/Olympus_Mons is not a known time zone." in body
    assert 'role="alert"' in body
    user.refresh_from_db()
    assert (user.full_name, user.time_zone) == before


@ROLES
def test_ticket_page_then_shows_times_in_the_new_zone(client_for, user, make_ticket):
    ticket = make_ticket(subject="Clock check")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=KNOWN_UTC)
    client = client_for(user)
    before = client.get(ticket_url(user, ticket)).content.decode()
    assert "2024-01-15T12:00:00+00:00" in before
    assert TOKYO_ISO not in before

    client.post("/account/", {"full_name": user.full_name, "time_zone": "Asia/Tokyo"})
    after = client.get(ticket_url(user, ticket)).content.decode()
    assert TOKYO_ISO in after


@ROLES
def test_account_link_is_in_the_header(client_for, user):
    home = "/desk/" if user.is_agent else "/requests/"
    body = client_for(user).get(home).content.decode()
    assert 'href="/account/"' in body


@ROLES
def test_profile_post_needs_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/account/", {"full_name": "Forged", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.full_name != "Forged"


def test_update_profile_saves_only_its_fields(customer):
    User.objects.filter(pk=customer.pk).update(tier=3)  # changed elsewhere meanwhile
    update_profile(customer, full_name="Only Name", time_zone="Europe/Berlin")
    customer.refresh_from_db()
    assert (customer.full_name, customer.time_zone, customer.tier) == (
        "Only Name", "Europe/Berlin", 3,
    )  # fmt: skip


def test_update_profile_refuses_bad_values_and_restores_the_object(customer):
    customer.full_name = "Kept"
    customer.save()
    with pytest.raises(ValidationError) as exc:
        update_profile(customer, full_name="x" * 201, time_zone="Nowhere/City")
    assert set(exc.value.message_dict) == {"full_name", "time_zone"}
    assert customer.full_name == "Kept"
    customer.refresh_from_db()
    assert customer.full_name == "Kept"


# --- password -----------------------------------------------------------------------------


@ROLES
def test_password_change_keeps_session_and_old_password_stops_working(client_for, user):
    client = client_for(user)
    assert client.get("/account/password/").status_code == 200
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/account/", 302)]
    assert "Your password has been changed." in response.content.decode()
    # Still signed in on this session.
    assert client.get("/account/").status_code == 200

    assert not Client().login(username=user.email, password=PASSWORD)
    assert Client().login(username=user.email, password=NEW_PASSWORD)
    fresh = Client()
    failed = fresh.post("/login/", {"username": user.email, "password": PASSWORD})
    assert failed.status_code == 200
    assert "_auth_user_id" not in fresh.session


@ROLES
def test_password_change_with_wrong_old_password_changes_nothing(client_for, user):
    response = client_for(user).post(
        "/account/password/",
        {"old_password": "wrong-one", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@ROLES
def test_password_change_needs_csrf(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
