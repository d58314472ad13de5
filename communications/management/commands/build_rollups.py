"""manage.py build_rollups: the dashboard's roll-ups worked out afresh from the engagement log."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from communications import rollups
from crm.lib import changes


class Command(BaseCommand):
    help = "Work out the dashboard's roll-ups afresh from the engagement log (communications.rollups)."

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            rollups.rebuild()
            changes.record()  # figures kept from before are counted again
        self.stdout.write(f"Roll-ups built ({time.monotonic() - started:.1f} s).")
