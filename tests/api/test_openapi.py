from django.test import Client

from tests.api.conftest import API

PATHS = [
    "/api/v1/tickets",
    "/api/v1/tickets/{number}",
    "/api/v1/tickets/{number}/escalate",
    "/api/v1/tickets/{number}/messages",
    "/api/v1/tickets/{number}/attachments",
    "/api/v1/tickets/{number}/events",
    "/api/v1/attachments/{attachment_id}",
    "/api/v1/me",
    "/api/v1/queues",
    "/api/v1/types",
]


def test_openapi_json_lists_every_path(db):
    response = Client().get(API + "/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(PATHS) <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/tickets/{number}"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/v1/tickets"]) == {"get", "post"}
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert any(s.get("in") == "cookie" for s in schemes.values())


def test_request_bodies_forbid_unknown_fields_in_the_schema(db):
    schema = Client().get(API + "/openapi.json").json()
    assert schema["components"]["schemas"]["TicketIn"]["additionalProperties"] is False


def test_docs_page_loads_without_a_cdn(db):
    response = Client().get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr.net" not in html
    assert "/api/v1/openapi.json" in html


def test_unknown_api_path_is_a_json_404(db):
    response = Client().get(API + "/nothing/here")
    assert response.status_code == 404
    assert "docs" in response.json()["detail"]
    response = Client().get(API + "/docs")  # real endpoints still win
    assert response.status_code == 200
