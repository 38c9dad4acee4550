"""Password reset by email, through the real pages: the sign-in page links to it, the answer
never tells whether an account exists, the mailed link works once and for an hour, the new
password must pass the validators, a reset lifts the sign-in lock, reset mails are limited per
address and per client, and a mail server outage is told, not hidden."""

import datetime
import re
import socket

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from relaydesk.accounts import throttle
from relaydesk.accounts.models import LoginFailure, PasswordResetRequest, User
from tests.factories import PASSWORD, UserFactory

RESET = "/password-reset/"
SENT = "/password-reset/sent/"
NEW_PASSWORD = "amber-lantern-93-quiet"
SAME_ANSWER = "If an account uses that address, we sent a link to it to set a new password."
NOT_SENT = "We could not send the email right now. Please try again in a few minutes."
LINK = re.compile(r"https?://[^/\s]+/password-reset/[^/\s]+/[^/\s]+/")


def ask(client: Client, email: str, ip: str = "127.0.0.1", **extra):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=ip, **extra)


def link_in(message) -> str:
    [link] = set(LINK.findall(message.body))
    return link


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def set_password(client: Client, link: str, password: str = NEW_PASSWORD, again: str | None = None):
    """Open LINK, then post the new password to the page it leads to."""
    opened = client.get(path_of(link))
    assert opened.status_code == 302  # Django moves the token out of the URL into the session
    form_url = opened["Location"]
    assert client.get(form_url).status_code == 200
    return client.post(
        form_url, {"new_password1": password, "new_password2": again or password}
    ), form_url


