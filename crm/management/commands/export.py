"""export DATASET [--format csv|xlsx] [--output PATH] [--filter NAME=VALUE …] (CONTRACT.md)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from crm.exports import csv_chunks, log_export, write_xlsx
from crm.registry import export_datasets


class Command(BaseCommand):
    help = "Export a dataset, filtered with the same names and values as its list page's filter form."

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="One of: " + ", ".join(export_datasets()))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="File to write; standard output when omitted.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A filter of the list page, e.g. type=customs_broker or region=Kayes (repeatable).",
        )

    def handle(self, *args, dataset, format, output, filter, **options):
        datasets = export_datasets()
        if dataset not in datasets:
            raise CommandError(f"unknown dataset {dataset!r}; choose one of: {', '.join(datasets)}")
        spec = datasets[dataset]
        query = QueryDict(mutable=True)
        for item in filter:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter takes NAME=VALUE, not {item!r}")
            query.appendlist(name.strip(), value)
        filterset = spec.filterset_class(query, queryset=spec.queryset(user=None))
        unknown = set(query) - set(filterset.filters)
        if unknown:
            raise CommandError(f"unknown filter(s) {', '.join(sorted(unknown))}; known: {', '.join(filterset.filters)}")
        if not filterset.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
            raise CommandError(f"invalid filter value: {problems}")
        queryset = filterset.qs
        log_export(
            user=None, dataset=spec.dataset, fmt=format, filters="command: " + query.urlencode(), queryset=queryset
        )
        if format == "xlsx":
            if not output:
                write_xlsx(spec.dataset, queryset, sys.stdout.buffer)
            else:
                write_xlsx(spec.dataset, queryset, output)
            return
        target = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            for piece in csv_chunks(spec.dataset, queryset):
                target.write(piece)
        finally:
            if output:
                target.close()
