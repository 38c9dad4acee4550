"""Who is calling: a bearer token (`Authorization: Bearer rd_...`) or the Django session.

Tokens are for scripts and integrations and need no CSRF token. The session is for the
same-origin pages of the desk and portal; because a browser sends the cookie on its own,
session requests that change state must carry the CSRF token (as Django forms do).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from relaydesk.accounts.models import ApiToken, User

# Recording every use would turn each read into a write; a minute is precise enough to
# tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


class BearerToken(HttpBearer):
    """An API token; a wrong, revoked or disabled user's token is refused with 401."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        token = token.strip()
        row = None
        if token.startswith(ApiToken.PREFIX):
            row = (
                ApiToken.objects.select_related("user")
                .filter(key_hash=ApiToken.hash(token))
                .first()
            )
        if row is None or not row.user.is_active:
            # Explicit credentials that fail must fail, not fall back to a session cookie.
            raise AuthenticationError(message=_("The API token is not valid or was revoked."))
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
            # The condition is repeated in SQL so that concurrent requests write at most once.
            ApiToken.objects.filter(pk=row.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
            ).update(last_used_at=now)
        request.user = row.user
        return row.user


class Session(APIKeyCookie):
    """The signed-in user of the desk or portal, with Django's CSRF check on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Unlike Ninja's SessionAuth, check CSRF only once a session user is found, so that
        # a request with no credentials at all gets 401 rather than a CSRF 403.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if not key or user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _(
                    "CSRF check failed: requests signed in by session must send the "
                    "X-CSRFToken header, or use a bearer token."
                ),
            )
        return user


bearer_token = BearerToken()
session = Session()
