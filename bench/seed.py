"""Bulk-generate a realistic Relaydesk database for benchmarks.

    .venv/bin/python bench/seed.py --tickets 1000000 [--data-dir var/bench] [--jobs 1]

Makes a fresh SQLite database in the data dir (default var/bench; migrated by Django), then
fills it: 6 queues, 50 agents in tiers 1-3 with queue memberships, a supervisor and an admin,
2,000 customers in 50 organizations, 8 ticket types, and N tickets spread over two years, each
with 3 messages (public replies and internal notes), its audit events and its full-text index
entry. Every seeded user has the password in bench/_common.py, so bench/desk.py can sign in.

This deliberately bypasses relaydesk.tickets.services (the one write path of the application):
a benchmark seed needs a million tickets in minutes, which only raw `executemany` in big
batches with the journal off and the secondary indexes dropped can give. The rows written are
the ones the services would write (statuses, timestamps, events, search documents).
"""

import argparse
import collections
import itertools
import json
import multiprocessing
import random
import re
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    AGENT_EMAIL,
    DB_NAME,
    MANIFEST,
    PASSWORD,
    data_dir,
    setup_django,
    vocabulary,
)

DAY = 86400
YEARS = 2
CHUNK = 5000  # tickets generated and inserted per batch
SENTENCE_POOL = 250_000
SUBJECT_POOL = 100_000
ZIPF = 1.15  # word frequency ~ 1 / rank^ZIPF: a few very common words, a long rare tail

QUEUES = [  # name, slug, share of the tickets
    ("IT Support", "it-support", 34),
    ("Network", "network", 16),
    ("Applications", "applications", 20),
    ("Access & Accounts", "access", 15),
    ("Facilities", "facilities", 7),
    ("Billing", "billing", 8),
]
TYPES = ["Hardware", "Software", "Network", "Access", "Email", "Printing", "Account", "Other"]
FIRST = """Anna Ben Carla David Emma Felix Grace Hugo Ines Jonas Kira Liam Mia Noah Olga Paul
Rosa Sam Tara Umar Vera Wim Yara Zoe Aaron Bella Caleb Dana Eli Fiona Gus Hana Ivan Jade Karl
Lena Marco Nina Oscar Petra Quinn Rita Stefan Tina Uwe Vince Wanda Xavi Yusuf Zeno""".split()
LAST = """Adams Berg Costa Diaz Eriksen Fischer Garcia Hansen Ito Jansen Kowalski Larsen Moreau
Nguyen Olsen Petrov Quint Rossi Schmidt Tanaka Urban Vogel Weber Xu Young Zimmer Novak Silva
Meyer Dubois Kim Chen Patel Singh Okafor Mensah Haddad Cohen Ivanova Lopez""".split()
ORG_A = """Acme Globex Initech Umbrella Stark Wayne Tyrell Cyberdyne Soylent Hooli Vandelay
Wonka Oscorp Massive Gringotts Aperture Monarch Virtucon Kiwi Northwind""".split()
ORG_B = ["Logistics", "Health", "Bank", "Foods", "Labs", "Retail", "Energy", "Media"]
OBJECTS = """laptop printer VPN Outlook Teams Excel monitor docking station Wi-Fi phone
password account mailbox calendar shared drive SharePoint OneDrive ERP CRM payroll
badge reader scanner headset webcam keyboard license invoice payment contract portal
browser certificate firewall server database report dashboard backup MFA token""".split()
PROBLEMS = [
    "not working",
    "very slow",
    "keeps crashing",
    "cannot connect",
    "access denied",
    "error after update",
    "needs replacing",
    "stopped syncing",
    "asks for password again",
    "request for new",
    "locked out",
    "shows a blank screen",
    "charged twice",
    "missing since yesterday",
    "intermittent failures",
    "setup for new starter",
    "cannot print",
    "disconnects every few minutes",
    "will not start",
    "question about",
]
GREETINGS = ["Hello,", "Hi team,", "Good morning,", "Hi,", "Dear support,"]
AGENT_OPENERS = ["Thanks for reaching out.", "Thank you for the details.", "Hello again,"]
NOTE_OPENERS = ["Internal:", "Note:", "Checked the logs.", "Escalation note:"]


