"""import_stakeholders PATH [--kind organizations|contacts] [--dry-run] (CONTRACT.md).

The file is read once, in batches: every row is checked, and the checked values are kept in a
temporary file; if no row has a problem, they are read back and written in one transaction. So a
file of any size imports in bounded memory; there is no size or row limit here.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm.lib.reading import ImportFileError
from stakeholders.imports.service import import_path


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
        try:
            result = import_path(file, kind=kind, write=not dry_run)
        except ImportFileError as error:
            raise CommandError(f"{file.name}: {error}") from error
        for notice in result.notices:
            self.stderr.write(f"notice: {notice}")
        if result.ignored:
            self.stderr.write("notice: columns ignored: " + ", ".join(result.ignored))
        for row in result.left_out:
            self.stderr.write(str(row))
        if not result.is_valid:
            lines = [f"{file.name}: {error}" for error in result.file_errors] + result.problems
            more = result.problem_count - len(result.problems)
            if more > 0:
                lines.append(f"… and {more} more")
            count = len(result.file_errors) + result.problem_count
            raise CommandError(f"{count} problem(s), nothing was written:\n" + "\n".join(lines))
        if dry_run:
            counts = result.counts
            self.stdout.write(
                f"dry run, nothing written: would create {counts['new']}, update {counts['update']}, "
                f"duplicates {counts['duplicate']}"
            )
        else:
            self.stdout.write(str(result.summary))
