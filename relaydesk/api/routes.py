"""The REST API, mounted at /api/v1/: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Every operation needs a bearer token or a signed-in session (see api/auth.py).
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router

from relaydesk.api import catalog, errors, tickets
from relaydesk.api.auth import bearer_token, session

api = NinjaAPI(
    title="Relaydesk API",
    version="1",
    description=(
        "Tickets, conversations and the audit trail of Relaydesk. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `relaydesk token create EMAIL`), "
        "or with the session of the desk or portal (then send the CSRF token on writes). "
        'Errors are JSON: `{"detail": "...", "errors": {field: [messages]}}`.'
    ),
    auth=[bearer_token, session],
    urls_namespace="api",
)
errors.install(api)
api.add_router("", tickets.router)
api.add_router("", catalog.router)

fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request, rest: str):
    # Mounted last: any other path under /api/v1/ gets a JSON 404, not an HTML page.
    raise Http404(_("There is no such API endpoint: see /api/v1/docs."))


api.add_router("", fallback)
