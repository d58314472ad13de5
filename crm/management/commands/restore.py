"""restore PATH: put back a copy made by `backup` (everything in the database is replaced)."""

from django.core.management.base import BaseCommand, CommandError

from crm.maintenance.backups import BackupError, restore, table_counts


class Command(BaseCommand):
    help = "Replace the whole database with the backup at PATH (made by the backup command)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table_counts().values())
        self.stdout.write(f"restored from {path} ({rows} rows)")
