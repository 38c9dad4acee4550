"""Bearer tokens and sessions: who gets in, and CSRF for sessions only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relaydesk.accounts.models import ApiToken
from tests.api.conftest import API, ApiClient, bearer_client, session_client


def test_no_credentials_is_401_with_a_hint(db):
    response = Client().get(API + "/tickets")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer rd_not-a-real-token", "Bearer nonsense", "Bearer ", "bearer rd_x"],
)
def test_bad_token_is_401(customer, header):
    response = Client().get(API + "/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower() or "Bearer" in response.json()["detail"]


def test_bad_token_does_not_fall_back_to_the_session(customer):
    client = Client()
    client.force_login(customer)
    response = client.get(API + "/me", headers={"Authorization": "Bearer rd_wrong"})
    assert response.status_code == 401


def test_inactive_users_token_is_401(customer):
    api = bearer_client(customer)
    assert api.get("/me").status_code == 200
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    response = api.get("/me")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_401(customer):
    api = bearer_client(customer)
    ApiToken.objects.filter(user=customer).delete()
    assert api.get("/me").status_code == 401


def test_token_identifies_its_user(agent):
    response = bearer_client(agent).get("/me")
    assert response.status_code == 200
    assert response.json()["email"] == agent.email


def _token_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "apitoken" in q["sql"]]


def test_last_used_at_is_written_at_most_once_a_minute(customer):
    token, key = ApiToken.issue(customer)
    api = ApiClient(Client(), {"Authorization": f"Bearer {key}"})
    assert api.get("/me").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    # Within the minute: no write.
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/me").status_code == 200
    assert _token_writes(queries.captured_queries) == []
    token.refresh_from_db()
    assert token.last_used_at == first

    # A minute later it is recorded again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/me").status_code == 200
    assert len(_token_writes(queries.captured_queries)) == 1
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)
    assert token.last_used_at <= timezone.now()


def test_session_write_without_csrf_token_is_403(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    response = client.post(
        API + "/tickets",
        {"subject": "Printer", "body": "It jams."},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_write_with_csrf_token_works(customer, queue):
    response = session_client(customer).post("/tickets", {"subject": "Printer", "body": "Jams."})
    assert response.status_code == 201, response.content


def test_session_read_needs_no_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    assert client.get(API + "/me").status_code == 200


def test_bearer_write_needs_no_csrf_token(customer, queue):
    _token, key = ApiToken.issue(customer)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        API + "/tickets",
        {"subject": "Printer", "body": "It jams."},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.content


def test_inactive_session_user_is_401(customer):
    client = Client()
    client.force_login(customer)
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert client.get(API + "/me").status_code == 401
