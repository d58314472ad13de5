"""The engagement log: quick log, list (filters, export), page, edit, mark held, remove, history."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from communications.exports import ENGAGEMENTS
from communications.filters import EngagementFilter
from communications.forms import EngagementForm, FollowUpFormSet
from communications.models import Engagement, FollowUp
from communications.selectors import commitment_list, concern_list, engagement_list
from communications.services import FollowUpDraft, engagement_mark_held, engagement_remove, engagement_save
from communications.tables import EngagementTable
from communications.views.quick_additions import is_addition, quick_additions, unfinished_additions
from crm.lib.expressions import JoinedValues
from crm.lib.history import history_page
from crm.lib.listing import ListPage
from stakeholders.models import Organization

HELD_TABS = {
    "yes": pgettext_lazy("engagements tab", "Held"),
    "no": pgettext_lazy("engagements tab", "Planned"),
    "all": pgettext_lazy("engagements tab", "All"),
}


class EngagementList(ListPage):
    """Held engagements newest first by default, so that the one just logged is on page 1; planned
    ones (dated after today) in a tab of their own, soonest first. Only the page has that default:
    an export without filters holds every engagement, as the export command does."""

    table_class = EngagementTable
    filterset_class = EngagementFilter
    dataset = ENGAGEMENTS
    template_name = "communications/engagement_list.html"
    partial_template_name = "communications/partials/engagement_results.html"

    def tab(self) -> str:
        value = self.request.GET.get("held", "")
        return value if value in HELD_TABS else "yes"

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        if not self.request.GET.get("_export") and not self.request.GET.get("held"):
            kwargs["data"] = kwargs["data"].copy()
            kwargs["data"]["held"] = "yes"
        return kwargs

    def get_queryset(self):
        # The organizations' names come joined in the page's own query (no query of their own).
        names = Organization.objects.filter(engagements=OuterRef("pk")).order_by("name").values(joined_value=F("name"))
        engagements = engagement_list(user=self.request.user).annotate(organization_names=JoinedValues(names))
        if self.tab() == "no":
            return engagements.order_by("occurred_on", "pk")  # the next one first
        if self.tab() == "yes":
            # The held ones' own index order (engagement_held_date and _kind end with is_held), a key
            # that never changes the order (ids are unique): PostgreSQL's planner otherwise prefers
            # the smaller index of every live engagement and steps over each planned one dated after
            # today (56,000 at a million engagements: 12 ms instead of 2 for the page's rows).
            return engagements.order_by("-occurred_on", "-pk", "is_held")
        return engagements

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        others = QueryDict(context["filter_query"], mutable=True)
        others.pop("held", None)
        others = others.urlencode()
        current = self.tab()
        context["tabs"] = [
            {
                "label": label,
                "query": f"{others}&held={value}" if others else f"held={value}",
                "current": value == current,
            }
            for value, label in HELD_TABS.items()
        ]
        # The page's export buttons download what the tab shows.
        context["filter_query"] = next(tab["query"] for tab in context["tabs"] if tab["current"])
        context["filters_active"] = any(key not in ("sort", "held", "page") for key in self.request.GET)
        return context


def _drafts(formset) -> list[tuple[int, FollowUpDraft]]:
    return [
        (index, FollowUpDraft(f.cleaned_data["description"], f.cleaned_data["owner"], f.cleaned_data["due_on"]))
        for index, f in enumerate(formset.forms)
        if f.cleaned_data.get("description")
    ]


def _apply_problems(form, formset, drafts, error: ValidationError) -> None:
    """Put each rule's message beside its field (or beside the follow-up row it concerns)."""
    positions = [index for index, _draft in drafts]
    for key, messages_ in error.message_dict.items():
        if key.startswith("follow_ups."):
            _prefix, draft_index, field = key.split(".")
            formset.forms[positions[int(draft_index)]].add_error(field, messages_)
        else:
            form.add_error(key if key in form.fields else None, messages_)


def _save(request, form, formset, engagement):
    drafts = _drafts(formset)
    engagement = form.save(commit=False)
    try:
        return engagement_save(
            engagement=engagement,
            organizations=form.cleaned_data["organizations"],
            contacts=list(form.cleaned_data["contacts"]),
            staff=form.cleaned_data["staff"],
            topics=form.cleaned_data["topics"],
            key_factors=form.key_factor_objects(),
            follow_ups=[draft for _index, draft in drafts],
        )
    except ValidationError as error:
        _apply_problems(form, formset, drafts, error)
        return None


