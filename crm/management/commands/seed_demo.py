"""Fictional, deterministic demo data and the three demo accounts (CONTRACT.md)."""

import os
import secrets
import time

from django.core.management.base import BaseCommand
from django.db import connection

from communications.demo import seed_campaigns, seed_survey
from crm.accounts.roles import Role
from crm.accounts.services import user_ensure_demo_account
from crm.demo.seeding import seed_engagements
from stakeholders.demo import seed_stakeholders

DEMO_ACCOUNTS = [
    ("officer@demo.test", Role.OFFICER, "Awa", "Traoré"),
    ("manager@demo.test", Role.MANAGER, "Moussa", "Diallo"),
    ("admin@demo.test", Role.ADMINISTRATOR, "Fatou", "Ndiaye"),
]


class Command(BaseCommand):
    help = "Load fictional demo data and the demo accounts. Same seed, same data; running it twice duplicates nothing."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same data).")
        parser.add_argument(
            "--organizations", type=int, default=200, help="Number of demo organizations (default 200)."
        )
        parser.add_argument("--contacts-per-org", type=int, default=2, help="Contacts per organization (default 2).")
        parser.add_argument("--engagements", type=int, default=1000, help="Number of demo engagements (default 1000).")
        parser.add_argument(
            "--password",
            help="Password of the demo accounts (else $CRM_DEMO_PASSWORD, else a random one that is printed).",
        )

    def handle(self, *args, seed, password, organizations, contacts_per_org, engagements, **options):
        password = password or os.environ.get("CRM_DEMO_PASSWORD") or secrets.token_urlsafe(9)
        accounts = [
            user_ensure_demo_account(
                email=email, password=password, role=role, first_name=first_name, last_name=last_name
            )
            for email, role, first_name, last_name in DEMO_ACCOUNTS
        ]
        started = time.monotonic()
        added_orgs, added_contacts = seed_stakeholders(
            organizations=organizations, contacts_per_org=contacts_per_org, seed=seed, owners=accounts[:2]
        )
        self.stdout.write(
            f"Demo stakeholders: {added_orgs} organizations and {added_contacts} contacts added "
            f"({time.monotonic() - started:.1f} s; existing ones kept)."
        )
        started = time.monotonic()
        added = seed_engagements(count=engagements, seed=seed, authors=accounts[:2])
        added["campaigns"] = seed_campaigns(owner=accounts[1])
        added["survey results"] = seed_survey()
        self.stdout.write(
            "Demo engagements: "
            + ", ".join(f"{n} {what}" for what, n in added.items())
            + f" added ({time.monotonic() - started:.1f} s)."
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, so the database plans queries on the new rows well
        self.stdout.write(self.style.SUCCESS("Demo accounts (sign in at http://127.0.0.1:8000/accounts/login/):"))
        for email, role, _first, _last in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<20} {role.label:<18} password: {password}")
