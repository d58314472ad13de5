"""export DATASET [--format csv|xlsx] [--output PATH] [--filter NAME=VALUE …] [--labels [--language fr]]
(CONTRACT.md). Without --labels: the machine format (codes). With --labels: headers and values as
labels, as the list pages' `xlsx` and `csv-excel` downloads (a CSV then separated by `;`)."""

import sys
from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import translation

from crm.exporting.datasets import export_datasets
from crm.lib.exports import FORMATS, csv_chunks, log_export, write_xlsx


class Command(BaseCommand):
    help = "Export a dataset, filtered with the same names and values as its list page's filter form."

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="One of: " + ", ".join(export_datasets()))
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            default="csv",
            help="csv (codes, comma), csv-excel (labels, semicolon: the same as csv --labels) or xlsx.",
        )
        parser.add_argument(
            "--labels",
            action="store_true",
            help="Headers and values as labels, for people (the importer reads them back); a CSV uses ';'.",
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help="Language of the labels: " + ", ".join(code for code, _name in settings.LANGUAGES) + ".",
        )
        parser.add_argument("--output", help="File to write; standard output when omitted.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A filter of the list page, e.g. type=customs_broker or region=Kayes (repeatable).",
        )

    def handle(self, *args, dataset, format, output, filter, labels, language, **options):
        try:
            language = translation.get_supported_language_variant(language)
        except LookupError:
            known = ", ".join(code for code, _name in settings.LANGUAGES)
            raise CommandError(f"unknown language {language!r}; choose one of: {known}") from None
        if format == "csv" and labels:
            format = "csv-excel"
        # The command's xlsx stays the machine format unless --labels is given.
        with translation.override(language):
            self._export(dataset, format, output, filter, labels or format == "csv-excel")

    def _export(self, dataset, format, output, filter, labels):
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
            write_xlsx(spec.dataset, queryset, output or sys.stdout.buffer, labels=labels)
            return
        delimiter = FORMATS[format].delimiter
        with open(output, "w", encoding="utf-8", newline="") if output else nullcontext(sys.stdout) as target:
            for piece in csv_chunks(spec.dataset, queryset, labels=labels, delimiter=delimiter):
                target.write(piece)
