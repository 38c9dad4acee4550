"""Test settings: the real settings with a throw-away data dir and tasks run in-process."""

import os
import tempfile

os.environ.setdefault("RELAYDESK_DATA_DIR", tempfile.mkdtemp(prefix="relaydesk-test-"))
os.environ.setdefault("RELAYDESK_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("RELAYDESK_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("RELAYDESK_DEBUG", "0")

from relaydesk.settings import *  # noqa: E402,F403
from relaydesk.settings import DATABASES, STORAGES  # noqa: E402

DATABASES["default"].pop("TEST", None)  # in-memory SQLite, one per test process
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
