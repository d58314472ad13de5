"""Filters of the engagement log lists; their names are the query parameters of pages and exports."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications.choices import (
    OPEN_FOLLOW_UP_STATUSES,
    CampaignStatus,
    CommitmentStatus,
    CommitmentType,
    ConcernStatus,
    Depth,
    EngagementKind,
    FollowUpStatus,
    KeyFactorCode,
    Sentiment,
)
from communications.models import Campaign, Commitment, Concern, Engagement, FollowUp, Topic
from crm.lib import search
from crm.lib.forms import suggest_attrs
from stakeholders.choices import OrganizationType
from stakeholders.filters import ChoicesFilter
from stakeholders.models import Organization
from stakeholders.normalize import fold

DATE = forms.DateInput(attrs={"type": "date"})


def _person(queryset, field, value, request):
    value = value.strip()
    if value.lower() in ("me", "moi") and request is not None and request.user.is_authenticated:
        return queryset.filter(**{field: request.user})
    return queryset.filter(**{f"{field}__email__iexact": value})


def _organization(queryset, path, value):
    value = value.strip()
    if value.isdigit():
        return queryset.filter(**{f"{path}__pk": int(value)})
    return queryset.filter(Q(**{f"{path}__registration_number__iexact": value}) | Q(**{f"{path}__name__iexact": value}))


def _titled_or_met(word: str) -> Q:
    """Engagements whose title or place holds `word`, or met an organization whose text does.

    A few matches: the list starts from them and sorts them. Many (90 000 titles hold "release"):
    it walks its date index and checks each row's title as it goes (the organizations met: each
    row's id looked up in theirs), as sorting them all first took 0.6 s at a million engagements.
    Both databases need telling which: PostgreSQL's planner, which cannot tell a rare word from a
    common one in its statistics, read every engagement for a word nobody wrote (0.24 s). Both counts are asked, in one query, so a list costs the same queries whatever
    its rows."""
    met = Engagement.organizations.through.objects.filter(search.holds(Organization, word, "organization"))
    by_organization = met.values("engagement_id")
    if search.few_matches(Engagement, word, also=by_organization):
        return search.holds_or_among(Engagement, word, by_organization)
    return search.holds(Engagement, word, looked_up=True) | search.looked_up_in(by_organization)


class EngagementFilter(filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"), method="filter_q", help_text=_("Any part of the title, place or organization")
    )
    kind = ChoicesFilter(label=_("Kind"), choices=EngagementKind.choices)
    date_from = filters.DateFilter(label=_("From"), field_name="occurred_on", lookup_expr="gte", widget=DATE)
    date_to = filters.DateFilter(label=_("To"), field_name="occurred_on", lookup_expr="lte", widget=DATE)
    region = filters.CharFilter(
        label=_("Region"),
        method="filter_region",
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_regions", "region-options", on_focus=True)),
    )
    customs_office = filters.CharFilter(
        label=_("Customs office"),
        method="filter_customs_office",
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_customs_offices", "office-options")),
    )
    organization = filters.CharFilter(
        label=_("Organization"),
        method="filter_organization",
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_organizations", "organization-options")),
    )
    # Subqueries rather than joins: a row never repeats, and counts stay right.
    topic = filters.ModelChoiceFilter(
        label=_("Topic"), queryset=Topic.objects.all(), to_field_name="code", method="filter_topic"
    )
    key_factor = filters.ChoiceFilter(label=_("Key factor"), choices=KeyFactorCode.choices, method="filter_key_factor")
    depth = ChoicesFilter(label=_("Depth"), choices=Depth.choices)
    sentiment = ChoicesFilter(label=_("Sentiment"), choices=Sentiment.choices)
    campaign = filters.ModelChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.all())
    staff = filters.CharFilter(
        label=_("Customs staff"),
        method="filter_staff",
        help_text=_("E-mail address, or “me”."),
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_owners", "owner-options")),
    )
    author = filters.CharFilter(label=_("Logged by"), method="filter_author", help_text=_("E-mail address, or “me”."))
    organization_type = filters.ChoiceFilter(
        label=_("Stakeholder type"), choices=OrganizationType.choices, method="filter_organization_type"
    )
    # The list page shows it as tabs (held by default there); without it, every engagement.
    held = filters.ChoiceFilter(
        label=_("Held or planned"),
        method="filter_held",
        choices=[("yes", _("Held")), ("no", _("Planned")), ("all", _("All"))],
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Engagement
        fields = []

    def filter_q(self, queryset, name, value):
        """Each word in the title or place, or in the name of an organization met (text indexes,
        crm/lib/search.py)."""
        for word in search.words(value):
            queryset = queryset.filter(_titled_or_met(word))
        return queryset

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__key__in=[fold(v) for v in value.replace(";", ",").split(",") if v.strip()])

    def filter_customs_office(self, queryset, name, value):
        return queryset.filter(customs_office__name__iexact=value.strip())

    def filter_organization(self, queryset, name, value):
        through = Engagement.organizations.through.objects.all()
        return queryset.filter(pk__in=_organization(through, "organization", value).values("engagement_id"))

    def filter_staff(self, queryset, name, value):
        through = Engagement.staff.through.objects.all()
        matches = _person(through, "user", value, self.request)
        return queryset.filter(pk__in=matches.values("engagement_id"))

    def filter_author(self, queryset, name, value):
        return _person(queryset, "author", value, self.request)

    def filter_organization_type(self, queryset, name, value):
        through = Engagement.organizations.through.objects.filter(organization__type=value)
        return queryset.filter(pk__in=through.values("engagement_id"))

    def filter_held(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(is_held=value == "yes")

    def filter_key_factor(self, queryset, name, value):
        through = Engagement.key_factors.through.objects.filter(keyfactor__code=value)
        return queryset.filter(pk__in=through.values("engagement_id"))

    def filter_topic(self, queryset, name, value):
        through = Engagement.topics.through.objects.filter(topic=value)
        return queryset.filter(pk__in=through.values("engagement_id"))


class FollowUpFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q")
    status = ChoicesFilter(label=_("Status"), choices=FollowUpStatus.choices)
    owner = filters.CharFilter(
        label=_("Who"),
        method="filter_owner",
        help_text=_("E-mail address, “me” (the default) or “all”."),
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_owners", "owner-options")),
    )
    due_from = filters.DateFilter(label=_("Due from"), field_name="due_on", lookup_expr="gte", widget=DATE)
    due_to = filters.DateFilter(label=_("Due by"), field_name="due_on", lookup_expr="lte", widget=DATE)
    overdue = filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)
    engagement = filters.NumberFilter(label=_("Engagement"), field_name="engagement_id", widget=forms.HiddenInput)

    class Meta:
        model = FollowUp
        fields = []

    def filter_queryset(self, queryset):
        # By default: the user's own ("all" shows everyone's), and only open ones unless a status is asked.
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("owner") and self.request is not None:
            queryset = _person(queryset, "owner", "me", self.request)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in_codes=OPEN_FOLLOW_UP_STATUSES)
        return queryset

    def filter_q(self, queryset, name, value):
        return search.matching(queryset, value, walked=True)  # the description's text index (crm/lib/search.py)

    def filter_owner(self, queryset, name, value):
        if value.strip().lower() in ("all", "tous", "tout"):
            return queryset
        return _person(queryset, "owner", value, self.request)

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(status__in_codes=OPEN_FOLLOW_UP_STATUSES, due_on__lt=timezone.localdate())
        return queryset


class CommitmentFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q", help_text=_("Title, reference or party"))
    status = ChoicesFilter(label=_("Status"), choices=CommitmentStatus.choices)
    type = ChoicesFilter(label=_("Type"), choices=CommitmentType.choices)
    organization = filters.CharFilter(
        label=_("Party"),
        method="filter_organization",
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_organizations", "organization-options")),
    )
    signed_from = filters.DateFilter(label=_("Signed from"), field_name="signed_on", lookup_expr="gte", widget=DATE)
    signed_to = filters.DateFilter(label=_("Signed until"), field_name="signed_on", lookup_expr="lte", widget=DATE)
    due_within = filters.NumberFilter(
        label=_("Review or expiry within (days)"), method="filter_due_within", min_value=0, max_value=3650
    )

    class Meta:
        model = Commitment
        fields = []

    def filter_q(self, queryset, name, value):
        if not search.words(value):  # punctuation alone: nothing to look for
            return queryset
        # Its own title and reference by their text index (crm/lib/search.py), every word; or a party
        # by its organization's text index, not by joining every organization.
        named = search.matching(Organization.objects.all(), value).values("pk")
        parties = Commitment.parties.through.objects.filter(organization__in=named)
        return queryset.filter(search.holds_every(Commitment, value) | Q(pk__in=parties.values("commitment_id")))

    def filter_organization(self, queryset, name, value):
        parties = _organization(Commitment.parties.through.objects.all(), "organization", value)
        return queryset.filter(pk__in=parties.values("commitment_id"))

    def filter_due_within(self, queryset, name, value):
        limit = timezone.localdate() + timezone.timedelta(days=int(value))
        return queryset.filter(Q(review_on__lte=limit) | Q(valid_until__lte=limit)).exclude(
            status__in=[CommitmentStatus.EXPIRED, CommitmentStatus.TERMINATED]
        )


class ConcernFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_q", help_text=_("Summary, response or organization"))
    status = ChoicesFilter(label=_("Status"), choices=ConcernStatus.choices)
    topic = filters.ModelChoiceFilter(label=_("Topic"), queryset=Topic.objects.all(), to_field_name="code")
    organization = filters.CharFilter(
        label=_("Organization"),
        method="filter_organization",
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_organizations", "organization-options")),
    )
    raised_from = filters.DateFilter(label=_("Raised from"), field_name="raised_on", lookup_expr="gte", widget=DATE)
    raised_to = filters.DateFilter(label=_("Raised until"), field_name="raised_on", lookup_expr="lte", widget=DATE)
    resolved_from = filters.DateFilter(
        label=_("Resolved from"), field_name="resolved_on", lookup_expr="gte", widget=DATE
    )
    resolved_to = filters.DateFilter(
        label=_("Resolved until"), field_name="resolved_on", lookup_expr="lte", widget=DATE
    )
    referred = filters.ChoiceFilter(
        label=_("Referred to Internal Affairs"), method="filter_referred", choices=[("yes", _("Yes")), ("no", _("No"))]
    )

    class Meta:
        model = Concern
        fields = []

    def filter_q(self, queryset, name, value):
        # Searching never reaches into referrals' (empty) narrative, nor reveals them: the rows come
        # from concern_list(), which already hides referrals from those not allowed to see them.
        # Each word in the summary or response, or in the organization's text: their text indexes
        # (crm/lib/search.py). A referral's search text is empty (Concern.folded_text()).
        return search.matching(queryset, value, also={"organization": Organization}, walked=True)

    def filter_organization(self, queryset, name, value):
        return _organization(queryset, "organization", value)

    def filter_referred(self, queryset, name, value):
        return queryset.filter(referred_to_internal_affairs=value == "yes")


class CampaignFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), field_name="name", lookup_expr="icontains")
    status = ChoicesFilter(label=_("Status"), choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields = []


# The engagement filters other lists accept, prefixed, so that a dashboard figure about
# follow-ups, commitments, concerns or organizations links to a list that counts the same rows.
ENGAGEMENT_SCOPE = {
    "engagement_region": "region",
    "engagement_office": "customs_office",
    "engagement_author": "author",
    "engagement_campaign": "campaign",
    "engagement_type": "organization_type",
    "engagement_from": "date_from",
    "engagement_to": "date_to",
    "engagement_held": "held",
}


def engagements_in_scope(params: dict, request=None):
    """The engagements (not removed) that the engagement list would show for these filters, or
    None when no filter is given. `params` uses the engagement list's own filter names."""
    given = {name: value for name, value in params.items() if value not in (None, "", [])}
    if not given:
        return None
    data = QueryDict(mutable=True)
    for name, value in given.items():
        data.setlist(name, value if isinstance(value, list) else [str(value)])
    filterset = EngagementFilter(data, queryset=Engagement.objects.filter(is_removed=False), request=request)
    return filterset.qs if filterset.is_valid() else Engagement.objects.none()


