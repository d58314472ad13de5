"""The filters of the organization and contact lists. Their names are the query parameters of the
list pages, of exports (`?_export=`), of the `export` command and of campaign audiences."""

import django_filters as filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from crm.lib import search
from crm.lib.forms import suggest_attrs
from crm.lib.lookups import InCodes
from stakeholders import extensions
from stakeholders.choices import AeoStatus, OrganizationType, Sector, Stance, language_choices
from stakeholders.models import Contact, Organization
from stakeholders.normalize import fold, registration_key


class ChoicesFilter(filters.MultipleChoiceFilter):
    """Several values of one column of the listed table. No join, so no DISTINCT: django-filter
    adds one by default, and on PostgreSQL it stops the list being read in its index's order. One
    IN with the codes in the SQL (crm/lib/lookups.py), not django-filter's OR of equalities:
    PostgreSQL reads it from an index on the column (a campaign's audience of brokers and
    forwarders counted in 5 ms instead of 15), SQLite matches it to partial indexes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value or self.is_noop(qs, value):
            return qs
        condition = InCodes(F(self.field_name), [str(code) for code in value])  # the form took choices only
        return qs.exclude(condition) if self.exclude else qs.filter(condition)


ARCHIVED_CHOICES = [("", _("Active only")), ("archived", _("Archived only")), ("all", _("Active and archived"))]
YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _archived(queryset, value):
    if value == "archived":
        return queryset.filter(is_archived=True)
    if value == "all":
        return queryset
    return queryset.filter(is_archived=False)


class ArchivedFilterMixin:
    """Lists show active records unless asked otherwise."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return _archived(queryset, self.form.cleaned_data.get("archived"))


