"""Demo data for a first run: queues, staff in three tiers, two customer organizations, and
about fifty tickets in every status, all made through the services (so they have history)."""

import functools
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from relaydesk.accounts.models import Organization, Queue, QueueMembership, User
from relaydesk.tickets import services
from relaydesk.tickets.models import CustomField, Ticket, TicketType, TypeField

DEMO_PASSWORD = "relaydesk-demo"
DEMO_LOGINS = [
    ("admin@example.com", "admin (desk + /admin/)"),
    ("supervisor@example.com", "supervisor (sees every queue)"),
    ("tier1@example.com", "agent, tier 1 (IT Support, Billing)"),
    ("tier2@example.com", "agent, tier 2 (IT Support, Network)"),
    ("tier3@example.com", "agent, tier 3 (Network)"),
    ("alice@acme.example", "customer, Acme"),
    ("bob@acme.example", "customer, Acme organization manager"),
    ("carol@globex.example", "customer, Globex"),
]

QUEUES = [
    ("IT Support", "it-support", "it@relaydesk.localhost"),
    ("Network", "network", "network@relaydesk.localhost"),
    ("Billing", "billing", "billing@relaydesk.localhost"),
]

FIELDS = [
    ("device", "Device", CustomField.Kind.CHOICE, "Laptop\nDesktop\nPrinter\nPhone\nMonitor", True),
    ("asset_tag", "Asset tag", CustomField.Kind.TEXT, "", False),
    ("application", "Application", CustomField.Kind.TEXT, "", True),
    ("affected_users", "Users affected", CustomField.Kind.NUMBER, "", False),
    ("system", "System", CustomField.Kind.CHOICE, "VPN\nEmail\nERP\nFile shares\nWi-Fi", True),
    ("needed_by", "Needed by", CustomField.Kind.DATE, "", False),
    ("onsite", "Someone must come on site", CustomField.Kind.CHECKBOX, "", False),
    ("modules", "Modules", CustomField.Kind.MULTI_CHOICE, "Mail\nCalendar\nChat\nDrive", False),
]
INTERNAL_FIELD = ("root_cause", "Root cause", "User error\nHardware fault\nSoftware bug\nConfig")

TYPES = [
    ("Hardware", "hardware", ["device", "asset_tag", "onsite"]),
    ("Software", "software", ["application", "modules"]),
    ("Network", "network", ["affected_users", "onsite"]),
    ("Access", "access", ["system", "needed_by"]),
    ("Other", "other", []),
]

SUBJECTS = [
    ("Laptop will not boot after update", "hardware"),
    ("Printer on 3rd floor jams every page", "hardware"),
    ("Need a second monitor", "hardware"),
    ("Outlook keeps asking for my password", "software"),
    ("Excel crashes when opening large files", "software"),
    ("Please install Python 3.12", "software"),
    ("VPN disconnects every ten minutes", "network"),
    ("Wi-Fi very slow in meeting room B", "network"),
    ("Cannot reach the file server", "network"),
    ("New starter needs ERP access", "access"),
    ("Locked out of my account", "access"),
    ("Invoice 2024-118 charged twice", "other"),
    ("Question about our support contract", "other"),
]

SAMPLE_VALUES = {
    "hardware": {"device": "Laptop", "asset_tag": "ACME-0042"},
    "software": {"application": "Outlook", "modules": ["Mail", "Calendar"]},
    "network": {"affected_users": 12},
    "access": {"system": "ERP", "needed_by": "2026-12-01"},
    "other": {},
}

BODIES = [
    "Since this morning it does not work at all. I tried restarting twice.\n\nThanks for "
    "looking into it.",
    "It started after the weekend. Colleagues at the next desk have the same problem.",
    "This blocks my work on the quarterly report, so it is fairly urgent for me.",
    "I attached what I see on screen. Let me know if you need anything else.",
]


@functools.cache
def _password_hash() -> str:
    # Hashing is slow on purpose (~0.5 s); a first `serve` should not wait for it per account.
    return make_password(DEMO_PASSWORD)


def _user(email: str, name: str, role: str, **extra) -> User:
    return User.objects.create(
        email=email, password=_password_hash(), full_name=name, role=role, **extra
    )


