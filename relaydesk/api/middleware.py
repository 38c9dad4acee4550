"""JSON for the one API error Ninja answers in plain text."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class JsonMethodNotAllowedMiddleware:
    """A known API path asked with a method it does not take gets Ninja's plain-text 405;
    clients get JSON as for every other error, with the Allow header kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            detail = _("%(method)s is not allowed here; this endpoint takes %(allowed)s.") % {
                "method": request.method,
                "allowed": allowed or _("no method"),
            }
            response = JsonResponse({"detail": detail}, status=405)
            response["Allow"] = allowed
        return response
