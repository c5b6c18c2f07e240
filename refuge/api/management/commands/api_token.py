"""Make an API token from the command line (an administrator's set-up step, and the
schemathesis run's): `refuge api_token USERNAME --scope write --days 1` prints the secret."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from refuge.api.models import TokenScope
from refuge.api.tokens import DEFAULT_DAYS, create_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username, scope, days, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        # The user makes their own token: the trail says who holds it and from when.
        _token, secret = create_token(owner=user, name=name, scope=scope, days=days, by=user)
        self.stdout.write(secret)
