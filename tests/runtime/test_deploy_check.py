"""Behind TLS the settings pass `relaydesk check --deploy` cleanly; on plain http (a laptop,
`make run`) users can still log in."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD, UserFactory

REPO = Path(__file__).resolve().parents[2]


def relaydesk_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real deployment: none of the test settings' variables."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RELAYDESK_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(DJANGO_SETTINGS_MODULE="relaydesk.settings", RELAYDESK_DATA_DIR=str(data_dir))
    env.update(extra)
    return env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def https_env(tmp_path):
    return relaydesk_env(
        tmp_path,
        RELAYDESK_HTTPS="1",
        RELAYDESK_DEBUG="0",
        RELAYDESK_SECRET_KEY=secrets.token_urlsafe(64),
        RELAYDESK_URL="https://help.example.test",
    )


def test_deploy_check_passes_behind_tls(https_env):
    result = run_cli(https_env, "check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output
    assert "WARNING" not in output.upper() and "security.W" not in output


def test_without_a_site_address_any_host_is_a_warning(https_env):
    """Password reset links would follow a forged Host header: the check says so, and either
    the site's address or a list of allowed hosts settles it."""
    del https_env["RELAYDESK_URL"]
    result = run_cli(https_env, "check", "--deploy")
    output = result.stdout + result.stderr
    assert "relaydesk.W001" in output, output
    https_env["RELAYDESK_ALLOWED_HOSTS"] = "help.example.test"
    result = run_cli(https_env, "check", "--deploy")
    assert "relaydesk.W001" not in result.stdout + result.stderr


def test_a_malformed_site_address_stops_the_start_with_a_message(https_env):
    https_env["RELAYDESK_URL"] = "help.example.test/desk"
    result = run_cli(https_env, "check")
    assert result.returncode != 0
    assert "RELAYDESK_URL must look like https://help.example.com" in result.stderr


def test_tls_settings_are_what_the_check_relies_on(https_env):
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    result = run_cli(https_env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "False"]


def test_without_tls_the_check_warns_about_exactly_the_tls_settings(tmp_path):
    """The check is real: the same command without RELAYDESK_HTTPS names what is missing."""
    env = relaydesk_env(tmp_path, RELAYDESK_SECRET_KEY=secrets.token_urlsafe(64))
    result = run_cli(env, "check", "--deploy")
    output = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output, output
    assert "security.W009" not in output  # the secret key is strong


def test_plain_http_login_works_without_tls(client, settings, db):
    """The test settings are the no-TLS defaults: a login over http sets a usable cookie."""
    assert settings.SESSION_COOKIE_SECURE is False
    assert getattr(settings, "SECURE_SSL_REDIRECT", False) is False
    staff = UserFactory(email="ops@example.test", is_staff=True, is_superuser=True)
    page = client.get("/admin/login/")
    assert page.status_code == 200
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": staff.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    assert response["Location"] == "/admin/"
    cookie = response.cookies["sessionid"]
    assert not cookie["secure"]
    assert cookie["httponly"]
    assert client.get("/admin/").status_code == 200
