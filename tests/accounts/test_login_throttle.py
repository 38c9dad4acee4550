"""The sign-in throttle, through the real sign-in pages: ten wrong passwords lock an email
address (right password or not) until the window passes, fifty lock a client address, a
success clears, unknown addresses are treated the same, old rows are pruned, and an admin
sees the failures and can lift a lock."""

import datetime

import pytest
from django.contrib.auth.signals import user_login_failed
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from relaydesk.accounts import throttle
from relaydesk.accounts.models import LoginFailure
from relaydesk.accounts.tasks import prune_login_failures
from relaydesk.core import scheduler
from tests.factories import PASSWORD

LOGIN = "/login/"
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.2"


def sign_in(client: Client, email: str, password: str, ip: str = "127.0.0.1", url=LOGIN):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


def errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, email: str, times: int, ip: str = "127.0.0.1") -> None:
    for _ in range(times):
        response = sign_in(client, email, "wrong-password", ip)
        assert response.status_code == 200
        assert errors(response) == ["That email address and password do not match an account."]


def age_failures(minutes: float, **filters) -> None:
    """Move failures back in time instead of waiting."""
    LoginFailure.objects.filter(**filters).update(
        failed_at=F("failed_at") - datetime.timedelta(minutes=minutes)
    )


@pytest.fixture
def password_checks():
    """How many times Django checked a password and found it wrong."""
    seen = []

    def count(sender, credentials, request=None, **kwargs):
        seen.append(credentials.get("username"))

    user_login_failed.connect(count)
    yield seen
    user_login_failed.disconnect(count)


def test_defaults_are_ten_per_account_and_fifty_per_address_in_fifteen_minutes(settings):
    assert settings.LOGIN_FAILURE_LIMIT == 10
    assert settings.LOGIN_FAILURE_IP_LIMIT == 50
    assert settings.LOGIN_FAILURE_WINDOW_MINUTES == 15
    assert settings.TRUSTED_PROXIES == []


def test_ten_wrong_passwords_lock_the_account_even_against_the_right_one(
    client, customer, password_checks
):
    fail(client, customer.email, 10)
    assert LoginFailure.objects.filter(email=customer.email).count() == 10
    assert len(password_checks) == 10

    response = sign_in(client, customer.email, PASSWORD)

    assert response.status_code == 200
    assert not signed_in(client)
    [message] = errors(response)
    assert "Too many failed sign-ins for this email address." in message
    assert "Please wait 15 minutes and try again." in message
    assert "Forgot your password? Reset it by email from the sign-in page." in message
    assert "administrator" not in message
    assert message in response.content.decode().replace("&#x27;", "'")
    # Refused before the password was looked at, and not counted as one more failure.
    assert len(password_checks) == 10
    assert LoginFailure.objects.filter(email=customer.email).count() == 10