class Generator:
    """Precomputed pools and lookup tables; make_chunk() turns ticket indexes into rows."""

    def __init__(self, n_tickets: int, now: int, seed: int, ref) -> None:
        self.n = n_tickets
        self.now = now
        self.start = now - YEARS * 365 * DAY
        self.slot = (now - 3600 - self.start) / n_tickets
        self.seed = seed
        self.ref = ref
        self.prefix = ref["prefix"]
        rng = random.Random(seed)
        words = vocabulary()
        self.words = words
        cum = list(itertools.accumulate(1.0 / (r + 1) ** ZIPF for r in range(len(words))))
        self.sentences = []
        for _ in range(SENTENCE_POOL):
            chosen = rng.choices(words, cum_weights=cum, k=rng.randint(6, 16))
            self.sentences.append(" ".join(chosen).capitalize() + ".")
        # Codes that only subjects carry (KB articles, hosts, error codes): the rare words, in
        # about ten tickets each at a million.
        codes: set[str] = set()
        while len(codes) < SUBJECT_POOL // 4:
            r = rng.random()
            if r < 0.4:
                codes.add(f"kb{rng.randint(1000000, 9999999)}")
            elif r < 0.7:
                codes.add(f"{rng.choice(['srv', 'ws', 'prn', 'lt'])}{rng.randint(1000, 99999)}")
            else:
                codes.add(f"err{rng.randint(10000, 999999)}")
        self.codes = sorted(codes)
        self.subjects = []
        for _ in range(SUBJECT_POOL):
            subject = f"{rng.choice(OBJECTS)} {rng.choice(PROBLEMS)}"
            r = rng.random()
            if r < 0.3:
                subject += f" ({rng.choice(self.codes)})"
            elif r < 0.45:
                subject += " " + " ".join(rng.choices(words, cum_weights=cum, k=2))
            self.subjects.append(subject[0].upper() + subject[1:])
        # Timestamps are written the way Django's SQLite backend writes them (UTC, naive).
        first_day = self.start // DAY
        self.first_day = first_day
        self.days = [
            datetime.fromtimestamp((first_day + d) * DAY, UTC).strftime("%Y-%m-%d ")
            for d in range(YEARS * 366 + 30)
        ]
        self.clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]

    def stamp(self, ts: int) -> str:
        return self.days[ts // DAY - self.first_day] + self.clock[ts % DAY]

    def make_chunk(self, index: int):
        """Rows for tickets CHUNK*index ... (ids and numbers follow from the index)."""
        rng = random.Random(self.seed * 1_000_003 + index)
        rnd, choice, choices, expo = rng.random, rng.choice, rng.choices, rng.expovariate
        ref, stamp, now, start, slot = self.ref, self.stamp, self.now, self.start, self.slot
        sentences, subjects = self.sentences, self.subjects
        customers, names = ref["customers"], ref["names"]
        queue_ids, queue_cum = ref["queue_ids"], ref["queue_cum"]
        queue_agents, queue_types = ref["queue_agents"], ref["queue_types"]
        prefix = self.prefix
        first = index * CHUNK
        last = min(first + CHUNK, self.n)
        tickets, messages, events, documents = [], [], [], []
        n_customers = len(customers)
        for i in range(first, last):
            tid = i + 1
            number = 1001 + i
            created = int(start + i * slot + rnd() * slot)
            age = now - created
            r = rnd()
            if age < 2 * DAY:
                status = (
                    "new"
                    if r < 0.45
                    else "in_progress"
                    if r < 0.8
                    else "waiting"
                    if r < 0.95
                    else "feedback"
                )  # noqa: E501
            elif age < 14 * DAY:
                status = (
                    "new"
                    if r < 0.08
                    else "in_progress"
                    if r < 0.38
                    else "waiting"
                    if r < 0.6
                    else "feedback"
                    if r < 0.65
                    else "resolved"
                )  # noqa: E501
            elif age < 60 * DAY:
                status = (
                    "in_progress"
                    if r < 0.04
                    else "waiting"
                    if r < 0.08
                    else "resolved"
                    if r < 0.25
                    else "closed"
                )  # noqa: E501
            else:
                status = "in_progress" if r < 0.005 else "resolved" if r < 0.02 else "closed"
            queue = choices(queue_ids, cum_weights=queue_cum)[0]
            r = rnd()
            tier = 1 if r < 0.8 else 2 if r < 0.95 else 3
            r = rnd()
            priority = 2 if r < 0.55 else 1 if r < 0.75 else 3 if r < 0.95 else 4
            r = rnd()
            channel = (
                "web"
                if r < 0.45
                else "email"
                if r < 0.85
                else "phone"
                if r < 0.93
                else "api"
                if r < 0.98
                else "desk"
            )  # noqa: E501
            requester, org = customers[int(n_customers * rnd() ** 1.6)]
            agents = queue_agents[queue]
            agent = choice(agents)
            ttype = choice(queue_types[queue]) if rnd() < 0.9 else None
            # Times: the life of the ticket, capped at now.
            first_reply = created + 60 + int(expo(1 / 7200))
            if status in ("resolved", "closed"):
                resolved = min(first_reply + int(expo(1 / (1.5 * DAY))), now - 60)
                closed = min(resolved + int(rnd() * 7 * DAY), now) if status == "closed" else None
                updated = closed or resolved
            else:
                resolved = closed = None
                updated = min(created + int(rnd() * min(age, 5 * DAY)), now)
            if first_reply > updated:
                first_reply = updated
            middle = created + (
                first_reply - created if status != "new" else (updated - created) // 2
            )  # noqa: E501
            created_s, updated_s, middle_s = stamp(created), stamp(updated), stamp(middle)
            assignee = None if status == "new" else agent
            events.append((tid, requester, "created", "", "", channel, "", created_s))
            # Three messages: the request, a reply or note, and the latest word.
            cname = names[requester]
            s = choices(sentences, k=7)
            m1 = f"{choice(GREETINGS)}\n\n{s[0]} {s[1]} {s[2]}\n\n{cname}"
            m1h = f"<p>{choice(GREETINGS)}</p><p>{s[0]} {s[1]} {s[2]}</p><p>{cname}</p>"
            base = tid * 3 - 2
            messages.append((base, tid, requester, 0, channel, m1h, m1, created_s))
            first_response = None
            if status == "new":
                m2 = f"{s[3]} {s[4]}\n\n{cname}"
                m2h = f"<p>{s[3]} {s[4]}</p><p>{cname}</p>"
                messages.append((base + 1, tid, requester, 0, channel, m2h, m2, middle_s))
                m3 = f"{choice(NOTE_OPENERS)} {s[5]} {s[6]}"
                messages.append((base + 2, tid, agent, 1, "desk", f"<p>{m3}</p>", m3, updated_s))
                events.append((tid, agent, "message", "", "", "internal", "", updated_s))
                m2_internal = 0
            else:
                m2_internal = 1 if rnd() < 0.15 else 0
                if m2_internal:
                    m2 = f"{choice(NOTE_OPENERS)} {s[3]} {s[4]}"
                    m2h = f"<p>{m2}</p>"
                else:
                    m2 = f"{choice(AGENT_OPENERS)}\n\n{s[3]} {s[4]}\n\n{names[agent]}"
                    m2h = f"<p>{m2.replace(chr(10) * 2, '</p><p>')}</p>"
                    first_response = middle_s
                messages.append((base + 1, tid, agent, m2_internal, "desk", m2h, m2, middle_s))
                events.append((tid, agent, "assigned", "assignee", "", names[agent], "", middle_s))  # noqa: E501
                events.append(
                    (
                        tid,
                        agent,
                        "message",
                        "",
                        "",
                        ("internal" if m2_internal else "public"),
                        "",
                        middle_s,
                    )
                )  # noqa: E501
                if status in ("in_progress", "feedback"):
                    m3 = f"{s[5]} {s[6]}\n\n{cname}"
                    messages.append(
                        (
                            base + 2,
                            tid,
                            requester,
                            0,
                            channel,
                            f"<p>{s[5]} {s[6]}</p><p>{cname}</p>",
                            m3,
                            updated_s,
                        )
                    )  # noqa: E501
                    events.append((tid, requester, "message", "", "", "public", "", updated_s))
                elif rnd() < 0.3:
                    m3 = f"{choice(NOTE_OPENERS)} {s[5]} {s[6]}"
                    messages.append(
                        (base + 2, tid, agent, 1, "desk", f"<p>{m3}</p>", m3, updated_s)
                    )  # noqa: E501
                    events.append((tid, agent, "message", "", "", "internal", "", updated_s))
                else:
                    m3 = f"{s[5]} {s[6]}\n\n{names[agent]}"
                    messages.append(
                        (
                            base + 2,
                            tid,
                            agent,
                            0,
                            "desk",
                            f"<p>{s[5]} {s[6]}</p><p>{names[agent]}</p>",
                            m3,
                            updated_s,
                        )
                    )  # noqa: E501
                    events.append((tid, agent, "message", "", "", "public", "", updated_s))
                    first_response = first_response or updated_s
                events.append(
                    (
                        tid,
                        agent,
                        "status",
                        "status",
                        "in_progress" if status != "in_progress" else "new",
                        status,
                        "",
                        updated_s,
                    )
                )  # noqa: E501
            subject = subjects[int(rnd() * SUBJECT_POOL)]
            tickets.append((
                tid, number, subject, status, priority, channel, tier, "{}", created_s,
                updated_s, first_response, stamp(resolved) if resolved else None,
                stamp(closed) if closed else None, assignee, org, queue, requester, ttype, None,
            ))  # fmt: skip
            documents.append((tid, f"{prefix}-{number} {subject}", f"{m1}\n{m2}\n{m3}"))
        return tickets, messages, events, documents


_GENERATOR: Generator | None = None


def _chunk(index: int):
    return _GENERATOR.make_chunk(index)


def _in_order(pool, n_chunks: int, window: int):
    """Chunks from the pool in order, at most WINDOW ahead of the writer (bounded memory)."""
    pending: collections.deque = collections.deque()
    submitted = 0
    while submitted < n_chunks or pending:
        while submitted < n_chunks and len(pending) < window:
            pending.append(pool.apply_async(_chunk, (submitted,)))
            submitted += 1
        yield pending.popleft().get()


def reference_data(con: sqlite3.Connection, password_hash: str, now: int, seed: int) -> dict:
    """Queues, types, organizations, staff and customers; returns what tickets refer to."""
    rng = random.Random(seed + 1)
    joined = datetime.fromtimestamp(now - YEARS * 365 * DAY - 30 * DAY, UTC)
    joined_s = joined.strftime("%Y-%m-%d %H:%M:%S")
    queue_ids = []
    for qid, (name, slug, _share) in enumerate(QUEUES, 1):
        con.execute(
            "INSERT INTO accounts_queue (id, name, slug, email, description, is_active)"
            " VALUES (?, ?, ?, ?, ?, 1)",
            (qid, name, slug, f"{slug}@relaydesk.bench", f"{name} requests"),
        )
        queue_ids.append(qid)
    for tid, name in enumerate(TYPES, 1):
        con.execute(
            "INSERT INTO tickets_tickettype (id, name, slug, position, is_active)"
            " VALUES (?, ?, ?, ?, 1)",
            (tid, name, name.lower(), tid),
        )
    queue_types = {
        1: [1, 2, 5, 6, 8], 2: [3], 3: [2, 5], 4: [4, 7], 5: [1, 8], 6: [8],
    }  # fmt: skip
    orgs = []
    org_names = [f"{a} {b}" for a in ORG_A for b in ORG_B]
    rng.shuffle(org_names)
    for oid, name in enumerate(org_names[:50], 1):
        domain = name.lower().replace(" ", "-") + ".example"
        con.execute(
            "INSERT INTO accounts_organization (id, name, domains, members_see_all_tickets,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (oid, name, domain, int(rng.random() < 0.3), joined_s),
        )
        orgs.append((oid, domain))

    users = []
    names: dict[int, str] = {}

    def add(email, name, role, tier=1, org=None, manager=0, staff=0, superuser=0):
        uid = len(users) + 1
        users.append((uid, password_hash, None, superuser, staff, 1, joined_s, email, name,
                      role, tier, manager, "", org))  # fmt: skip
        names[uid] = name
        return uid

    add("admin@relaydesk.bench", "Ada Admin", "admin", tier=3, staff=1, superuser=1)
    add("supervisor@relaydesk.bench", "Sam Supervisor", "supervisor", tier=3)
    memberships = []
    queue_agents: dict[int, list[int]] = {q: [] for q in queue_ids}
    bench_agent = add(AGENT_EMAIL, "Benno Benchmark", "agent", tier=2)
    for q in (1, 2):  # the two busiest queues: the heaviest realistic queue view
        memberships.append((bench_agent, q))
        queue_agents[q].append(bench_agent)
    for n in range(49):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        r = rng.random()
        tier = 1 if r < 0.6 else 2 if r < 0.9 else 3
        uid = add(f"agent{n + 1}@relaydesk.bench", name, "agent", tier=tier)
        home = queue_ids[n % len(queue_ids)]
        mine = {home, *rng.sample(queue_ids, rng.randint(0, 2))}
        for q in sorted(mine):
            memberships.append((uid, q))
            queue_agents[q].append(uid)
    customers = []
    for n in range(2000):
        # Organization sizes are uneven, like real customers.
        oid, domain = orgs[min(int(len(orgs) * rng.random() ** 1.5), len(orgs) - 1)]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        manager = 1 if n < 50 else 0
        if manager:
            oid, domain = orgs[n]
        uid = add(f"{first.lower()}.{last.lower()}{n}@{domain}", f"{first} {last}", "customer",
                  org=oid, manager=manager)  # fmt: skip
        customers.append((uid, oid))
    con.executemany(
        "INSERT INTO accounts_user (id, password, last_login, is_superuser, is_staff, is_active,"
        " date_joined, email, full_name, role, tier, is_org_manager, time_zone, organization_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        users,
    )
    con.executemany(
        "INSERT INTO accounts_queuemembership (user_id, queue_id) VALUES (?, ?)", memberships
    )
    return {
        "customers": customers,
        "names": names,
        "queue_ids": queue_ids,
        "queue_cum": list(itertools.accumulate(share for _n, _s, share in QUEUES)),
        "queue_agents": queue_agents,
        "queue_types": queue_types,
        "bench_agent": bench_agent,
    }


# The big tables, and the column whose order the rows are inserted in: an index led by it
# only ever grows at its right edge, which is cheap, so it is kept during the load.
BULK_TABLES = {"tickets_ticket": "created_at", "tickets_message": "ticket_id",
               "tickets_event": "ticket_id"}  # fmt: skip
_FIRST_COLUMN = re.compile(r'ON "\w+" \("(\w+)"')


def drop_indexes(con: sqlite3.Connection) -> list[tuple[str, str]]:
    """Drop the secondary indexes of the big tables; return (name, sql) to recreate them.

    The DDL is read back from sqlite_master, so the recreated indexes are exactly the
    migrations' (UNIQUE constraints' automatic indexes stay: they cannot be dropped).
    """
    marks = ",".join("?" * len(BULK_TABLES))
    rows = con.execute(
        f"SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index'"
        f" AND sql IS NOT NULL AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
        list(BULK_TABLES),
    ).fetchall()
    dropped = []
    for name, sql, table in rows:
        match = _FIRST_COLUMN.search(sql)
        if match and match.group(1) == BULK_TABLES[table]:
            continue
        con.execute(f'DROP INDEX "{name}"')
        dropped.append((name, sql))
    return dropped


def pick_words(gen: Generator, n_tickets: int) -> dict:
    """Search terms for desk.py: common, mid-frequency and rare, with rough document counts."""
    counts: dict[str, int] = {}
    for sentence in gen.sentences:
        for word in sentence[:-1].lower().split():
            counts[word] = counts.get(word, 0) + 1
    per_use = n_tickets * 7 / SENTENCE_POOL  # each ticket draws 7 sentences
    words = gen.words
    common = [w for w in words[40:200] if len(w) > 4 and w.isalpha()][:8]
    mid = [w for w in words[400:3000] if 40 <= counts.get(w, 0) <= 120 and w.isalpha()][:8]
    in_subjects: dict[str, int] = {}
    for subject in gen.subjects:
        if subject.endswith(")"):
            code = subject[subject.rindex("(") + 1 : -1]
            in_subjects[code] = in_subjects.get(code, 0) + 1
    rare = sorted(in_subjects)[:: max(1, len(in_subjects) // 8)][:8]
    approx = {w: round(counts.get(w, 0) * per_use) for w in common + mid}
    approx.update({w: round(in_subjects[w] * n_tickets / SUBJECT_POOL, 1) for w in rare})
    return {"common": common, "mid": mid, "rare": rare, "approx_documents": approx}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--data-dir", help="default: var/bench in the repository")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes making rows while this one writes (0: none)")  # fmt: skip
    parser.add_argument("--force", action="store_true",
                        help="replace a database that bench/seed.py did not make")  # fmt: skip
    args = parser.parse_args(argv)
    if args.tickets < 1:
        parser.error("--tickets must be at least 1")

    path = data_dir(args.data_dir)
    path.mkdir(parents=True, exist_ok=True)
    db = path / DB_NAME
    manifest = path / MANIFEST
    if db.exists() and not manifest.exists() and not args.force:
        raise SystemExit(f"{db} exists and was not made by bench/seed.py; use --force.")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    # Marks the database as ours at once, so an interrupted seed can be replaced next time.
    manifest.write_text(json.dumps({"status": "seeding"}), encoding="utf-8")

    began = time.monotonic()
    phases: dict[str, float] = {}
    setup_django(path)
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connections

    print(f"Migrating a fresh database in {db} ...", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    password_hash = make_password(PASSWORD)
    connections.close_all()
    phases["migrate"] = time.monotonic() - began

    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "locking_mode = EXCLUSIVE",
                   "temp_store = MEMORY", "cache_size = -524288", "threads = 2"):  # fmt: skip
        con.execute(f"PRAGMA {pragma}")
    now = int(time.time())
    con.execute("BEGIN")
    ref = reference_data(con, password_hash, now, args.seed)
    ref["prefix"] = settings.TICKET_PREFIX
    indexes = drop_indexes(con)
    con.execute("COMMIT")

    t = time.monotonic()
    global _GENERATOR
    _GENERATOR = Generator(args.tickets, now, args.seed, ref)
    phases["text pools"] = time.monotonic() - t

    from tqdm import tqdm

    t = time.monotonic()
    n_chunks = (args.tickets + CHUNK - 1) // CHUNK
    pool = None
    if args.jobs > 0:
        pool = multiprocessing.get_context("fork").Pool(args.jobs)
        chunks = _in_order(pool, n_chunks, window=3 * args.jobs)
    else:
        chunks = map(_chunk, range(n_chunks))
    insert_ticket = (
        "INSERT INTO tickets_ticket (id, number, subject, status, priority, channel, tier, custom,"
        " created_at, updated_at, first_response_at, resolved_at, closed_at, assignee_id,"
        " organization_id, queue_id, requester_id, ticket_type_id, follow_up_of_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    insert_message = (
        "INSERT INTO tickets_message (id, ticket_id, author_id, is_internal, channel, body_html,"
        " body_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    insert_event = (
        "INSERT INTO tickets_event (ticket_id, actor_id, kind, field, old_value, new_value,"
        " note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    insert_document = "INSERT INTO search_ticket (rowid, subject, body) VALUES (?, ?, ?)"
    counts = {"tickets": 0, "messages": 0, "events": 0}
    with tqdm(total=args.tickets, unit="ticket", unit_scale=True, smoothing=0.05) as bar:
        con.execute("BEGIN")
        for done, (tickets, messages, events, documents) in enumerate(chunks, 1):
            con.executemany(insert_ticket, tickets)
            con.executemany(insert_message, messages)
            con.executemany(insert_event, events)
            con.executemany(insert_document, documents)
            counts["tickets"] += len(tickets)
            counts["messages"] += len(messages)
            counts["events"] += len(events)
            if done % 20 == 0:
                con.execute("COMMIT")
                con.execute("BEGIN")
            bar.update(len(tickets))
        con.execute("COMMIT")
    if pool is not None:
        pool.close()
        pool.join()
    phases["rows + full text"] = time.monotonic() - t

    t = time.monotonic()
    for _name, sql in tqdm(indexes, desc="indexes", unit="index"):
        con.execute(sql)
    phases["indexes"] = time.monotonic() - t

    t = time.monotonic()
    print("Merging the full-text index ...", flush=True)
    con.execute("INSERT INTO search_ticket (search_ticket) VALUES ('optimize')")
    con.execute(
        "UPDATE core_sequence SET value = (SELECT MAX(number) FROM tickets_ticket)"
        " WHERE name = 'ticket'"
    )
    phases["full-text merge"] = time.monotonic() - t
    con.execute("PRAGMA locking_mode = NORMAL")
    con.execute("PRAGMA journal_mode = WAL")
    con.close()

    total = time.monotonic() - began
    words = pick_words(_GENERATOR, args.tickets)
    manifest.write_text(
        json.dumps(
            {
                "tickets": args.tickets,
                **{k: v for k, v in counts.items() if k != "tickets"},
                "seconds": round(total, 1),
                "phases": {k: round(v, 1) for k, v in phases.items()},
                "seeded_at": datetime.fromtimestamp(now, UTC).isoformat(),
                "agent": AGENT_EMAIL,
                "agent_queue_ids": [1, 2],
                "password": PASSWORD,
                "numbers": [1001, 1000 + args.tickets],
                "queues": {slug: i for i, (_n, slug, _s) in enumerate(QUEUES, 1)},
                "words": words,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    size = db.stat().st_size / 1e9
    print(
        f"Seeded {counts['tickets']:,} tickets, {counts['messages']:,} messages,"
        f" {counts['events']:,} events in {total:.0f} s ({size:.1f} GB): {db}"
    )
    print("  " + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items()))
    print(f"  sign in as {AGENT_EMAIL} / {PASSWORD}")


if __name__ == "__main__":
    main()
