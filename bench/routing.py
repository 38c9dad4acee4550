"""How many tickets/second go through the full creation path with 200 active routing rules.

    python bench/routing.py [--tickets 2000] [--rules 200] [--data-dir DIR]

The full path: services.open_ticket (ticket, message, audit event, number sequence), the
synchronous subscribers (assignment rules, the queue's round-robin strategy, the SLA clock
in a business calendar) and the deferred ones enqueued in the database task queue on commit.
SQLite in a fresh data dir (default: a temporary one). Target: at least 500 tickets/s.
"""

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django  # noqa: E402


def seed(rules: int):
    from relaydesk.accounts.models import Queue, QueueMembership, User
    from relaydesk.routing.models import AssignmentRule, QueueStrategy
    from relaydesk.sla.models import BusinessCalendar, SlaPolicy

    queues = [Queue.objects.create(name=f"Queue {i}", slug=f"q{i}") for i in range(5)]
    for q in queues:
        QueueStrategy.objects.create(queue=q, strategy="round_robin")
        for a in range(4):
            agent = User.objects.create_user(f"agent{q.id}-{a}@bench.test", role="agent")
            QueueMembership.objects.create(user=agent, queue=q)
    customer = User.objects.create_user("customer@bench.test")
    cal = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Berlin", country="DE")
    for day in range(5):
        cal.hours.create(weekday=day, start=dt.time(8), end=dt.time(18))
    SlaPolicy.objects.create(
        name="Urgent", priority=4, calendar=cal, first_response_minutes=30, resolution_minutes=240
    )
    SlaPolicy.objects.create(
        name="Standard", calendar=cal, first_response_minutes=240, resolution_minutes=2400
    )
    rng = random.Random(7)
    # Every rule has two conditions on text, like real routing rules; each ticket below names
    # one rule's keyword, so it matches one rule (set queue, add tag) and is tested by all 200.
    fields = [("subject", "contains"), ("text", "any_word"), ("text", "regex")]
    for i in range(rules):
        rule = AssignmentRule.objects.create(name=f"rule {i}", position=i)
        field, op = fields[i % len(fields)]
        value = {
            "contains": f"product{i}",
            "any_word": f"code{i} sku{i}",
            "regex": rf"\bproduct{i}\b",
        }[op]
        rule.conditions.create(field=field, operator=op, value=value)
        rule.conditions.create(field="subject", operator="not_contains", value="ignore")
        rule.actions.create(kind="set_queue", value=f"q{rng.randrange(5)}")
        rule.actions.create(kind="add_tags", value=f"tag{i}")
    return customer, queues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--data-dir", default=None, help="default: a temporary directory")
    args = parser.parse_args()
    path = Path(args.data_dir or tempfile.mkdtemp(prefix="relaydesk-bench-routing-"))
    os.environ.setdefault("RELAYDESK_SECRET_KEY", "bench-secret-key-" + "x" * 40)
    setup_django(path)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from relaydesk.tickets import services

    customer, queues = seed(args.rules)
    words = [
        "printer",
        "vpn",
        "area0",
        "area1",
        "area2",
        "error 1004 again",
        "product17",
        "laptop",
        "password reset",
        "mailbox full",
    ]
    rng = random.Random(1)
    print(f"{args.rules} active rules; creating {args.tickets} tickets in {path} ...")
    started, cpu_started = time.perf_counter(), time.process_time()
    for n in range(args.tickets):
        services.open_ticket(
            actor=customer,
            requester=customer,
            subject=f"{rng.choice(words)} {rng.choice(words)} #{n}",
            body=f"Hello, {rng.choice(words)} does not work. code{n % 300}",
            channel="web",
            queue=rng.choice(queues),
            priority=4 if n % 10 == 0 else 2,
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    from relaydesk.routing.models import TicketTag
    from relaydesk.sla.models import TicketClock
    from relaydesk.tickets.models import Ticket

    routed = TicketTag.objects.values("ticket").distinct().count()
    print(
        f"tickets: {Ticket.objects.count()}, with SLA clock: {TicketClock.objects.count()}, "
        f"assigned: {Ticket.objects.exclude(assignee=None).count()}, tagged by a rule: {routed}"
    )
    rate = args.tickets / elapsed
    print(f"{rate:.0f} tickets/s ({elapsed * 1000 / args.tickets:.2f} ms each); target 500")
    # On a busy machine the wall clock counts other processes' turns too; this does not.
    print(
        f"CPU time of this process: {cpu * 1000 / args.tickets:.2f} ms/ticket"
        f" ({args.tickets / cpu:.0f} tickets/s of CPU)"
    )
    if not args.data_dir:
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
