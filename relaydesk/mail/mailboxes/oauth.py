"""OAuth 2 for mailboxes (Microsoft 365, Google): refresh the access token, build XOAUTH2."""

import json
import urllib.parse
import urllib.request
from datetime import timedelta

from django.utils import timezone

from relaydesk.mail.models import Mailbox

EARLY = timedelta(seconds=60)  # refresh a minute before expiry, not in the middle of a poll


class OAuthError(Exception):
    pass


def access_token(mailbox: Mailbox, *, force: bool = False) -> str:
    """A valid access token for MAILBOX, refreshed from its token endpoint when needed."""
    now = timezone.now()
    fresh = mailbox.oauth_expires_at is not None and mailbox.oauth_expires_at - EARLY > now
    if mailbox.oauth_access_token and fresh and not force:
        return mailbox.oauth_access_token
    url = mailbox.oauth_token_url
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise OAuthError(f"{mailbox.name}: the OAuth token endpoint must be an http(s) URL")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": mailbox.oauth_refresh_token,
        "client_id": mailbox.oauth_client_id,
    }
    if mailbox.oauth_client_secret:
        form["client_secret"] = mailbox.oauth_client_secret
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = json.load(response)
    except (OSError, ValueError) as exc:
        raise OAuthError(f"{mailbox.name}: refreshing the OAuth token failed: {exc}") from exc
    token = body.get("access_token")
    if not token:
        raise OAuthError(f"{mailbox.name}: the token endpoint returned no access_token")
    mailbox.oauth_access_token = token
    mailbox.oauth_expires_at = now + timedelta(seconds=int(body.get("expires_in", 3600)))
    fields = ["oauth_access_token", "oauth_expires_at"]
    if body.get("refresh_token"):  # providers may rotate the refresh token
        mailbox.oauth_refresh_token = body["refresh_token"]
        fields.append("oauth_refresh_token")
    mailbox.save(update_fields=fields)
    return token


def xoauth2(user: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial response (imaplib base64-encodes it)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
