"""The export log in words: "Organizations — Region: Kayes, Type: Customs broker" rather than the
dataset's code and the query string kept in the log (ExportLog keeps them as they were, so that the
words follow the reader's language and today's labels)."""

from urllib.parse import parse_qsl

from django import forms
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.exporting.datasets import export_datasets
from crm.models import ExportLog


def record(*, user, name: str, fmt: str, filters: str, rows: int) -> None:
    """One line of the export log, as it was asked (crm.lib.exports.record_export calls it)."""
    ExportLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        dataset=name,
        format=fmt,
        filters=filters[:2000],
        rows=rows,
    )


LIST_NAMES = {
    "organizations": gettext_lazy("Organizations"),
    "contacts": gettext_lazy("Contacts"),
    "engagements": gettext_lazy("Engagements"),
    "follow-ups": gettext_lazy("Follow-ups"),
    "commitments": gettext_lazy("Commitments"),
    "concerns": gettext_lazy("Concerns"),
    "campaigns": gettext_lazy("Campaigns"),
    "mailing-list": gettext_lazy("Campaign mailing list"),
    "personal-data": gettext_lazy("Personal data of one person"),
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "json": "JSON", "api": "API"}
LEFT_OUT = {"page", "sort", "_export"}  # they change neither which rows nor how many
ERASED = "[erased]"  # a filter's value that named a person erased on request (crm/exporting/files.py)


class ExportDescriber:
    """Describes the entries of one page of the log; filter forms and looked-up records are kept
    for the page (a campaign named by several entries is read once)."""

    def __init__(self):
        self._forms = {}
        self._values = {}
        self._pages = {}

    def list_name(self, entry) -> str:
        return str(LIST_NAMES.get(entry.dataset, entry.dataset))

    def format_name(self, entry) -> str:
        return FORMAT_NAMES.get(entry.format, entry.format)

    def describe(self, entry) -> str:
        """What was exported: the list, then each filter as "Label: value"."""
        filters = entry.filters.removeprefix("command: ")
        if filters.startswith("/"):
            if filters not in self._pages:
                self._pages[filters] = self._page(filters)
            parts = self._pages[filters]
        else:
            parts = self._filters(entry.dataset, filters)
        name = self.list_name(entry)
        return f"{name} — {', '.join(parts)}" if parts else name

    def _filters(self, dataset: str, query: str) -> list[str]:
        form = self._form(dataset)
        values: dict[str, list[str]] = {}
        for key, value in parse_qsl(query, keep_blank_values=False):
            if key not in LEFT_OUT:
                values.setdefault(key, []).append(value)
        parts = []
        for key, given in values.items():
            field = form.fields.get(key) if form is not None else None
            label = str(field.label) if field is not None and field.label else key
            shown = ", ".join(self._value(dataset, key, field, value) for value in given)
            parts.append(_("%(label)s: %(value)s") % {"label": label, "value": shown})
        return parts

    def _form(self, dataset: str):
        if dataset not in self._forms:
            spec = export_datasets().get(dataset)
            self._forms[dataset] = spec.filterset_class(queryset=spec.queryset(user=None)).form if spec else None
        return self._forms[dataset]

    def _value(self, dataset, key, field, value: str) -> str:
        if value == ERASED:
            return _("(erased)")
        if isinstance(field, forms.ModelChoiceField):
            cache_key = (dataset, key, value)
            if cache_key not in self._values:
                try:
                    self._values[cache_key] = str(field.to_python(value) or value)
                except forms.ValidationError:
                    self._values[cache_key] = value
            return self._values[cache_key]
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        return value

    def _page(self, path: str) -> list[str]:
        """Downloads from a campaign's page: its mailing list, the organizations it has not reached."""
        from communications.models import Campaign

        try:
            match = resolve(path)
        except Resolver404:
            return [path]
        campaign = Campaign.objects.filter(pk=match.kwargs.get("pk")).only("name").first()
        if campaign is None:
            return [path]
        if match.url_name == "campaign_not_reached":
            return [_("not reached by the campaign “%(name)s”") % {"name": campaign.name}]
        return [_("%(label)s: %(value)s") % {"label": _("Campaign"), "value": campaign.name}]