def signs_in(email: str, password: str) -> bool:
    response = Client().post("/login/", {"username": email, "password": password})
    return response.status_code == 302


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Keep:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_down(settings):
    """Outbound mail goes to a port on this machine where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return settings


# --- the way in ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_page_links_to_the_reset(client):
    body = client.get("/login/").content.decode()
    assert f'<a href="{RESET}">Forgot your password?</a>' in body
    assert '<a class="brand" href="/">Relaydesk</a>' in body  # not the host's name

    page = client.get(RESET)
    assert page.status_code == 200
    assert "portal/password_reset.html" in [t.name for t in page.templates]
    body = page.content.decode()
    assert '<label for="id_email">Email address' in body
    assert 'autocomplete="email"' in body


def test_defaults_are_an_hour_and_three_mails_an_hour(settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    assert settings.PASSWORD_RESET_MAIL_LIMIT == 3
    assert settings.PASSWORD_RESET_MAIL_IP_LIMIT == 20


# --- the whole flow -----------------------------------------------------------------------


def test_the_whole_flow_from_the_form_to_signing_in_with_the_new_password(client, customer):
    response = ask(client, "  Customer@ACME.test ")
    assert response.status_code == 302
    assert response["Location"] == SENT
    done = client.get(SENT)
    assert SAME_ANSWER in done.content.decode()
    assert "The link works once, for 1 hour." in done.content.decode()

    [message] = mail.outbox
    assert message.to == [customer.email]
    assert message.from_email == "support@relaydesk.localhost"  # DEFAULT_FROM_EMAIL
    assert message.subject == "Reset your Relaydesk password"
    assert message.body.startswith("Hello Cora Customer,")
    assert "The link works once, for 1 hour." in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    link = link_in(message)
    assert link.startswith("http://testserver/password-reset/")
    assert f'<a href="{link}">Set a new password</a>' in html
    assert "&lt;" not in message.body and "&amp;" not in message.body  # plain text, unescaped

    response, form_url = set_password(client, link)
    assert form_url.endswith("/set-password/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert "Your new password is set. Sign in with it now." in page

    assert not signs_in(customer.email, PASSWORD)
    assert signs_in(customer.email, NEW_PASSWORD)


def test_an_agent_resets_the_same_way_and_lands_in_the_desk(client, agent):
    ask(client, agent.email)
    [message] = mail.outbox
    set_password(client, link_in(message))
    response = Client().post("/login/", {"username": agent.email, "password": NEW_PASSWORD})
    assert response["Location"] == "/desk/"


def test_the_link_is_built_from_the_requests_host_and_scheme(client, customer, settings):
    ask(client, customer.email, HTTP_HOST="help.example.com", secure=True)
    assert link_in(mail.outbox[-1]).startswith("https://help.example.com/password-reset/")

    # Behind TLS (RELAYDESK_HTTPS) the link is https even when the proxy did not say so.
    settings.HTTPS = True
    ask(client, customer.email, HTTP_HOST="help.example.com")
    assert link_in(mail.outbox[-1]).startswith("https://help.example.com/")


def test_with_a_site_address_a_forged_host_cannot_redirect_the_link(client, customer, settings):
    settings.SITE_URL = "https://help.example.com"
    ask(client, customer.email, HTTP_HOST="attacker.example.net")
    link = link_in(mail.outbox[-1])
    assert link.startswith("https://help.example.com/password-reset/"), link
    assert "attacker" not in mail.outbox[-1].body

    settings.SITE_URL = "http://desk.internal:8000"  # the scheme is the address's too
    ask(client, customer.email, HTTP_HOST="attacker.example.net", secure=True)
    assert link_in(mail.outbox[-1]).startswith("http://desk.internal:8000/password-reset/")


def test_the_new_password_must_pass_the_validators_and_match(client, customer):
    ask(client, customer.email)
    link = link_in(mail.outbox[0])

    response, form_url = set_password(client, link, password="short")
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    response = client.post(
        form_url, {"new_password1": "password123", "new_password2": "password123"}
    )
    assert "This password is too common." in response.content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other-99"})
    assert "The two passwords differ." in response.content.decode()
    # Nothing changed yet. (Checked on the row: signing in would end the link, as Django's
    # token changes with the last sign-in.)
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert signs_in(customer.email, NEW_PASSWORD)


def test_a_reset_lifts_the_sign_in_lock_of_the_address(client, customer, org_colleague):
    for _ in range(10):
        Client().post("/login/", {"username": customer.email, "password": "wrong"})
    throttle.record_failure(org_colleague.email, None)
    assert throttle.lockout(customer.email, None) is not None
    assert not signs_in(customer.email, PASSWORD)  # locked, even with the right password

    ask(client, customer.email)
    set_password(client, link_in(mail.outbox[0]))

    assert throttle.lockout(customer.email, None) is None
    assert signs_in(customer.email, NEW_PASSWORD)
    assert LoginFailure.objects.filter(email=org_colleague.email).count() == 1  # not theirs


def test_a_customer_without_a_password_yet_can_set_one(client, org):
    # As an account created from an inbound mail or a logged call is.
    caller = User.objects.create_user("caller@acme.test", None, full_name="Cal Caller")
    assert not caller.has_usable_password()
    ask(client, "caller@acme.test")
    set_password(client, link_in(mail.outbox[0]))
    assert signs_in("caller@acme.test", NEW_PASSWORD)


# --- telling nothing ----------------------------------------------------------------------


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, customer):
    known = ask(client, customer.email)
    mail.outbox.clear()
    unknown = ask(Client(), "nobody@acme.test")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []
    assert PasswordResetRequest.objects.filter(email="nobody@acme.test").count() == 1  # counted


def test_an_inactive_account_gets_the_same_answer_and_no_mail(client, customer):
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    response = ask(client, customer.email)
    assert response["Location"] == SENT
    assert mail.outbox == []


def test_a_bad_address_is_a_form_error(client, db):
    response = ask(client, "not-an-address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


# --- the link -----------------------------------------------------------------------------


def test_a_used_link_does_not_work_again(client, customer):
    ask(client, customer.email)
    link = link_in(mail.outbox[0])
    set_password(client, link)

    other = Client()
    response = other.get(path_of(link))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This link no longer works" in body
    assert f'href="{RESET}"' in body
    assert "new_password1" not in body
    # Posting to it does nothing either.
    other.post(
        path_of(link), {"new_password1": "x-other-77-pass", "new_password2": "x-other-77-pass"}
    )
    assert signs_in(customer.email, NEW_PASSWORD)


def test_every_earlier_link_dies_with_the_reset(client, customer):
    ask(client, customer.email)
    ask(client, customer.email)
    first, second = (link_in(m) for m in mail.outbox)
    set_password(client, second)
    assert "This link no longer works" in Client().get(path_of(first)).content.decode()


class TokenMintedAgo(PasswordResetTokenGenerator):
    """Django's own tokens, minted as if MINUTES ago (the clock, not the check, is moved)."""

    def __init__(self, minutes: int):
        super().__init__()
        self.minutes = minutes

    def _now(self):
        return super()._now() - datetime.timedelta(minutes=self.minutes)


def link_minted_ago(user, minutes: int) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{RESET}{uid}/{TokenMintedAgo(minutes).make_token(user)}/"


def test_a_link_expires_after_an_hour_with_a_clear_page_and_a_way_to_ask_again(client, customer):
    fresh = client.get(link_minted_ago(customer, 59))
    assert fresh.status_code == 302  # still good

    response = Client().get(link_minted_ago(customer, 61))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This link no longer works" in body
    assert "works once, for 1 hour. This one has expired or has been used already." in body
    assert f'<a class="button" href="{RESET}">Email me a new link</a>' in body
    assert "portal/password_reset_confirm.html" in [t.name for t in response.templates]


def test_a_longer_lifetime_is_a_setting(client, customer, settings):
    settings.PASSWORD_RESET_TIMEOUT = 90 * 60
    assert client.get(link_minted_ago(customer, 61)).status_code == 302
    ask(Client(), customer.email)
    assert "The link works once, for 90 minutes." in mail.outbox[0].body


