from django.core.management.base import BaseCommand, CommandError

from relaydesk.accounts.models import User
from relaydesk.runtime import demo


class Command(BaseCommand):
    help = "Load demo queues, staff, customers and tickets into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=54)

    def handle(self, *args, tickets: int, **options):
        if User.objects.exists():
            raise CommandError("The database already has users; demo data goes only into an "
                               "empty database.")  # fmt: skip
        demo.load(tickets=tickets)
        self.stdout.write(f"Loaded demo data with {tickets} tickets.")
