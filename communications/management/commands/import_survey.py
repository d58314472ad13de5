"""import_survey PATH: aggregate CIPS results (wave, year, respondent_group, key_factor, score, respondents)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communications.surveys import import_survey
from crm.lib.reading import ImportFileError


class Command(BaseCommand):
    help = "Import aggregate survey results. All or nothing; groups under 5 respondents are refused."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = import_survey(file.read_bytes(), file.name)
        except ImportFileError as error:
            raise CommandError(f"{file.name}: {error}") from error
        if result.problems:
            raise CommandError(
                f"{len(result.problems)} problem(s), nothing was written:\n" + "\n".join(result.problems)
            )
        self.stdout.write(f"imported {len(result.rows)} survey results")
