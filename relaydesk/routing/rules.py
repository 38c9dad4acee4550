"""The condition / action vocabulary shared by assignment rules, triggers and macros.

Rules are compiled once into plain Python predicates and cached per process; the cache is
dropped whenever an admin edits a rule anywhere (a version counter in the database, bumped
by signals), so evaluating 200 rules for a new ticket costs one small query.
"""

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models.signals import post_delete, post_save

from relaydesk.core.models import Sequence, next_value
from relaydesk.routing.models import ConditionBase
from relaydesk.tickets.models import Message, Ticket

logger = logging.getLogger(__name__)

F = ConditionBase.Field
Op = ConditionBase.Operator


# --- facts about a ticket ----------------------------------------------------------------


@dataclass
class Facts:
    """What conditions look at. Built once per ticket per event, lower-cased for matching."""

    ticket: Ticket
    message: Message | None = None
    extra: dict = field(default_factory=dict)

    @cached_property
    def values(self) -> dict:
        t = self.ticket
        sender = (t.requester.email if t.requester_id else "").lower()
        body = (self.message.body_text if self.message else "").lower()
        subject = t.subject.lower()
        return {
            F.SUBJECT: subject,
            F.BODY: body,
            F.TEXT: f"{subject}\n{body}",
            F.TYPE: t.ticket_type.slug if t.ticket_type_id else "",
            F.PRIORITY: t.priority,
            F.CHANNEL: t.channel,
            F.STATUS: t.status,
            F.QUEUE: t.queue.slug if t.queue_id else "",
            F.TIER: t.tier,
            F.SENDER: sender,
            F.SENDER_DOMAIN: sender.rpartition("@")[2],
        }

    @cached_property
    def organization(self) -> str:
        # Apart from the others: a rule that never looks at it costs no query for it.
        t = self.ticket
        return t.organization.name.lower() if t.organization_id else ""

    @cached_property
    def tags(self) -> set[str]:
        return set(self.ticket.tags.values_list("name", flat=True))

    def get(self, name: str, key: str = ""):
        if name == F.CUSTOM:
            value = (self.ticket.custom or {}).get(key)
            if isinstance(value, list):
                return [str(v).lower() for v in value]
            return "" if value is None else str(value).lower()
        if name == F.TAG:
            return sorted(self.tags)
        if name == F.ORGANIZATION:
            return self.organization
        return self.values[name]


Predicate = Callable[[Facts], bool]
NUMERIC = {F.PRIORITY, F.TIER}


def _split(value: str) -> list[str]:
    return [v.strip().lower() for v in value.split(",") if v.strip()]


def _tester(name: str, key: str, test: Callable[[str], bool]) -> Predicate:
    """A predicate applying TEST to field NAME: straight to the value for the plain text
    fields (200 rules x every new ticket: the common case is kept to one call)."""
    if name in (F.CUSTOM, F.TAG):
        return lambda f: _any(f.get(name, key), test)
    if name == F.ORGANIZATION:
        return lambda f: test(f.organization)
    return lambda f: test(f.values[name])


def compile_condition(cond: ConditionBase) -> Predicate:
    """Turn one condition row into a predicate; a broken one never matches (and is logged)."""
    name, key, op, raw = cond.field, cond.key, cond.operator, cond.value or ""
    value = raw.strip().lower()
    plain = name not in (F.CUSTOM, F.TAG, F.ORGANIZATION)
    try:
        if name in NUMERIC:
            return _numeric(name, op, raw)
        if op == Op.REGEX:
            search = re.compile(raw, re.IGNORECASE).search
            if plain:
                return lambda f: search(f.values[name]) is not None
            return _tester(name, key, lambda v: search(v) is not None)
        if op == Op.ANY_WORD:
            words = [w for w in re.split(r"[\s,]+", value) if w]
            if not words:
                return lambda f: False
            search = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b").search
            if plain:
                return lambda f: search(f.values[name]) is not None
            return _tester(name, key, lambda v: search(v) is not None)
        if op == Op.CONTAINS:
            if plain:
                return lambda f: value in f.values[name]
            return _tester(name, key, lambda v: value in v)
        if op == Op.NOT_CONTAINS:
            if plain:
                return lambda f: value not in f.values[name]
            contains = _tester(name, key, lambda v: value in v)
            return lambda f: not contains(f)
        if op == Op.EQUALS:
            return _tester(name, key, lambda v: v == value)
        if op == Op.NOT_EQUALS:
            equals = _tester(name, key, lambda v: v == value)
            return lambda f: not equals(f)
        if op == Op.ONE_OF:
            options = set(_split(raw))
            return _tester(name, key, lambda v: v in options)
    except (re.error, ValueError) as exc:
        logger.warning("condition %s is broken (%s); it never matches", cond.pk, exc)
        return lambda f: False
    logger.warning(
        "operator %s does not apply to %s; condition %s never matches", op, name, cond.pk
    )
    return lambda f: False


