"""Make a personal API token for a user and print it (once): for scripts and administrators."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from crm.accounts import tokens
from crm.models import User


class Command(BaseCommand):
    help = "Create a personal API token for the user with this e-mail address and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="command line", help="What uses the token (shown on the account page).")
        parser.add_argument(
            "--days", type=int, default=tokens.DEFAULT_DAYS, help=f"Days until it expires (1 to {tokens.MAX_DAYS})."
        )

    def handle(self, *args, email, name, days, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user has the e-mail address {email}.")
        try:
            token, key = tokens.token_create(user=user, name=name, days=days)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            ) from error
        self.stderr.write(f"Token “{token.name}” for {user.email}, valid until {token.expires_at:%Y-%m-%d %H:%M %Z}:")
        self.stdout.write(key)
