"""personal_data export EMAIL · personal_data erase EMAIL [--yes] (CONTRACT.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from stakeholders.personal_data import contacts_for, erase_person, export_person


class Command(BaseCommand):
    help = "A data-protection request about one person: print everything held (export), or anonymise it (erase)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("email")
        parser.add_argument(
            "--yes", action="store_true", help="Erase for real (without it, erase only says what it would do)."
        )

    def handle(self, *args, action, email, yes, **options):
        people = list(contacts_for(email))
        if action == "export":
            self.stdout.write(json.dumps(export_person(email), ensure_ascii=False, indent=2))
            return
        if not people:
            raise CommandError(f"no contact has the e-mail address {email}")
        if not yes:
            engagements = sum(p.engagements.count() for p in people)
            histories = sum(p.history.count() for p in people)
            self.stdout.write(
                f"would anonymise {len(people)} contact(s) with {email} and their {histories} history entries; "
                f"{engagements} engagement link(s) would stay, anonymous. Run again with --yes to do it."
            )
            return
        done = erase_person(email)
        self.stdout.write(
            f"anonymised {done['contacts']} contact(s) and {done['history_entries']} history entries; "
            f"{done['engagements_kept']} engagement link(s) kept"
        )
