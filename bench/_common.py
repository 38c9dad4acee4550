"""What bench/seed.py and bench/desk.py share: where the data lives, the known login, the
vocabulary the seeded text is made of, and how to start Django on a given data dir."""

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = ROOT / "var" / "bench"
DB_NAME = "relaydesk.sqlite3"
MANIFEST = "bench.json"
PASSWORD = "bench-password"  # every seeded user has it, so desk.py can sign in
AGENT_EMAIL = "agent.benchmark@relaydesk.bench"

# Help-desk words, roughly most common first. Function words lead, as in real text, so the
# most common search terms match nearly every ticket; the generated tail below makes the rare
# ones (product names, error codes, hosts) that match a few hundred.
COMMON_WORDS = """
the to and i a is it of for not on my in this we with have can you be please that are
the but after when from since again now our at all error working work issue problem
user users access password account laptop email printer vpn network screen login
update server file files folder share drive outlook teams office windows phone mobile
connection wifi slow crash crashes restart reboot install installed license new old
request need needs help team manager desk support ticket urgent today yesterday morning
afternoon week monday tuesday wednesday thursday friday meeting room floor building
cannot could would should will still also just only very some any every more most
monitor keyboard mouse dock docking headset camera microphone battery charger cable
adapter usb hdmi port disk memory cpu fan noise power button light display resolution
driver firmware bios boot startup shutdown freeze frozen hang hangs blue black message
popup window dialog button link page site website browser chrome firefox edge cache
cookie certificate expired security warning virus malware phishing spam quarantine
blocked unblock whitelist firewall proxy dns dhcp ip address gateway router switch
access point signal bandwidth latency packet loss timeout ping trace vlan subnet
mailbox calendar invite invitation shared delegate permission permissions group groups
distribution list alias forward forwarding rule rules signature attachment attachments
size limit quota storage backup restore recover recovery deleted missing lost found
sync syncing onedrive sharepoint sso mfa token authenticator code sms reset locked
unlock expired expiry policy change changed changes approval approve approved manager
invoice invoices billing payment paid charged twice refund credit card contract renewal
price quote order purchase delivery shipment tracking supplier vendor cost centre budget
report reports dashboard export import excel csv pdf print printing scan scanner toner
paper jam tray queue spooler duplex colour color label badge badge reader door key
onboarding offboarding starter leaver joiner contractor intern hire transfer role
erp crm hr payroll timesheet expenses portal intranet wiki database sql query slowdown
performance memory leak cpu spike load latency outage incident degraded maintenance
window planned unplanned downtime restart service services process job batch nightly
schedule scheduled task failed failure succeeded success retry retries log logs trace
screenshot attached attaching video recording steps reproduce reproduced intermittent
random sometimes always never often colleague colleagues department finance sales
marketing legal warehouse factory office branch site remote home travel hotel airport
""".split()

_SYLLABLES = (
    "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no"
    " nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi"
    " zo zu bra bre cla cle dra dre fra fre gra gre kra kre pla ple pra pre qua que sta ste"
    " stra tra tre vra xan xen xor zor lex nex rix tix vex dax"
).split()


def vocabulary(tail: int = 20000, seed: int = 20240601) -> list[str]:
    """COMMON_WORDS (deduplicated) then TAIL generated rare words, in rank order."""
    seen: set[str] = set()
    words = [w for w in COMMON_WORDS if not (w in seen or seen.add(w))]
    rng = random.Random(seed)
    wanted = len(words) + tail
    while len(words) < wanted:
        kind = rng.random()
        if kind < 0.6:
            word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        elif kind < 0.8:
            word = f"kb{rng.randint(1000000, 9999999)}"
        elif kind < 0.9:
            word = f"0x{rng.randint(0, 0xFFFFFFFF):08x}"
        else:
            word = f"{rng.choice(['srv', 'ws', 'prn', 'lt', 'ap'])}{rng.randint(100, 99999)}"
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def data_dir(value: str | None) -> Path:
    path = Path(value) if value else DEFAULT_DATA_DIR
    return path.resolve()


def setup_django(path: Path) -> None:
    """Configure Django on the SQLite database in PATH (never on DATABASE_URL)."""
    os.environ["RELAYDESK_DATA_DIR"] = str(path)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "relaydesk.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def read_manifest(path: Path) -> dict:
    file = path / MANIFEST
    if not file.exists():
        raise SystemExit(f"No {MANIFEST} in {path}: run bench/seed.py --data-dir {path} first.")
    return json.loads(file.read_text(encoding="utf-8"))
