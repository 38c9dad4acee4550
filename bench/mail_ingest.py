"""Throughput of inbound mail: N generated messages through `relaydesk mail ingest`'s code path.

    .venv/bin/python bench/mail_ingest.py [-n 2000] [--data-dir DIR]

Mix: 55% plain new tickets, 15% HTML-only, 10% with a 40 kB attachment, 20% replies threaded
by In-Reply-To. Prints messages/s over the run and the p95 (ms) of plain messages. Runs on a
fresh SQLite database in a temporary directory (tasks go to the database queue, as in
production). Targets: >= 400 messages/s, plain p95 <= 5 ms.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import setup_django, vocabulary  # noqa: E402


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n))


def generate(n: int, seed: int = 7) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    words = vocabulary(tail=2000)
    messages, sent_ids, senders = [], [], {}
    attachment = bytes(rng.getrandbits(8) for _ in range(40_000))
    for i in range(n):
        kind = rng.choices(["plain", "html", "attachment", "reply"], [55, 15, 10, 20])[0]
        if kind == "reply" and not sent_ids:
            kind = "plain"
        msg = EmailMessage()
        sender = f"User {i % 300} <user{i % 300}@customer{i % 17}.bench>"
        if kind == "reply":
            # The requester answers in the thread (a stranger's "reply" opens a new ticket).
            replied_to = rng.choice(sent_ids)
            sender = senders[replied_to]
        msg["From"] = sender
        msg["To"] = "support@relaydesk.bench"
        msg["Message-ID"] = f"<bench-{i}@customer.bench>"
        msg["Date"] = "Tue, 04 Jun 2024 10:00:00 +0000"
        body = "\n\n".join(sentence(rng, words, rng.randint(20, 60)) for _ in range(3))
        if kind == "reply":
            msg["Subject"] = "Re: " + sentence(rng, words, 5)
            msg["In-Reply-To"] = replied_to
            msg.set_content(body + "\n\nOn Monday, support wrote:\n> earlier text\n")
        elif kind == "html":
            msg["Subject"] = sentence(rng, words, 6)
            msg.set_content(f"<html><body><p>{body}</p><p><b>bold</b></p></body></html>",
                            subtype="html")  # fmt: skip
        else:
            msg["Subject"] = sentence(rng, words, 6)
            msg.set_content(body)
            if kind == "attachment":
                msg.add_attachment(attachment, maintype="application", subtype="octet-stream",
                                   filename=f"log-{i}.bin")  # fmt: skip
        if kind != "reply":
            sent_ids.append(msg["Message-ID"])
            senders[msg["Message-ID"]] = sender
        messages.append((kind, msg.as_bytes()))
    return messages


def wal_resets(data_dir: Path) -> int:
    """How often SQLite has started its write-ahead log afresh, each time after a checkpoint
    (the "checkpoint sequence number" of the log's header)."""
    try:
        with open(data_dir / "relaydesk.sqlite3-wal", "rb") as wal:
            header = wal.read(16)
    except FileNotFoundError:
        return 0
    return int.from_bytes(header[12:16], "big") if len(header) == 16 else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--data-dir", help="Where the throw-away database goes (default: temp).")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="relaydesk-mailbench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    from relaydesk.accounts.models import Queue
    from relaydesk.mail.ingest import ingest
    from relaydesk.mail.models import InboundMail, Mailbox

    call_command("migrate", verbosity=0)
    settings.MAIL_RATE_LIMIT = 10**6  # the bench's few senders are not a mail storm
    queue, _ = Queue.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "email": "support@relaydesk.bench"}
    )
    mailbox, _ = Mailbox.objects.get_or_create(name="bench", defaults={"queue": queue})
    messages = generate(args.n)
    # Time spent inside the tickets write path (and its synchronous subscribers: routing,
    # SLA, ...) is measured apart, so the email channel's own share is visible.
    from relaydesk.tickets import services

    in_write_path = [0.0, 0.0]  # wall clock, CPU time of this process

    def timed(function):
        def wrapper(*a, **kw):
            t0, cpu0 = time.perf_counter(), time.process_time()
            try:
                return function(*a, **kw)
            finally:
                in_write_path[0] += time.perf_counter() - t0
                in_write_path[1] += time.process_time() - cpu0

        return wrapper

    services.open_ticket = timed(services.open_ticket)
    services.post_message = timed(services.post_message)
    for _kind, raw in generate(50, seed=99):  # warm up caches and the database
        ingest(raw.replace(b"bench-", b"warmup-"), mailbox=mailbox)
    timings: dict[str, list[float]] = {}
    in_write_path[:] = [0.0, 0.0]
    checkpoints_before = wal_resets(data_dir)
    start, cpu_start = time.perf_counter(), time.process_time()
    for kind, raw in messages:
        t0 = time.perf_counter()
        ingest(raw, mailbox=mailbox)
        timings.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    checkpoints = wal_resets(data_dir) - checkpoints_before
    statuses = dict(
        InboundMail.objects.filter(mail_id__startswith="<bench-").values_list("status")
        .order_by().annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
    )  # fmt: skip
    plain = sorted(timings.get("plain", [0]))
    p95 = plain[max(0, int(len(plain) * 0.95) - 1)]
    print(
        f"messages: {len(messages)} in {elapsed:.2f} s -> {len(messages) / elapsed:.0f} messages/s"
    )
    # On a busy machine the wall clock counts other processes' turns too; this does not.
    print(
        f"CPU time of this process: {cpu * 1000 / len(messages):.2f} ms/message"
        f" ({len(messages) / cpu:.0f} messages/s of CPU)"
    )
    print(f"plain p95: {p95:.2f} ms (median {statistics.median(plain):.2f} ms)")
    for kind, values in sorted(timings.items()):
        values.sort()
        print(f"  {kind:<10} n={len(values):<5} median {statistics.median(values):6.2f} ms  "
              f"p95 {values[max(0, int(len(values) * 0.95) - 1)]:6.2f} ms")  # fmt: skip
    own = elapsed - in_write_path[0]
    write_path_ms = in_write_path[0] / len(messages) * 1000
    print(
        f"tickets write path (services + sync subscribers): {write_path_ms:.2f} ms/message;"
        f" email channel's own share: {own / len(messages) * 1000:.2f} ms/message"
        f" ({len(messages) / own:.0f} messages/s)"
    )
    # The same split in CPU time, which other processes on a busy machine do not inflate.
    print(
        f"  in CPU time: write path {in_write_path[1] / len(messages) * 1000:.2f} ms/message;"
        f" email channel's own share {(cpu - in_write_path[1]) / len(messages) * 1000:.2f}"
        " ms/message"
    )
    # The commit that takes SQLite's write-ahead log past 1,000 pages copies it back into the
    # database file first: that message is slow, and when more than 5% of messages are, the
    # p95 is such a message.
    every = f" (one per {len(messages) / checkpoints:.0f} messages)" if checkpoints else ""
    print(f"WAL checkpoints during the run: {checkpoints}{every}")
    print(f"statuses: {statuses}")
    bench_mail = InboundMail.objects.filter(mail_id__startswith="<bench-")
    print(
        f"new tickets: {bench_mail.filter(created_ticket=True).count()}, replies threaded into "
        f"their ticket: {bench_mail.filter(created_ticket=False, ticket__isnull=False).count()}"
    )
    print(f"targets: >= 400 messages/s, plain p95 <= 5 ms (data in {data_dir})")


if __name__ == "__main__":
    main()
