"""`relaydesk token create EMAIL` prints a token that the API accepts."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from relaydesk.accounts.models import ApiToken
from tests.api.conftest import API


def test_token_create_prints_a_working_token(agent):
    out, err = StringIO(), StringIO()
    call_command("token", "create", agent.email, "--name", "ci", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith(ApiToken.PREFIX)
    assert "shown once" in err.getvalue()
    token = ApiToken.objects.get(user=agent)
    assert token.name == "ci"
    assert token.key_hash == ApiToken.hash(key)
    assert key not in token.key_hash  # only the hash is stored

    response = Client().get(API + "/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["email"] == agent.email


def test_token_create_matches_email_case_insensitively(customer):
    out = StringIO()
    call_command("token", "create", customer.email.upper(), stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    response = Client().get(API + "/me", headers={"Authorization": f"Bearer {key}"})
    assert response.json()["email"] == customer.email


def test_token_create_for_unknown_email_fails(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "create", "nobody@example.test", stdout=StringIO())


def test_token_revoke_stops_the_token(customer):
    out = StringIO()
    call_command("token", "create", customer.email, stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    call_command("token", "revoke", customer.email, stdout=StringIO())
    response = Client().get(API + "/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
