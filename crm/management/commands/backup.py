"""backup PATH: a consistent copy of the whole database, taken while the app runs."""

from django.core.management.base import BaseCommand, CommandError

from crm.maintenance.backups import BackupError, backup, table_counts


class Command(BaseCommand):
    help = "Write a consistent copy of the whole database to PATH (SQLite online backup; pg_dump on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(table_counts().values())
        self.stdout.write(f"backup written to {path} ({rows} rows)")