@transaction.atomic
def load(tickets: int = 54, seed: int = 7) -> None:
    rng = random.Random(seed)
    queues = {slug: Queue.objects.create(name=n, slug=slug, email=e) for n, slug, e in QUEUES}
    acme = Organization.objects.create(name="Acme Corp", domains="acme.example")
    globex = Organization.objects.create(
        name="Globex", domains="globex.example", members_see_all_tickets=True
    )
    _user("admin@example.com", "Ada Admin", User.Role.ADMIN, is_staff=True, is_superuser=True)
    _user("supervisor@example.com", "Sam Supervisor", User.Role.SUPERVISOR)
    agents = [
        _user("tier1@example.com", "Tina Tier-One", User.Role.AGENT, tier=1),
        _user("tier2@example.com", "Tom Tier-Two", User.Role.AGENT, tier=2),
        _user("tier3@example.com", "Tara Tier-Three", User.Role.AGENT, tier=3),
    ]
    for agent, slugs in zip(agents, [("it-support", "billing"), ("it-support", "network"),
                                     ("network",)], strict=True):  # fmt: skip
        for slug in slugs:
            QueueMembership.objects.create(user=agent, queue=queues[slug])
    customers = [
        _user("alice@acme.example", "Alice Anders", User.Role.CUSTOMER, organization=acme),
        _user(
            "bob@acme.example",
            "Bob Brown",
            User.Role.CUSTOMER,
            organization=acme,
            is_org_manager=True,
        ),  # fmt: skip
        _user("carol@globex.example", "Carol Chen", User.Role.CUSTOMER, organization=globex),
        _user("dave@globex.example", "Dave Diaz", User.Role.CUSTOMER, organization=globex),
    ]

    fields = {}
    for key, label, kind, choices, required in FIELDS:
        fields[key] = CustomField.objects.create(
            key=key, label=label, kind=kind, choices=choices, required=required
        )
    key, label, choices = INTERNAL_FIELD
    fields[key] = CustomField.objects.create(
        key=key, label=label, kind=CustomField.Kind.CHOICE, choices=choices,
        customer_visible=False,
    )  # fmt: skip
    types = {}
    for position, (name, slug, keys) in enumerate(TYPES):
        types[slug] = TicketType.objects.create(name=name, slug=slug, position=position)
        for i, k in enumerate([*keys, "root_cause"]):
            TypeField.objects.create(ticket_type=types[slug], field=fields[k], position=i)

    queue_for = {"hardware": "it-support", "software": "it-support", "access": "it-support",
                 "network": "network", "other": "billing"}  # fmt: skip
    statuses = list(Ticket.Status.values)
    for i in range(tickets):
        subject, type_slug = SUBJECTS[i % len(SUBJECTS)]
        customer = customers[i % len(customers)]
        queue = queues[queue_for[type_slug]]
        ticket = services.open_ticket(
            actor=customer,
            requester=customer,
            subject=subject,
            body=rng.choice(BODIES),
            channel=rng.choice([Ticket.Channel.WEB, Ticket.Channel.WEB, Ticket.Channel.EMAIL]),
            queue=queue,
            ticket_type=types[type_slug],
            priority=rng.choice(Ticket.Priority.values),
            custom=SAMPLE_VALUES[type_slug],
        )
        _advance(ticket, statuses[i % len(statuses)], rng, list(queue.agents.all()))


def _advance(ticket: Ticket, status: str, rng: random.Random, agents: list[User]) -> None:
    """Walk a new ticket to STATUS the way real work would."""
    S = Ticket.Status
    if status == S.NEW or not agents:
        return
    agent = rng.choice(agents)
    services.assign(ticket, actor=agent, assignee=agent)
    services.post_message(
        ticket, actor=agent, internal=True, channel=Ticket.Channel.DESK,
        body="Checked the logs; looks like the known issue from last week.",
    )  # fmt: skip
    if status == S.IN_PROGRESS:
        return
    services.post_message(
        ticket, actor=agent, channel=Ticket.Channel.DESK, new_status=S.WAITING,
        body="Could you try again now and tell me whether it works?",
    )  # fmt: skip
    if status == S.WAITING:
        return
    services.change_status(ticket, actor=agent, status=S.RESOLVED)
    if status == S.RESOLVED:
        return
    if status == S.FEEDBACK:
        services.post_message(
            ticket, actor=ticket.requester, channel=Ticket.Channel.WEB,
            body="Sorry, it happened again this morning.",
        )  # fmt: skip
        return
    services.change_status(ticket, actor=agent, status=S.CLOSED)