class OrganizationFilter(ArchivedFilterMixin, filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Any part of the name, acronym, registration number, city or e-mail"),
    )
    type = ChoicesFilter(label=_("Type"), choices=OrganizationType.choices)
    sector = ChoicesFilter(label=_("Sector"), choices=Sector.choices)
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
    aeo_status = ChoicesFilter(label=_("AEO status"), choices=AeoStatus.choices)
    stance = ChoicesFilter(label=_("Stance"), choices=Stance.choices)
    tags = filters.CharFilter(
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_tags", "tag-options")),
        label=_("Tags"),
        method="filter_tags",
        help_text=_("Several tags: separate them with commas (any of them matches)."),
    )
    owner = filters.CharFilter(
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_owners", "owner-options")),
        label=_("Relationship owner"),
        method="filter_owner",
        help_text=_("E-mail address, or “me”."),
    )
    not_engaged_since = filters.DateFilter(
        label=_("Not engaged since"), method="filter_not_engaged_since", widget=forms.DateInput(attrs={"type": "date"})
    )
    engaged_from = filters.DateFilter(
        label=_("Engaged from"), method="filter_engaged", widget=forms.DateInput(attrs={"type": "date"})
    )
    engaged_to = filters.DateFilter(
        label=_("Engaged until"), method="filter_engaged", widget=forms.DateInput(attrs={"type": "date"})
    )
    engaged_region = filters.CharFilter(label=_("Engaged in region"), method="filter_engaged", widget=forms.HiddenInput)
    engaged_office = filters.CharFilter(
        label=_("Engaged at customs office"), method="filter_engaged", widget=forms.HiddenInput
    )
    engaged_by = filters.CharFilter(label=_("Engaged by"), method="filter_engaged", widget=forms.HiddenInput)
    engaged_campaign = filters.CharFilter(
        label=_("Engaged in campaign"), method="filter_engaged", widget=forms.HiddenInput
    )
    campaign_audience = filters.NumberFilter(
        label=_("In the audience of campaign"), method="filter_campaign_audience", widget=forms.HiddenInput
    )
    influence = filters.NumberFilter(label=_("Influence"), min_value=1, max_value=5)
    interest = filters.NumberFilter(label=_("Interest"), min_value=1, max_value=5)
    influence_min = filters.NumberFilter(
        label=_("Influence at least"), field_name="influence", lookup_expr="gte", min_value=1, max_value=5
    )
    archived = filters.ChoiceFilter(
        label=_("Archived"), choices=ARCHIVED_CHOICES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = Organization
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset  # applied by ArchivedFilterMixin, also when absent

    def filter_q(self, queryset, name, value):
        return search.matching(queryset, value)  # the text index (crm/lib/search.py)

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__key__in=[fold(v) for v in _split(value)])

    def filter_customs_office(self, queryset, name, value):
        return queryset.filter(customs_office__name__iexact=value.strip())

    def filter_tags(self, queryset, name, value):
        through = Organization.tags.through
        keys = [fold(v) for v in _split(value)]
        return queryset.filter(Exists(through.objects.filter(organization=OuterRef("pk"), tag__key__in=keys)))

    def filter_owner(self, queryset, name, value):
        if value.strip().lower() in ("me", "moi") and self.request and self.request.user.is_authenticated:
            return queryset.filter(owner=self.request.user)
        return queryset.filter(owner__email__iexact=value.strip())

    def filter_engaged(self, queryset, name, value):
        """Organizations met at a held engagement matching the engaged_* filters (applied once)."""
        if getattr(self, "_engaged_applied", False):
            return queryset
        self._engaged_applied = True
        data = self.form.cleaned_data
        params = {
            "held": "yes",
            "region": data.get("engaged_region"),
            "customs_office": data.get("engaged_office"),
            "author": data.get("engaged_by"),
            "campaign": data.get("engaged_campaign"),
            "date_from": data["engaged_from"].isoformat() if data.get("engaged_from") else None,
            "date_to": data["engaged_to"].isoformat() if data.get("engaged_to") else None,
        }
        if not extensions.ORGANIZATIONS_ENGAGED:
            return queryset.none()
        [organizations_engaged] = extensions.ORGANIZATIONS_ENGAGED
        return queryset.filter(pk__in=organizations_engaged(params, self.request))

    def filter_campaign_audience(self, queryset, name, value):
        """A campaign's audience, as the app holding campaigns answers (stakeholders/extensions.py)."""
        if not extensions.ORGANIZATIONS_IN_AUDIENCE:
            return queryset.none()
        [organizations_in_audience] = extensions.ORGANIZATIONS_IN_AUDIENCE
        return queryset.filter(pk__in=organizations_in_audience(value))

    def filter_not_engaged_since(self, queryset, name, value):
        return queryset.filter(Q(last_engaged_on__lt=value) | Q(last_engaged_on__isnull=True))


class ContactFilter(ArchivedFilterMixin, filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Any part of the name, e-mail, phone, job title or organization"),
    )
    organization = filters.CharFilter(
        label=_("Organization"),
        method="filter_organization",
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_organizations", "organization-options")),
    )
    consent = filters.ChoiceFilter(label=_("Consents to communications"), choices=YES_NO[1:], method="filter_yes_no")
    is_key_contact = filters.ChoiceFilter(label=_("Key contact"), choices=YES_NO[1:], method="filter_yes_no")
    preferred_language = filters.ChoiceFilter(label=_("Preferred language"), choices=language_choices()[1:])
    archived = filters.ChoiceFilter(
        label=_("Archived"), choices=ARCHIVED_CHOICES, method="filter_nothing", empty_label=None
    )

    class Meta:
        model = Contact
        fields = []

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        # Each word in the person's text or in their organization's (crm/lib/search.py).
        return search.matching(queryset, value, also={"organization": Organization})

    def filter_organization(self, queryset, name, value):
        """An organization's id (links from its page), registration number or exact name."""
        value = value.strip()
        if value.isdigit():
            return queryset.filter(organization_id=int(value))
        by_number = Q(organization__registration_number__iexact=value) if registration_key(value) else Q()
        return queryset.filter(by_number | Q(organization__name__iexact=value))

    def filter_yes_no(self, queryset, name, value):
        return queryset.filter(**{name: value == "yes"})