def test_a_link_of_a_disabled_account_stops_working(client, customer):
    ask(client, customer.email)
    link = link_in(mail.outbox[0])
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert "This link no longer works" in client.get(path_of(link)).content.decode()


def test_a_forged_link_is_refused(client, customer):
    uid = urlsafe_base64_encode(force_bytes(customer.pk))
    body = client.get(f"{RESET}{uid}/c4x1ab-0123456789abcdef0123456789abcdef/").content.decode()
    assert "This link no longer works" in body


# --- the limits ---------------------------------------------------------------------------


def age_requests(minutes: float) -> None:
    PasswordResetRequest.objects.update(
        requested_at=F("requested_at") - datetime.timedelta(minutes=minutes)
    )


def test_three_mails_an_hour_for_one_address_then_the_same_answer_and_no_mail(
    client, customer, org_colleague
):
    for _ in range(3):
        assert ask(client, customer.email)["Location"] == SENT
    assert len(mail.outbox) == 3

    limited = ask(client, customer.email.upper())
    assert limited.status_code == 302
    assert limited["Location"] == SENT
    assert SAME_ANSWER in client.get(SENT).content.decode()
    assert len(mail.outbox) == 3
    assert PasswordResetRequest.objects.filter(email=customer.email).count() == 3  # not counted

    ask(client, org_colleague.email)  # another address is not held back
    assert mail.outbox[-1].to == [org_colleague.email]

    age_requests(59)
    ask(client, customer.email)
    assert len(mail.outbox) == 4  # the first of the three is still within the hour
    age_requests(2)
    ask(client, customer.email)
    assert mail.outbox[-1].to == [customer.email]
    assert len(mail.outbox) == 5


def test_unknown_addresses_are_limited_alike(client, db):
    for _ in range(5):
        assert ask(client, "nobody@acme.test")["Location"] == SENT
    assert PasswordResetRequest.objects.filter(email="nobody@acme.test").count() == 3


def test_one_client_address_gets_twenty_mails_an_hour_across_addresses(client, db):
    users = UserFactory.create_batch(21)
    for user in users[:20]:
        ask(client, user.email, ip="203.0.113.7")
    assert len(mail.outbox) == 20
    assert ask(client, users[20].email, ip="203.0.113.7")["Location"] == SENT
    assert len(mail.outbox) == 20
    ask(client, users[20].email, ip="198.51.100.2")
    assert mail.outbox[-1].to == [users[20].email]


def test_a_limit_of_zero_turns_it_off(client, customer, settings):
    settings.PASSWORD_RESET_MAIL_LIMIT = 0
    for _ in range(5):
        ask(client, customer.email)
    assert len(mail.outbox) == 5


def test_pruning_drops_old_reset_requests(db):
    now = timezone.now()
    for hours in (0, 2, 23, 25):
        PasswordResetRequest.objects.create(
            email="a@acme.test", requested_at=now - datetime.timedelta(hours=hours)
        )
    assert throttle.prune(now=now) == 1
    assert PasswordResetRequest.objects.count() == 3


# --- the mail server ----------------------------------------------------------------------


def test_a_mail_server_outage_is_told_the_same_for_every_address_and_not_counted(
    client, customer, smtp_down
):
    known = ask(client, customer.email)
    unknown = ask(Client(), "nobody@acme.test")

    for response in (known, unknown):
        assert response.status_code == 200
        assert NOT_SENT in response.content.decode()
        assert "portal/password_reset.html" in [t.name for t in response.templates]
    assert not PasswordResetRequest.objects.exists()  # failed attempts use up no limit

    # The server comes back on that port: the next try sends the mail through it.
    from aiosmtpd.controller import Controller

    handler = _Keep()
    server = Controller(handler, hostname="127.0.0.1", port=smtp_down.EMAIL_PORT)
    server.start()
    try:
        response = ask(client, customer.email)
    finally:
        server.stop()
    assert response["Location"] == SENT
    [message] = handler.messages
    assert message["To"] == customer.email
    assert message["Subject"] == "Reset your Relaydesk password"
    assert message.get_body(("plain",)).get_content().startswith("Hello Cora Customer,")
    assert "Set a new password</a>" in message.get_body(("html",)).get_content()


class _Refuse:
    """An aiosmtpd handler that takes the connection but refuses every message for now."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return "451 4.3.0 Try again later"


def test_a_mail_the_server_refuses_is_told_too(client, customer, smtp_down):
    from aiosmtpd.controller import Controller

    server = Controller(_Refuse(), hostname="127.0.0.1", port=smtp_down.EMAIL_PORT)
    server.start()
    try:
        response = ask(client, customer.email)
    finally:
        server.stop()
    # Only an address with an account gets this far; a server that is reachable but refuses
    # mail is rare, and the person must not wait for a mail that never comes.
    assert response.status_code == 200
    assert NOT_SENT in response.content.decode()
    assert not PasswordResetRequest.objects.exists()
