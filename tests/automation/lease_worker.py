"""One scheduler worker process for the exactly-once test (run as a script, not collected).

    python tests/automation/lease_worker.py seed  TICKETS
    python tests/automation/lease_worker.py race  START_EPOCH SLOTS

The database comes from the environment (DATABASE_URL, else RELAYDESK_DATA_DIR's SQLite).
`race` waits until START_EPOCH so both workers hit every slot at the same moment, then for
each slot claims the lease and, when it wins, runs the scheduled rules; it prints JSON.
"""

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydesk.settings")

import django  # noqa: E402

django.setup()

from relaydesk.automation.leases import run_once_per_slot  # noqa: E402
from relaydesk.automation.services import run_scheduled_rules  # noqa: E402


def seed(count: int) -> None:
    from relaydesk.accounts.models import Queue, User
    from relaydesk.automation.models import ScheduledRule
    from relaydesk.tickets import services
    from relaydesk.tickets.models import Ticket

    queue = Queue.objects.create(name="Lease", slug="lease")
    customer = User.objects.create_user("lease@example.test", "x")
    for i in range(count):
        ticket = services.open_ticket(
            actor=customer,
            requester=customer,
            subject=f"t{i}",
            body="b",
            channel="web",
            queue=queue,
        )
        ten_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
        Ticket.objects.filter(id=ticket.id).update(status="waiting", updated_at=ten_days_ago)
    ScheduledRule.objects.create(
        name="remind", status="waiting", after_hours=72, action="add_note", value="Reminder sent"
    )


def race(start: float, slots: int) -> None:
    while time.time() < start:
        time.sleep(0.005)
    won, acted = [], 0
    for slot in range(slots):
        now = dt.datetime.fromtimestamp(int(start) + slot, dt.UTC)
        result = run_once_per_slot("lease-test", 1, lambda n=now: run_scheduled_rules(n), now=now)
        if result is not None:
            won.append(slot)
            acted += result
    print(json.dumps({"won": won, "acted": acted, "pid": os.getpid()}))


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]))
    else:
        race(float(sys.argv[2]), int(sys.argv[3]))
