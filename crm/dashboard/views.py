"""/dashboard/: figures for a period against the previous one, charts, and what needs attention.

The dashboard's modules (and pandas with them) are imported by its page when first shown, not when
the URLs load: a worker serving only lists and forms stays about 56 MB lighter.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy, ngettext

from communications.choices import KeyFactorCode
from communications.surveys import import_survey, survey_panel
from crm.lib.reading import ImportFileError


def _url(name, query) -> str:
    return f"{reverse(name)}?{urlencode(query, doseq=True)}"


def _link(url: str, n: int) -> str:
    return format_html('<a href="{}">{}</a>', url, intcomma(n))


def dashboard_page(request):
    from crm.dashboard import cache, selectors

    data = request.GET.copy()
    if data and not data.get("period"):  # other filters but no period (a link): show the one counted
        data["period"] = selectors.DEFAULT_PERIOD
    form = selectors.DashboardForm(data or None, initial={"period": selectors.DEFAULT_PERIOD})
    valid = not form.is_bound or form.is_valid()
    scope = selectors.scope_from(form, request.user)
    context = {"form": form, "scope": scope, "valid": valid, "own_only": scope.own}
    if valid:  # no figure for filters that could not be read: say so, show nothing misleading
        context["figures_html"], context["counted_at"] = cache.figures_html(
            request,
            lambda: render_to_string("crm/dashboard_figures.html", _figures(request, scope), request),
        )
    return render(request, "crm/dashboard.html", context)


def _figures(request, scope) -> dict:
    """Everything the dashboard counts, for its figures template (seconds on a million engagements)."""
    from crm.dashboard import charts, rolled_up, selectors

    facts = selectors.engagement_facts(scope, request)
    reach = selectors.reach(scope, request)
    now = selectors.figures(scope, request, facts, reach)
    before = selectors.figures(scope.previous(), request, later=now)
    links = {key: _url(name, query) for key, (name, query) in selectors.figure_queries(scope).items()}
    cards = [
        {
            "label": "engagements",
            "value": now.engagements,
            "change": selectors.change(now.engagements, before.engagements),
            "url": links["engagements"],
        },
        {
            "label": "organizations",
            "value": now.organizations,
            "change": selectors.change(now.organizations, before.organizations),
            "url": links["organizations"],
        },
        {
            # A share opens nothing (no list holds "75 %" rows); its two counts open theirs.
            "label": "coverage",
            "value": now.key_coverage,
            "suffix": "%",
            "detail": (now.key_engaged, now.key_total),
            "detail_urls": (links["coverage"], links["key_stakeholders"]),
            "detail_links": (
                _link(links["coverage"], now.key_engaged),
                _link(links["key_stakeholders"], now.key_total),
            ),
            "change": selectors.change(now.key_coverage, before.key_coverage),
        },
        {
            # A sum of participants, not rows: the engagements it comes from are the first card's.
            "label": "participants",
            "value": now.participants,
            "detail": now.women_share,
            "change": selectors.change(now.participants, before.participants),
        },
        {
            "label": "follow_ups",
            "value": now.follow_ups_open,
            "detail": now.follow_ups_overdue,
            "url": links["follow_ups"],
            "overdue_url": links["follow_ups_overdue"],
        },
        {
            "label": "commitments",
            "value": now.commitments,
            "change": selectors.change(now.commitments, before.commitments),
            "url": links["commitments"],
        },
        {
            # Whole days, so that the words agree with the number shown ("1 day", "2 days").
            "label": "concerns",
            "value": now.concerns_open,
            "detail": None if now.median_days is None else int(now.median_days + 0.5),
            "url": links["concerns"],
        },
        {"label": "referrals", "value": now.referrals, "change": selectors.change(now.referrals, before.referrals)},
    ]
    since, neglected = selectors.key_stakeholders_not_engaged(scope, request)
    kept = rolled_up.scope_key(scope, request) is not None
    volume = rolled_up.factor_volume(facts) if kept else None
    waves, survey_lines = survey_panel(selectors.engagements(scope, request), volume)
    return {
        "cards": cards,
        "figures": now,
        "charts": charts.build(scope, request, facts, reach.by_type),
        "recency_map": charts.recency_map(scope, request),
        "neglected": neglected,
        "neglected_since": since,
        "waves": waves,
        "survey_lines": survey_lines,
        "survey_query": urlencode(scope.engagement_query()),
    }


class SurveyUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Survey results (.csv or .xlsx)"))


@permission_required("communications.add_surveyresult", raise_exception=True)
def survey_import(request):
    """Import aggregate CIPS results: all rows checked, nothing written while one is wrong."""
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_survey(upload.read(), upload.name)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if result.problems:
                problems = result.problems
            else:
                imported = len(result.rows)
                messages.success(
                    request,
                    ngettext("%(n)s survey result imported.", "%(n)s survey results imported.", imported)
                    % {"n": imported},
                )
                return redirect("dashboard")
    return render(
        request,
        "crm/survey_import.html",
        {"form": form, "problems": problems, "key_factor_choices": KeyFactorCode.choices},
    )