def organizations_engaged(params: dict, request=None):
    """The ids of the organizations met at the engagements matching `params` (the organization
    list's engaged_* filters ask, through stakeholders.extensions)."""
    engagements = engagements_in_scope(params, request)
    links = Engagement.organizations.through.objects
    return (
        links.filter(engagement__in=engagements).values("organization_id") if engagements is not None else links.none()
    )


def add_engagement_scope(filterset_class):
    """Give a FilterSet of rows tied to an engagement the engagement_* filters (class decorator)."""
    labels = {
        "engagement_region": _("Engagement region"),
        "engagement_office": _("Engagement customs office"),
        "engagement_author": _("Engagement logged by"),
        "engagement_campaign": _("Engagement campaign"),
        "engagement_type": _("Engagement stakeholder type"),
        "engagement_from": _("Engagement from"),
        "engagement_to": _("Engagement until"),
        "engagement_held": _("Engagement held"),
    }
    for name in ENGAGEMENT_SCOPE:
        widget = DATE if name in ("engagement_from", "engagement_to") else forms.HiddenInput
        field = filters.DateFilter if name in ("engagement_from", "engagement_to") else filters.CharFilter
        declared = field(label=labels[name], method="filter_engagement_scope", widget=widget)
        declared.model = filterset_class._meta.model
        filterset_class.base_filters[name] = declared

    def filter_engagement_scope(self, queryset, name, value):
        if getattr(self, "_engagement_scope_applied", False):
            return queryset
        self._engagement_scope_applied = True
        params = {target: self.form.cleaned_data.get(source) for source, target in ENGAGEMENT_SCOPE.items()}
        params = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.items()}
        engagements = engagements_in_scope(params, getattr(self, "request", None))
        return queryset if engagements is None else queryset.filter(engagement__in=engagements)

    filterset_class.filter_engagement_scope = filter_engagement_scope
    return filterset_class


FollowUpFilter = add_engagement_scope(FollowUpFilter)
CommitmentFilter = add_engagement_scope(CommitmentFilter)
ConcernFilter = add_engagement_scope(ConcernFilter)
