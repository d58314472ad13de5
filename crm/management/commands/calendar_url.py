"""Make a user's private calendar URL from the command line (their previous one stops working)."""

from django.core.management.base import BaseCommand, CommandError

from crm.calendar.services import feed_make, feed_url, may_read_calendar
from crm.models import User


class Command(BaseCommand):
    help = (
        "Make a new private calendar feed URL for the user with this e-mail address and print it (shown once: "
        "only its hash is kept). Their previous calendar URL stops working."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Address of the app as calendar apps reach it."
        )

    def handle(self, *args, email, base_url, **options):
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url must start with http:// or https://, not {base_url!r}.")
        try:
            user = User.objects.get(email__iexact=email.strip())
        except User.DoesNotExist:
            raise CommandError(f"No user has the e-mail address {email!r}.") from None
        _feed, secret = feed_make(user=user)
        if not may_read_calendar(user):
            self.stderr.write(
                f"{user.email} cannot sign in and read their work now (deactivated, no role, or two-factor "
                "not set up though their role requires it): the feed answers 404 until they can."
            )
        self.stdout.write(feed_url(secret=secret, base_url=base_url))
