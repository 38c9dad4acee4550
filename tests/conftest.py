"""Shared personas: every view and service is tried as each of them.

customer / org_colleague / org_manager belong to `org`; other_customer to `other_org`.
agent works `queue`; other_agent works `other_queue`; supervisor and admin see everything.
"""

import os

import pytest
from django.test import Client

from relaydesk.accounts.models import User
from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket
from tests.factories import (
    AgentFactory,
    OrganizationFactory,
    QueueFactory,
    UserFactory,
)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run in the PostgreSQL pass (DATABASE_URL set), those marked
    `sqlite` in the SQLite pass.

    The others are deselected, not skipped: `.ci/run` runs the suite on both databases.
    """
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    other = "sqlite" if on_postgres else "postgres"
    deselected = [item for item in items if other in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if other not in item.keywords]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped on PostgreSQL, an end to the
    sessions still open on it: the browser tests' live server answers each keep-alive
    connection in a thread of its own, and one still waiting holds a database session, so
    dropping the database failed with "being accessed by other users"."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process caches (rules, agent pools, SLA policies) key on version counters that
    each test's rolled-back database resets: start every test without them."""
    from relaydesk.routing.rules import VersionedCache

    VersionedCache.clear_all()
    yield
    VersionedCache.clear_all()


@pytest.fixture
def queue(db):
    return QueueFactory(name="IT Support", slug="it-support")


@pytest.fixture
def other_queue(db):
    return QueueFactory(name="Network", slug="network")


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme", domains="acme.test")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Globex", domains="globex.test")


@pytest.fixture
def customer(org):
    return UserFactory(email="customer@acme.test", full_name="Cora Customer", organization=org)


@pytest.fixture
def org_colleague(org):
    return UserFactory(email="colleague@acme.test", organization=org)


@pytest.fixture
def org_manager(org):
    return UserFactory(email="manager@acme.test", organization=org, is_org_manager=True)


@pytest.fixture
def other_customer(other_org):
    return UserFactory(email="other@globex.test", organization=other_org)


@pytest.fixture
def agent(queue):
    return AgentFactory(email="agent@desk.test", full_name="Andy Agent", queues=[queue])


@pytest.fixture
def other_agent(other_queue):
    return AgentFactory(email="netagent@desk.test", full_name="Nina Net", queues=[other_queue])


@pytest.fixture
def supervisor(db):
    return UserFactory(email="super@desk.test", role=User.Role.SUPERVISOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(
        email="admin@desk.test", role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def make_ticket(queue, customer):
    """Open a ticket through the write path, as its requester on the portal by default."""

    def make(requester=None, *, queue_=None, subject="Printer is broken", body="It jams.", **kw):
        requester = requester or customer
        return services.open_ticket(
            actor=kw.pop("actor", requester),
            requester=requester,
            subject=subject,
            body=body,
            channel=kw.pop("channel", Ticket.Channel.WEB),
            queue=queue_ or queue,
            **kw,
        )

    return make


@pytest.fixture
def ticket(make_ticket):
    return make_ticket()


@pytest.fixture
def client_for():
    """A test client signed in as USER."""

    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login