def _any(value, test) -> bool:
    if isinstance(value, list):
        return any(test(v) for v in value)
    return test(value)


def _numeric(name: str, op: str, raw: str) -> Predicate:
    if op == Op.ONE_OF:
        options = {int(v) for v in _split(raw)}
        return lambda f: f.get(name) in options
    number = int(raw)
    tests = {
        Op.EQUALS: lambda v: v == number,
        Op.NOT_EQUALS: lambda v: v != number,
        Op.AT_LEAST: lambda v: v >= number,
        Op.AT_MOST: lambda v: v <= number,
    }
    if op not in tests:
        raise ValueError(f"{op} needs text")
    test = tests[op]
    return lambda f: test(f.get(name))


def validate_condition(cond: ConditionBase) -> str | None:
    """A message for the admin when the condition cannot work, else None."""
    if cond.field in NUMERIC:
        try:
            _numeric(cond.field, cond.operator, cond.value or "")
        except ValueError:
            return "Use a whole number and one of: is, is not, is one of, at least, at most."
    elif cond.operator in (Op.AT_LEAST, Op.AT_MOST):
        return "At least / at most only apply to priority and tier."
    if cond.operator == Op.REGEX:
        try:
            re.compile(cond.value or "")
        except re.error as exc:
            return f"Not a valid regular expression: {exc}"
    if cond.field == F.CUSTOM and not cond.key:
        return "Name the custom field's key."
    return None


@dataclass
class CompiledRule:
    id: int
    name: str
    match_all: bool
    predicates: list[Predicate]
    actions: list  # ActionBase rows, applied in order
    stop: bool = False
    extra: dict = field(default_factory=dict)

    def matches(self, facts: Facts) -> bool:
        if not self.predicates:
            return True
        if self.match_all:
            for predicate in self.predicates:
                if not predicate(facts):
                    return False
            return True
        for predicate in self.predicates:
            if predicate(facts):
                return True
        return False


# --- a cache dropped when rules change anywhere -------------------------------------------


class VersionedCache:
    """Holds LOAD()'s result until the counter VERSION_NAME moves (bumped on rule edits)."""

    instances: list["VersionedCache"] = []
    RECHECK_SECONDS = 1.0

    def __init__(self, version_name: str, load: Callable[[], object]):
        VersionedCache.instances.append(self)
        self.version_name = version_name
        self.load = load
        self._version: int | None = None
        self._checked_at = 0.0
        self._value = None

    def current_version(self) -> int:
        row = Sequence.objects.filter(name=self.version_name).values_list("value", flat=True)
        return row[0] if row else 0

    def clear(self) -> None:
        self._version = self._value = None
        self._checked_at = 0.0

    @classmethod
    def clear_all(cls) -> None:
        """Forget every cache (tests roll the version counter back with the database)."""
        for cache in cls.instances:
            cache.clear()

    def get(self):
        # Edits in this process clear the cache at once (signals); edits made by another
        # process are noticed within RECHECK_SECONDS, saving a query per ticket under load.
        now = time.monotonic()
        if self._value is not None and now - self._checked_at < self.RECHECK_SECONDS:
            return self._value
        version = self.current_version()
        self._checked_at = now
        if version != self._version or self._value is None:
            self._value = self.load()
            self._version = version
        return self._value

    def bump(self) -> None:
        """Tell every process that the cached value is out of date (and drop it here)."""
        next_value(self.version_name)
        self.clear()

    def invalidate_on_change_of(self, *models) -> None:
        def bump(**kwargs):
            self.bump()

        for model in models:
            post_save.connect(
                bump,
                sender=model,
                weak=False,
                dispatch_uid=f"{self.version_name}-save-{model._meta.label}",
            )
            post_delete.connect(
                bump,
                sender=model,
                weak=False,
                dispatch_uid=f"{self.version_name}-delete-{model._meta.label}",
            )
