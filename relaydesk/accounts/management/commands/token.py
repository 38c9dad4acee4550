from django.core.management.base import BaseCommand, CommandError

from relaydesk.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Manage REST API bearer tokens: `token create EMAIL [--name NAME]`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token for the user with this email")
        create.add_argument("email")
        create.add_argument("--name", default="", help="what the token is for")
        revoke = sub.add_parser("revoke", help="revoke every token of this user")
        revoke.add_argument("email")

    def handle(self, *args, action: str, email: str, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with email {email!r}. Create the user first.")
        if action == "create":
            _token, key = ApiToken.issue(user, options.get("name", ""))
            self.stderr.write(f"Token for {user.email} (shown once; store it safely):")
            self.stdout.write(key)
        else:
            count, _ = ApiToken.objects.filter(user=user).delete()
            self.stdout.write(f"Revoked {count} token(s) of {user.email}")
