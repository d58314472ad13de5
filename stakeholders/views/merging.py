"""The merge page shared by organizations and contacts: find the duplicate, compare both side by
side, choose which one is kept, merge (the services do the work and record it)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from stakeholders.forms import MergeForm
from stakeholders.services import MergeRefused


def comparison(record, other, fields: list[str]) -> list[tuple]:
    """(field label, this one's value, the other's value) for each field, choice labels shown."""
    rows = []
    for name in fields:
        label = type(record)._meta.get_field(name).verbose_name
        values = []
        for item in (record, other):
            display = getattr(item, f"get_{name}_display", None)
            values.append(display() if display else (getattr(item, name) or ""))
        rows.append((label, *values))
    return rows


def merge_page(request, record, *, merge, candidates, compare, search_hint: str, intro: str):
    """`candidates(record, q)` lists possible duplicates; `compare(record, other)` the rows shown."""
    model = type(record)
    other_pk = request.POST.get("other") or request.GET.get("other")
    other = get_object_or_404(model, pk=other_pk) if other_pk and str(other_pk).isdigit() else None
    if other is not None and other.pk == record.pk:
        other = None
    form = MergeForm(request.POST or None, initial={"other": other.pk if other else None})
    if request.method == "POST" and other is not None and form.is_valid():
        survivor, duplicate = (record, other) if form.cleaned_data["keep"] == "this" else (other, record)
        try:
            merge(survivor=survivor, duplicate=duplicate)
        except MergeRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(record)
        messages.success(
            request,
            _("“%(duplicate)s” was merged into “%(survivor)s” and archived.")
            % {"duplicate": duplicate, "survivor": survivor},
        )
        return redirect(survivor)
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "stakeholders/merge.html",
        {
            "record": record,
            "other": other,
            "form": form,
            "q": q,
            "search_hint": search_hint,
            "intro": intro,
            "candidates": candidates(record, q) if other is None else [],
            "comparison": compare(record, other) if other else [],
        },
    )
