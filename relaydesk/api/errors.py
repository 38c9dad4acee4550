"""Every error as JSON: {"detail": "...", "errors": {field: [messages]}}.

422 invalid input (from the request schema or from the services' ValidationError), 400 a bad
cursor, 401 no or bad credentials, 403 not allowed, 404 not there or not visible.
"""

import logging

from django.core import signals
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from relaydesk.core.pagination import BadCursor

logger = logging.getLogger(__name__)

# Where Ninja found a value (first item of an error's "loc"); the rest is the field path.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}
# Names of the schema-typed parameters of our operations: not part of the field path.
_PARAM_NAMES = {"payload", "params"}


def _schema_messages(error: dict) -> tuple[str, str]:
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        loc = loc[1:]
    if len(loc) > 1 and loc[0] in _PARAM_NAMES:
        loc = loc[1:]
    field = ".".join(loc) or NON_FIELD_ERRORS
    kind = error.get("type")
    if kind == "extra_forbidden":
        return field, _("Unknown field.")
    if kind == "missing":
        return field, _("This field is required.")
    return field, str(error.get("msg", _("Not valid.")))


def _invalid(api: NinjaAPI, request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    parts = [
        msg if field == NON_FIELD_ERRORS else f"{field}: {msg}"
        for field, messages in errors.items()
        for msg in messages
    ]
    detail = "; ".join(parts) if parts else _("The request is not valid.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(SchemaError)
    def schema_error(request, exc: SchemaError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            field, message = _schema_messages(error)
            errors.setdefault(field, []).append(message)
        return _invalid(api, request, errors)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        if hasattr(exc, "error_dict"):
            errors = {field: list(messages) for field, messages in exc.message_dict.items()}
        else:
            errors = {NON_FIELD_ERRORS: list(exc.messages)}
        return _invalid(api, request, errors)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc: PermissionDenied):
        detail = str(exc) or _("You are not allowed to do this.")
        return api.create_response(request, {"detail": detail}, status=403)

    @api.exception_handler(Http404)
    def not_found(request, exc: Http404):
        detail = str(exc) or _("Not found.")
        return api.create_response(request, {"detail": detail}, status=404)

    @api.exception_handler(BadCursor)
    def bad_cursor(request, exc: BadCursor):
        detail = _("The cursor is not valid (%(reason)s); start again without it.") % {
            "reason": exc
        }
        return api.create_response(request, {"detail": detail}, status=400)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):
        detail = exc.message
        if detail == "Unauthorized":  # Ninja's default, when no credentials were sent
            detail = _(
                "Authentication required: send `Authorization: Bearer <token>` "
                "(see `relaydesk token create EMAIL`) or sign in."
            )
        response = api.create_response(request, {"detail": detail}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="relaydesk"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        # Tell Django, as its own handler would: error reporting (and the test client,
        # which re-raises) still see the exception; the client gets JSON, not an HTML page.
        logger.exception("API error on %s %s", request.method, request.path)
        signals.got_request_exception.send(sender=None, request=request)
        return api.create_response(
            request, {"detail": _("Something went wrong on the server.")}, status=500
        )
