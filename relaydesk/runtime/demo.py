"""Demo data for a first run: queues, staff in three tiers, two customer organizations, the
routing and SLA set-up of a small IT desk, and about fifty tickets in every status, all made
through the services (so they have history, due times and routing)."""

import datetime as dt
import functools
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from relaydesk.accounts.models import Organization, Queue, QueueMembership, User
from relaydesk.automation.models import Macro
from relaydesk.routing.models import (
    AssignmentAction,
    AssignmentCondition,
    AssignmentRule,
    QueueStrategy,
)
from relaydesk.sla.models import BusinessCalendar, SlaPolicy, WorkingHours
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


BUSINESS_DAY = 10 * 60  # minutes, 08:00-18:00
# (name, priority or None for any, first response, resolution), in business minutes
SLA_POLICIES = [
    ("Urgent", Ticket.Priority.URGENT, 60, 4 * 60),
    ("High", Ticket.Priority.HIGH, 4 * 60, BUSINESS_DAY),
    ("Default", None, 8 * 60, 3 * BUSINESS_DAY),
]
SCREENSHOT_MACRO = (
    "Hello {requester},\n\nthank you for your message about {reference}. Could you send us a "
    "screenshot of what you see on screen? It helps us find the cause quickly.\n\n"
    "Best regards,\nIT Support"
)


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

    _sla()
    _routing(queues)

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
        _advance(ticket, statuses[i % len(statuses)], rng, list(ticket.queue.agents.all()))
    # From now on IT Support hands new tickets out in turn; the demo's own tickets above
    # were dispatched by hand, so that some stay New.
    QueueStrategy.objects.create(
        queue=queues["it-support"], strategy=QueueStrategy.Strategy.ROUND_ROBIN
    )
    Macro.objects.create(
        name="Ask for a screenshot", reply=SCREENSHOT_MACRO, new_status=Ticket.Status.WAITING
    )


def _sla() -> None:
    """Business hours in Berlin (Mon-Fri 08:00-18:00, German public holidays) and a policy
    per priority, so every demo ticket has due times."""
    calendar = BusinessCalendar.objects.create(
        name="Berlin office", time_zone="Europe/Berlin", country="DE"
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=day, start=dt.time(8), end=dt.time(18))
        for day in range(5)
    )
    for position, (name, priority, response, resolution) in enumerate(SLA_POLICIES):
        SlaPolicy.objects.create(
            name=name, position=position, priority=priority, calendar=calendar,
            first_response_minutes=response, resolution_minutes=resolution,
        )  # fmt: skip


def _routing(queues: dict[str, Queue]) -> None:
    C, K = AssignmentCondition, AssignmentAction.Kind
    network = AssignmentRule.objects.create(name="VPN and Wi-Fi go to Network", position=0)
    network.conditions.create(field=C.Field.SUBJECT, operator=C.Operator.ANY_WORD,
                              value="VPN, Wi-Fi")  # fmt: skip
    network.actions.create(kind=K.SET_QUEUE, value=queues["network"].slug)
    urgent = AssignmentRule.objects.create(name="Urgent tickets start at tier 2", position=1)
    urgent.conditions.create(field=C.Field.PRIORITY, operator=C.Operator.EQUALS,
                             value=str(Ticket.Priority.URGENT.value))  # fmt: skip
    urgent.actions.create(kind=K.SET_TIER, value="2")


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
