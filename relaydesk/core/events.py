"""The domain event bus.

Services publish events (`ticket.created`, `message.posted`, ...) with a JSON-able payload.
Subscribers that must hold inside the writing transaction (routing on creation) are `sync`
and run at once; all others run in the task queue after commit, one task per subscriber, so
a slow or failing subscriber never slows down or breaks the change that caused it.

A deferred subscriber may name a cheap `applies(payload)` test: when it says no, no task is
queued for that event at all (a task that would return at once still costs a row and a
worker round-trip). It looks at the payload (and at most a per-process cache), never
queries the database, and runs inside the writing transaction.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Handler = Callable[[dict], None]
Applies = Callable[[dict], bool]


@dataclass(frozen=True)
class Subscriber:
    handler: Handler
    sync: bool
    applies: Applies | None = None

    @property
    def path(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(
    *event_names: str, sync: bool = False, applies: Applies | None = None
) -> Callable[[Handler], Handler]:
    """Register the decorated function for EVENT_NAMES (`"*"` for every event).

    APPLIES (deferred subscribers only): a test on the payload; no task is queued when it fails.
    """

    def register(handler: Handler) -> Handler:
        for name in event_names:
            subscriber = Subscriber(handler, sync, applies)
            if subscriber not in _subscribers[name]:
                _subscribers[name].append(subscriber)
        return handler

    return register


def subscribers_for(name: str) -> list[Subscriber]:
    return _subscribers.get(name, []) + _subscribers.get("*", [])


def publish(name: str, payload: dict) -> None:
    """Run sync subscribers now and enqueue the others once the transaction commits."""
    from relaydesk.core import tasks

    payload = {"event": name, **payload}
    subscribers = subscribers_for(name)
    # One batch for this event and all that its sync subscribers publish in turn (routing
    # assigns, the assignment is an event...): their tasks reach the queue in one INSERT.
    with tasks.batch():
        for sub in subscribers:
            if sub.sync:
                sub.handler(payload)
        deferred = [
            sub.path
            for sub in subscribers
            if not sub.sync and (sub.applies is None or sub.applies(payload))
        ]
        if deferred:
            # See tasks.enqueue_on_commit for when the tasks run and what a failure does.
            tasks.enqueue_on_commit((tasks.deliver_event, (path, payload)) for path in deferred)


def handler_by_path(path: str) -> Handler:
    for subs in _subscribers.values():
        for sub in subs:
            if sub.path == path:
                return sub.handler
    raise LookupError(f"no subscriber registered as {path}")
