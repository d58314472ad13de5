"""/dashboard/: figures for a period against the previous one, charts, and what needs attention."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from communications.choices import KeyFactorCode
from communications.surveys import import_survey, survey_panel
from crm import dashboard, dashboard_charts
from stakeholders.filters import region_names
from stakeholders.imports.reading import ImportFileError


def _url(name, query) -> str:
    return f"{reverse(name)}?{urlencode(query, doseq=True)}"


def dashboard_page(request):
    form = dashboard.DashboardForm(request.GET or None, initial={"period": "90"})
    scope = dashboard.scope_from(form, request.user)
    now, before = dashboard.figures(scope), dashboard.figures(scope.previous())
    engagements_url = _url("communications:engagement_list", scope.list_query())
    period = {"start": scope.start.isoformat(), "end": scope.end.isoformat()}
    cards = [
        {
            "label": "engagements",
            "value": now.engagements,
            "change": dashboard.change(now.engagements, before.engagements),
            "url": engagements_url,
        },
        {
            "label": "organizations",
            "value": now.organizations,
            "change": dashboard.change(now.organizations, before.organizations),
            "url": _url(
                "stakeholders:organization_list",
                {
                    "engaged_from": period["start"],
                    "engaged_to": period["end"],
                    **({"type": scope.type} if scope.type else {}),
                    **({"region": scope.region} if scope.region else {}),
                },
            ),
        },
        {
            "label": "coverage",
            "value": now.key_coverage,
            "suffix": "%",
            "change": dashboard.change(now.key_coverage, before.key_coverage),
            "detail": (now.key_engaged, now.key_total),
            "url": _url(
                "stakeholders:organization_list",
                {"influence_min": 4, "not_engaged_since": (scope.end - timedelta(days=89)).isoformat()},
            ),
        },
        {
            "label": "participants",
            "value": now.participants,
            "change": dashboard.change(now.participants, before.participants),
            "detail": now.women_share,
            "url": engagements_url,
        },
        {
            "label": "follow_ups",
            "value": now.follow_ups_open,
            "detail": now.follow_ups_overdue,
            "url": _url("communications:followup_list", {"owner": "me" if scope.own_user else "all"}),
            "overdue_url": _url(
                "communications:followup_list", {"owner": "me" if scope.own_user else "all", "overdue": "on"}
            ),
        },
        {
            "label": "commitments",
            "value": now.commitments,
            "change": dashboard.change(now.commitments, before.commitments),
            "url": _url(
                "communications:commitment_list",
                {"signed_from": period["start"], "signed_to": period["end"], "status": ["signed", "active", "expired"]},
            ),
        },
        {
            "label": "concerns",
            "value": now.concerns_open,
            "detail": now.median_days,
            "url": _url("communications:concern_list", {"status": ["open", "in_progress"], "referred": "no"}),
        },
        {"label": "referrals", "value": now.referrals, "change": dashboard.change(now.referrals, before.referrals)},
    ]
    since, neglected = dashboard.key_stakeholders_not_engaged(scope)
    waves, survey_lines = survey_panel(dashboard.engagements(scope))
    nonce = str(request.csp_nonce)
    return render(
        request,
        "crm/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "cards": cards,
            "figures": now,
            "charts": dashboard_charts.build(scope, nonce),
            "recency_map": dashboard_charts.recency_map(scope),
            "neglected": neglected,
            "neglected_since": since,
            "region_names": region_names(),
            "own_only": scope.own_user is not None,
            "waves": waves,
            "survey_lines": survey_lines,
        },
    )


class SurveyUploadForm(forms.Form):
    file = forms.FileField(label=_("Survey results (.csv or .xlsx)"))


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
                messages.success(request, _("%(n)s survey results imported.") % {"n": len(result.rows)})
                return redirect("dashboard")
    return render(
        request,
        "crm/survey_import.html",
        {"form": form, "problems": problems, "key_factor_choices": KeyFactorCode.choices},
    )
