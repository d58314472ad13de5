"""import_stakeholders PATH [--kind organizations|contacts] [--dry-run] (CONTRACT.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stakeholders.imports.reading import ImportFileError
from stakeholders.imports.service import import_file, preview_file


class Command(BaseCommand):
    help = "Import organizations or contacts from CSV or XLSX. All or nothing: one bad row and nothing is written."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--kind", choices=["organizations", "contacts"], help="Guessed from the headers if omitted."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, path, kind, dry_run, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        data = file.read_bytes()
        try:
            if dry_run:
                preview, summary = preview_file(data, file.name, kind), None
            else:
                preview, summary = import_file(data, file.name, kind=kind)
        except ImportFileError as error:
            raise CommandError(f"{file.name}: {error}") from error
        for notice in preview.notices:
            self.stderr.write(f"notice: {notice}")
        if preview.ignored:
            self.stderr.write("notice: columns ignored: " + ", ".join(preview.ignored))
        if not preview.is_valid:
            lines = [f"{file.name}: {error}" for error in preview.file_errors] + [str(p) for p in preview.problems]
            raise CommandError(f"{len(lines)} problem(s), nothing was written:\n" + "\n".join(lines))
        if dry_run:
            counts = preview.counts
            self.stdout.write(
                f"dry run, nothing written: would create {counts['new']}, update {counts['update']}, "
                f"duplicates {counts['duplicate']}"
            )
        else:
            self.stdout.write(str(summary))
