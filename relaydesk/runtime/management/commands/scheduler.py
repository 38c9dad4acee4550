import signal

from django.core.management.base import BaseCommand

from relaydesk.core import scheduler


class Command(BaseCommand):
    help = "Enqueue periodic background tasks when they fall due (one per deployment)."

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between checks")

    def handle(self, *args, tick: float, **options):
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        scheduler.run_forever(tick=tick, stop=lambda: stopping)
