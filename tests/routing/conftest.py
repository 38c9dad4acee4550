import pytest

from relaydesk.routing.models import AssignmentRule
from relaydesk.routing.rules import VersionedCache


@pytest.fixture
def make_rule(db):
    """make_rule(name, conditions=[(field, op, value[, key])], actions=[(kind, value)], **kw)"""

    def make(name="rule", conditions=(), actions=(), **kw):
        rule = AssignmentRule.objects.create(name=name, **kw)
        for i, cond in enumerate(conditions):
            field, op, value, *key = cond
            rule.conditions.create(
                position=i, field=field, operator=op, value=value, key=key[0] if key else ""
            )
        for i, (kind, value) in enumerate(actions):
            rule.actions.create(position=i, kind=kind, value=value)
        return rule

    return make


@pytest.fixture(autouse=True)
def _fresh_rule_caches():
    """Each test's database starts with rule version 0 again: drop the compiled rules."""
    VersionedCache.clear_all()
    yield
    VersionedCache.clear_all()
