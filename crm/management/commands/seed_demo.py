"""Fictional, deterministic demo data and the three demo accounts (CONTRACT.md)."""

import os
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from crm.roles import Role
from crm.users import user_ensure_demo_account

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
            "--password",
            help="Password of the demo accounts (else $CRM_DEMO_PASSWORD, else a random one that is printed).",
        )

    @transaction.atomic
    def handle(self, *args, seed, password, **options):
        password = password or os.environ.get("CRM_DEMO_PASSWORD") or secrets.token_urlsafe(9)
        for email, role, first_name, last_name in DEMO_ACCOUNTS:
            user_ensure_demo_account(
                email=email, password=password, role=role, first_name=first_name, last_name=last_name
            )
        self.stdout.write(self.style.SUCCESS("Demo accounts (sign in at http://127.0.0.1:8000/accounts/login/):"))
        for email, role, _first, _last in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<20} {role.label:<18} password: {password}")
