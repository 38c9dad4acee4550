"""`relaydesk mail ingest|fetch|listen`: the three ways mail comes in by hand or by an MTA."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relaydesk.mail.models import Mailbox


class Command(BaseCommand):
    help = "Email channel: ingest messages, poll mailboxes, or listen for LMTP/SMTP delivery."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser("ingest", help="Turn RFC 5322 files (or - for stdin) into tickets.")
        ingest.add_argument("files", nargs="+", metavar="FILE")
        ingest.add_argument("--mailbox", help="Mailbox name: its queue and sender rules apply.")
        ingest.add_argument("--json", action="store_true", help="One JSON object per message.")
        fetch = sub.add_parser("fetch", help="Poll the mailboxes once, now.")
        fetch.add_argument("--mailbox", help="Only this mailbox.")
        listen = sub.add_parser("listen", help="Accept mail over LMTP (or SMTP) from an MTA.")
        listen.add_argument("--host", default="127.0.0.1")
        listen.add_argument("--port", type=int, default=2525)
        listen.add_argument("--smtp", action="store_true", help="Speak SMTP instead of LMTP.")
        listen.add_argument("--mailbox", help="Mailbox for mail whose recipient matches none.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def _mailbox(self, name: str | None) -> Mailbox | None:
        if not name:
            return None
        mailbox = Mailbox.objects.filter(name=name).first()
        if mailbox is None:
            raise CommandError(f"No mailbox named {name!r}.")
        return mailbox

    def handle_ingest(self, files: list[str], mailbox: str | None, json: bool, **_options):
        from relaydesk.mail.ingest import ingest

        box = self._mailbox(mailbox)
        failed = 0
        for name in files:
            try:
                raw = sys.stdin.buffer.read() if name == "-" else _read(name)
                result = ingest(raw, mailbox=box)
            except Exception as exc:  # not stored at all: the only case that fails the command
                failed += 1
                self.stderr.write(f"{name}: not stored: {exc}")
                continue
            if json:
                self.stdout.write(_json(result.as_json()))
            else:
                data = result.as_json()
                what = (
                    f"ticket {data['ticket']} ({'new' if data['created'] else 'reply'})"
                    if data["ticket"] and result.inbound.status == "processed"
                    else f"{data['status']}: {data['reason']}".strip(": ")
                )
                self.stdout.write(f"{name}: {what}{' (duplicate)' if result.duplicate else ''}")
        if failed:
            raise CommandError(f"{failed} message(s) could not be stored.")

    def handle_fetch(self, mailbox: str | None, **_options):
        from relaydesk.mail.mailboxes import poll

        boxes = [self._mailbox(mailbox)] if mailbox else Mailbox.objects.filter(is_active=True)
        errors = 0
        for box in boxes:
            result = poll(box)
            status = "busy (polled elsewhere)" if result.skipped else f"{result.fetched} fetched"
            self.stdout.write(f"{box.name}: {status}")
            for error in result.errors:
                errors += 1
                self.stderr.write(f"{box.name}: {error}")
        if errors:
            raise CommandError(f"{errors} error(s) while polling.")

    def handle_listen(self, host: str, port: int, smtp: bool, mailbox: str | None, **_options):
        from relaydesk.mail.listen import serve

        serve(host, port, lmtp=not smtp, default_mailbox=self._mailbox(mailbox),
              out=self.stdout)  # fmt: skip


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
