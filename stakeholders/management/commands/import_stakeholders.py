"""import_stakeholders PATH [--kind organizations|contacts] [--dry-run] [--map "HEADER=field" …] (CONTRACT.md).

--map sends a column to a field whatever its header ("Raison sociale=name"; "N°=-" leaves it
out); the other columns are recognised by their header, and those nothing recognises are named
on stderr. A mapping that cannot be (an unknown header or field, two columns to one field, no
column for a required field) is refused before any row is checked: exit code 1, one line.

The file is read once, in batches: every row is checked, and the checked values are kept in a
temporary file; if no row has a problem, they are read back and written in one transaction. So a
file of any size imports in bounded memory; there is no size or row limit here.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm.lib.reading import ImportFileError
from stakeholders.imports.mapping import MappingRefused, parse_map_options
from stakeholders.imports.service import import_path


class Command(BaseCommand):
    help = "Import organizations or contacts from CSV or XLSX. All or nothing: one bad row and nothing is written."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--kind", choices=["organizations", "contacts"], help="Guessed from the headers if omitted."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=field",
            help='Send the column HEADER to a field ("Raison sociale=name"); "HEADER=-" leaves it out. Repeatable.',
        )

    def handle(self, *args, path, kind, dry_run, map, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = import_path(file, kind=kind, write=not dry_run, columns=parse_map_options(map))
        except ImportFileError as error:
            raise CommandError(f"{file.name}: {error}") from error
        except MappingRefused as refused:
            raise CommandError(str(refused)) from refused
        for notice in result.notices:
            self.stderr.write(f"notice: {notice}")
        for header in result.ignored:
            self.stderr.write(f'column "{header}" left out: not recognised; use --map "{header}=field"')
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
