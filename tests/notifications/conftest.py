import pytest

from relaydesk.routing.rules import VersionedCache


@pytest.fixture(autouse=True)
def _fresh_rule_caches():
    """Each test's database starts with rule version 0 again: drop the compiled rules."""
    VersionedCache.clear_all()
    yield
    VersionedCache.clear_all()