def test_nine_wrong_passwords_do_not_lock(client, customer):
    fail(client, customer.email, 9)
    response = sign_in(client, customer.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_email_is_counted_whatever_its_case(client, customer):
    fail(client, customer.email.upper(), 10)
    response = sign_in(client, customer.email, PASSWORD)
    assert "Too many failed sign-ins" in errors(response)[0]


def test_the_lock_counts_down_and_ends_with_the_window(client, customer):
    fail(client, customer.email, 10)

    age_failures(14)
    response = sign_in(client, customer.email, PASSWORD)
    assert "Please wait 1 minute and try again." in errors(response)[0]
    assert not signed_in(client)

    age_failures(1)  # the oldest failure of the ten now leaves the window
    response = sign_in(client, customer.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    assert not LoginFailure.objects.filter(email=customer.email).exists()


def test_the_window_slides_with_the_most_recent_failures(client, customer):
    fail(client, customer.email, 5)
    age_failures(10)
    fail(client, customer.email, 5)  # ten in the window: locked until the first five age out
    response = sign_in(client, customer.email, PASSWORD)
    assert "Please wait 5 minutes" in errors(response)[0]

    age_failures(5)  # the first five are 15 minutes old, the last five 5
    response = sign_in(client, customer.email, "still-wrong")
    assert errors(response) == ["That email address and password do not match an account."]


def test_a_successful_sign_in_clears_the_accounts_failures(client, customer):
    fail(client, customer.email, 9)
    assert sign_in(client, customer.email, PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(email=customer.email).exists()

    other = Client()
    fail(other, customer.email, 9)  # 18 in the window had the success not cleared them
    assert sign_in(other, customer.email, PASSWORD).status_code == 302


def test_a_success_clears_only_its_own_accounts_failures(client, customer, org_colleague):
    fail(client, org_colleague.email, 3)
    assert sign_in(client, customer.email, PASSWORD).status_code == 302
    assert LoginFailure.objects.filter(email=org_colleague.email).count() == 3


def test_an_unknown_email_is_locked_the_same_way(client, customer, password_checks):
    unknown = "nobody@acme.test"
    fail(client, unknown, 10)
    fail(client, customer.email, 10)

    for_unknown = sign_in(client, unknown, "anything")
    for_known = sign_in(client, customer.email, "anything")

    assert for_unknown.status_code == for_known.status_code == 200
    assert errors(for_unknown) == errors(for_known)
    assert "Too many failed sign-ins for this email address." in errors(for_unknown)[0]
    assert len(password_checks) == 20
    assert LoginFailure.objects.filter(email=unknown).count() == 10


def test_fifty_failures_from_one_address_lock_it_for_every_account(client, customer):
    # Five tries at each of ten addresses: no account reaches its own limit.
    for n in range(10):
        fail(client, f"guess{n}@acme.test", 5, ip=ATTACKER)

    response = sign_in(client, customer.email, PASSWORD, ip=ATTACKER)
    [message] = errors(response)
    assert "Too many failed sign-ins from your network." in message
    assert "Please wait 15 minutes" in message
    assert not signed_in(client)

    # The same account from elsewhere is not affected.
    response = sign_in(Client(), customer.email, PASSWORD, ip=ELSEWHERE)
    assert response.status_code == 302


def test_forty_nine_failures_from_one_address_do_not_lock_it(client, customer):
    for n in range(7):
        fail(client, f"guess{n}@acme.test", 7, ip=ATTACKER)
    assert sign_in(client, customer.email, PASSWORD, ip=ATTACKER).status_code == 302


def test_the_address_lock_ends_with_the_window(client, customer):
    for n in range(10):
        fail(client, f"guess{n}@acme.test", 5, ip=ATTACKER)
    age_failures(15, ip_address=ATTACKER)
    assert sign_in(client, customer.email, PASSWORD, ip=ATTACKER).status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(client, customer):
    for n in range(50):
        client.post(
            LOGIN,
            {"username": f"guess{n}@acme.test", "password": "x"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    response = client.post(
        LOGIN,
        {"username": customer.email, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert "from your network" in errors(response)[0]


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(client, customer, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16"]
    client.post(
        LOGIN,
        {"username": customer.email, "password": "x"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {ATTACKER}, 10.1.2.3",
    )
    assert list(LoginFailure.objects.values_list("ip_address", flat=True)) == [ATTACKER]


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", "", [], "203.0.113.7"),
        ("203.0.113.7", "1.2.3.4", [], "203.0.113.7"),  # no proxy trusted: header ignored
        ("127.0.0.1", "1.2.3.4", ["10.0.0.0/8"], "127.0.0.1"),  # not from a trusted proxy
        ("127.0.0.1", "1.2.3.4", ["127.0.0.1"], "1.2.3.4"),
        ("127.0.0.1", "9.9.9.9, 1.2.3.4", ["127.0.0.1"], "1.2.3.4"),  # left part is the client's
        ("127.0.0.1", "1.2.3.4, 10.0.0.5", ["127.0.0.1", "10.0.0.0/8"], "1.2.3.4"),
        ("127.0.0.1", "10.0.0.5", ["127.0.0.1", "10.0.0.0/8"], "10.0.0.5"),  # all proxies
        ("127.0.0.1", "junk", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("::ffff:203.0.113.7", "", [], "203.0.113.7"),
        ("2001:db8::1", "", [], "2001:db8::1"),
        ("", "1.2.3.4", ["127.0.0.1"], None),
    ],
)
def test_client_ip(settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_ip(request) == expected


def test_a_sign_in_without_a_password_or_a_valid_email_is_not_counted(client, db):
    sign_in(client, "not-an-email", "wrong")
    sign_in(client, "someone@acme.test", "")
    assert not LoginFailure.objects.exists()


def test_a_limit_of_zero_turns_that_limit_off(client, customer, settings):
    settings.LOGIN_FAILURE_LIMIT = 0
    fail(client, customer.email, 12)
    assert sign_in(client, customer.email, PASSWORD).status_code == 302


def test_the_admin_sign_in_page_is_throttled_too(client, admin_user, password_checks):
    url = reverse("admin:login")
    for _ in range(10):
        response = sign_in(client, admin_user.email, "wrong", url=url)
        assert response.status_code == 200
    response = sign_in(client, admin_user.email, PASSWORD, url=url)
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert not signed_in(client)
    assert len(password_checks) == 10


# --- pruning ------------------------------------------------------------------------------


def test_pruning_keeps_a_day_of_failures(db):
    now = timezone.now()
    for hours in (0, 1, 23, 25, 100):
        throttle.record_failure("a@acme.test", ATTACKER, now=now - datetime.timedelta(hours=hours))

    assert throttle.prune(now=now) == 2
    ages = sorted(
        round((now - at).total_seconds() / 3600)
        for at in LoginFailure.objects.values_list("failed_at", flat=True)
    )
    assert ages == [0, 1, 23]


def test_pruning_never_drops_failures_the_window_still_counts(db, settings):
    settings.LOGIN_FAILURE_KEEP_HOURS = 0
    now = timezone.now()
    throttle.record_failure("a@acme.test", None, now=now - datetime.timedelta(minutes=14))
    throttle.record_failure("a@acme.test", None, now=now - datetime.timedelta(minutes=16))
    assert throttle.prune(now=now) == 1
    assert LoginFailure.objects.count() == 1


def test_the_scheduler_prunes_every_hour(db):
    [job] = [job for job in scheduler.jobs() if job.name == "prune-login-failures"]
    assert job.every_seconds == 3600
    old = timezone.now() - datetime.timedelta(days=2)
    throttle.record_failure("a@acme.test", ATTACKER, now=old)
    throttle.record_failure("a@acme.test", ATTACKER)

    prune_login_failures.enqueue()  # the tests' task backend runs it at once

    assert LoginFailure.objects.count() == 1


# --- the admin ----------------------------------------------------------------------------


def test_an_admin_sees_the_failures_read_only_and_deleting_them_lifts_the_lock(
    client, customer, admin_user, client_for
):
    fail(client, customer.email, 10, ip=ATTACKER)
    admin = client_for(admin_user)
    changelist = reverse("admin:accounts_loginfailure_changelist")

    response = admin.get(changelist, {"q": customer.email})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count(ATTACKER) >= 10
    assert admin.get(reverse("admin:accounts_loginfailure_add")).status_code == 403
    row = LoginFailure.objects.first()
    change_url = reverse("admin:accounts_loginfailure_change", args=[row.pk])
    assert admin.get(change_url).status_code == 200
    admin.post(change_url, {"email": "changed@acme.test", "ip_address": "1.1.1.1"})
    row.refresh_from_db()
    assert (row.email, row.ip_address) == (customer.email, ATTACKER)

    ids = list(LoginFailure.objects.filter(email=customer.email).values_list("pk", flat=True))
    response = admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not LoginFailure.objects.exists()
    assert sign_in(client, customer.email, PASSWORD).status_code == 302


def test_only_admins_see_the_failures(client_for, agent, db):
    response = client_for(agent).get(reverse("admin:accounts_loginfailure_changelist"))
    assert response.status_code == 302  # to the admin's sign-in page