def _quick_log_page(request, *, instance, initial, saved_message):
    """The quick log (new or edit): sent with its button it is checked and saved; sent with one
    of the buttons that add a missing organization or person, or show the people of the
    organizations named, it comes back as typed, unchecked."""
    engagement = instance if instance.pk else None
    form = EngagementForm(request.POST or None, initial=initial, user=request.user, instance=instance)
    extra = {}
    if is_addition(request) or "_refresh" in request.POST:
        data, extra = quick_additions(request, form) if is_addition(request) else (request.POST, {})
        form = EngagementForm(data, initial=initial, user=request.user, instance=instance)
        formset = FollowUpFormSet(data, prefix="follow_ups")
        form.hold_back_errors()
        formset.hold_back_errors()
    else:
        formset = FollowUpFormSet(request.POST or None, prefix="follow_ups", initial=[{"owner": request.user}] * 2)
        if request.method == "POST":
            extra = unfinished_additions(request)
            if form.is_valid() and formset.is_valid() and not extra:
                saved = _save(request, form, formset, engagement)
                if saved is not None:
                    messages.success(request, saved_message(saved))
                    return redirect(saved)
    return render(
        request,
        "communications/engagement_form.html",
        {
            "form": form,
            "formset": formset,
            "engagement": engagement,
            # A new engagement may be logged offline: the page carries what the API's request needs.
            "api_keys": form.api_keys() if engagement is None else None,
            **extra,
        },
    )


def _logged(engagement) -> str:
    if engagement.is_held:
        return _("Engagement logged.")
    return _("Planned engagement logged: it counts in figures once you mark it held.")


@permission_required("communications.add_engagement", raise_exception=True)
def engagement_create(request):
    initial = {}
    organization_pk = request.GET.get("organization", "")
    if organization_pk.isdigit():
        organization = Organization.objects.filter(pk=organization_pk).first()
        if organization:
            initial["organizations"] = [organization]
    return _quick_log_page(request, instance=Engagement(author=request.user), initial=initial, saved_message=_logged)


def _engagement_or_404(request, pk):
    return get_object_or_404(engagement_list(user=request.user), pk=pk)


def engagement_edit(request, pk):
    engagement = _engagement_or_404(request, pk)
    if not request.user.has_perm("communications.edit_engagement", engagement):
        raise PermissionDenied
    return _quick_log_page(
        request,
        instance=engagement,
        initial={"contacts": list(engagement.contacts.all())},
        saved_message=lambda _engagement: _("Changes saved."),
    )


def engagement_detail(request, pk):
    engagement = _engagement_or_404(request, pk)
    return render(
        request,
        "communications/engagement_detail.html",
        {
            "engagement": engagement,
            "organizations": engagement.organizations.all(),
            "contacts": engagement.contacts.select_related("organization"),
            "staff": engagement.staff.all(),
            "topics": engagement.topics.all(),
            "key_factors": engagement.key_factors.all(),
            "follow_ups": FollowUp.objects.filter(engagement=engagement).select_related("owner", "engagement"),
            "commitments": commitment_list(user=request.user).filter(engagement=engagement),
            "concerns": concern_list(user=request.user).filter(engagement=engagement),
            "can_edit": request.user.has_perm("communications.edit_engagement", engagement),
        },
    )


@require_POST
def engagement_mark_held_view(request, pk):
    engagement = _engagement_or_404(request, pk)
    if not request.user.has_perm("communications.edit_engagement", engagement):
        raise PermissionDenied
    engagement_mark_held(engagement=engagement)
    messages.success(request, _("Marked as held: the engagement now counts in figures."))
    return redirect(engagement)


@permission_required("communications.delete_engagement", raise_exception=True)
def engagement_remove_view(request, pk):
    engagement = _engagement_or_404(request, pk)
    if request.method == "POST":
        engagement_remove(engagement=engagement)
        messages.success(request, _("The engagement was removed; its history is kept."))
        return redirect("communications:engagement_list")
    return render(request, "communications/engagement_remove.html", {"engagement": engagement})


def engagement_history(request, pk):
    engagement = _engagement_or_404(request, pk)
    return history_page(request, engagement, back_url=engagement.get_absolute_url())


def contact_options(request):
    """The people of the organizations typed so far (htmx, as the organizations field changes)."""
    form = EngagementForm(request.GET, user=request.user)
    return render(request, "communications/partials/contact_options.html", {"form": form})
