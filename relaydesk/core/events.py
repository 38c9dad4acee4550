"""The domain event bus.

Services publish events (`ticket.created`, `message.posted`, ...) with a JSON-able payload.
Subscribers that must hold inside the writing transaction (routing on creation) are `sync`
and run at once; all others run in the task queue after commit, one task per subscriber, so
a slow or failing subscriber never slows down or breaks the change that caused it.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[[dict], None]


@dataclass(frozen=True)
class Subscriber:
    handler: Handler
    sync: bool

    @property
    def path(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(*event_names: str, sync: bool = False) -> Callable[[Handler], Handler]:
    """Register the decorated function for EVENT_NAMES (`"*"` for every event)."""

    def register(handler: Handler) -> Handler:
        for name in event_names:
            subscriber = Subscriber(handler, sync)
            if subscriber not in _subscribers[name]:
                _subscribers[name].append(subscriber)
        return handler

    return register


def subscribers_for(name: str) -> list[Subscriber]:
    return _subscribers.get(name, []) + _subscribers.get("*", [])


def publish(name: str, payload: dict) -> None:
    """Run sync subscribers now and enqueue the others once the transaction commits."""
    payload = {"event": name, **payload}
    for sub in subscribers_for(name):
        if sub.sync:
            sub.handler(payload)
    deferred = [sub.path for sub in subscribers_for(name) if not sub.sync]
    if deferred:
        # robust: the change is committed by now; a queue that cannot take the task must not
        # turn a saved change into an error page (and a resubmitted, duplicate ticket).
        transaction.on_commit(lambda: _enqueue(name, deferred, payload), robust=True)


def _enqueue(name: str, paths: list[str], payload: dict) -> None:
    from relaydesk.core.tasks import deliver_event

    for path in paths:
        deliver_event.enqueue(path, payload)


def handler_by_path(path: str) -> Handler:
    for subs in _subscribers.values():
        for sub in subs:
            if sub.path == path:
                return sub.handler
    raise LookupError(f"no subscriber registered as {path}")
