"""Invite a user from the command line: the way to create the first Administrator."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from crm.accounts.roles import Role
from crm.accounts.services import invitation_send, invitation_url, user_invite


class Command(BaseCommand):
    help = "Create an account with a role and e-mail its holder a link to choose a password (also printed)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", choices=Role.values, default=Role.OFFICER.value)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--language", default="", help="Language of the e-mail: en or fr.")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Address of the app, for the link in the e-mail."
        )

    def handle(self, *args, email, role, first_name, last_name, language, base_url, **options):
        try:
            user = user_invite(
                email=email, first_name=first_name, last_name=last_name, role=role, preferred_language=language
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if not invitation_send(user=user, base_url=base_url):
            self.stderr.write("The invitation e-mail could not be sent (see the log); give the link below by hand.")
        self.stdout.write(f"Invited {user.email} as {role}. Link to choose a password:")
        self.stdout.write(invitation_url(user=user, base_url=base_url))
