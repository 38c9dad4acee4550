"""Errors are JSON with a message a client can show."""

import pytest
from django.test import Client

from relaydesk.accounts.models import ApiToken
from relaydesk.tickets import queries
from tests.api.conftest import API


def test_server_error_is_json_and_still_reported(customer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(queries, "list_tickets", broken)
    _token, key = ApiToken.issue(customer)
    headers = {"Authorization": f"Bearer {key}"}
    response = Client(raise_request_exception=False).get(API + "/tickets", headers=headers)
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on the server."}
    # Django's got_request_exception fired: the default test client re-raises it.
    with pytest.raises(RuntimeError, match="on fire"):
        Client().get(API + "/tickets", headers=headers)


def test_malformed_json_is_400(customer):
    _token, key = ApiToken.issue(customer)
    response = Client().post(
        API + "/tickets",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "method, path, allowed", [("delete", "/tickets", "GET, POST"), ("put", "/me", "GET")]
)
def test_a_method_the_endpoint_does_not_take_is_a_json_405(customer, method, path, allowed):
    _token, key = ApiToken.issue(customer)
    response = getattr(Client(), method)(API + path, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 405
    sent = response["Allow"]
    assert set(sent.split(", ")) == set(allowed.split(", "))
    assert response.json() == {
        "detail": f"{method.upper()} is not allowed here; this endpoint takes {sent}."
    }


def test_outside_the_api_a_405_stays_as_django_makes_it(client_for, customer, ticket):
    response = client_for(customer).get(f"/requests/{ticket.number}/reply/")
    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")
