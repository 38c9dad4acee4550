"""API clients for the shared personas: by bearer token, or by session with CSRF enforced."""

import json

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from relaydesk.accounts.models import ApiToken

API = "/api/v1"


class ApiClient:
    """A JSON client for /api/v1 that signs in one way or the other."""

    def __init__(self, client: Client, headers: dict | None = None):
        self.client = client
        self.headers = headers or {}

    def _send(self, method: str, path: str, data=None, **extra):
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if data is not None:
            kwargs.update(data=json.dumps(data), content_type="application/json")
        return getattr(self.client, method)(API + path, **kwargs)

    def get(self, path: str, params=None, **extra):
        return self.client.get(API + path, params or {}, headers=self.headers, **extra)

    def post(self, path: str, data=None, **extra):
        return self._send("post", path, data if data is not None else {}, **extra)

    def patch(self, path: str, data=None, **extra):
        return self._send("patch", path, data if data is not None else {}, **extra)

    def upload(self, path: str, files: list):
        return self.client.post(API + path, {"files": files}, headers=self.headers)


def bearer_client(user) -> ApiClient:
    _token, key = ApiToken.issue(user, "tests")
    return ApiClient(Client(), {"Authorization": f"Bearer {key}"})


def session_client(user) -> ApiClient:
    """Signed in by session, with CSRF checks on, sending the CSRF token as a browser would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return ApiClient(client, {"X-CSRFToken": token})


@pytest.fixture(params=["bearer", "session"])
def api_for(request):
    """api_for(user) -> ApiClient, once signed in by bearer token and once by session."""
    return bearer_client if request.param == "bearer" else session_client


@pytest.fixture
def bearer_for():
    return bearer_client


@pytest.fixture
def hardware(db):
    """A ticket type with a required choice, a number, a text and an internal field."""
    from relaydesk.tickets.models import CustomField, TypeField
    from tests.factories import CustomFieldFactory, TicketTypeFactory

    hardware = TicketTypeFactory(name="Hardware", slug="hardware")
    fields = [
        CustomFieldFactory(
            key="device", label="Device", kind=CustomField.Kind.CHOICE,
            choices="Laptop\nPrinter", required=True,
        ),
        CustomFieldFactory(key="units", label="Units", kind=CustomField.Kind.NUMBER),
        CustomFieldFactory(key="asset_tag", label="Asset tag"),
        CustomFieldFactory(
            key="root_cause", label="Root cause", kind=CustomField.Kind.CHOICE,
            choices="User error\nHardware fault", customer_visible=False,
        ),
    ]  # fmt: skip
    for position, field in enumerate(fields):
        TypeField.objects.create(ticket_type=hardware, field=field, position=position)
    return hardware
