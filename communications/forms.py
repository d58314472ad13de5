from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from communications.choices import CampaignStatus, Channel, FollowUpStatus, KeyFactorCode
from communications.models import Campaign, Commitment, Concern, Engagement, KeyFactor, Topic
from crm.accounts.selectors import colleagues
from crm.lib.collisions import EditCollisionMixin
from crm.lib.forms import ModelForm, RecordChoiceField, RecordsChoiceField, suggest_attrs
from stakeholders.forms import CustomsOfficeField, OrganizationChoiceField, UserEmailField
from stakeholders.models import Contact, CustomsOffice, Organization
from stakeholders.selectors import organizations_registered_as

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ORGANIZATIONS = 30


def active_users(*, keeping=()):
    """Colleagues by name (crm.accounts.selectors.colleagues), with the people already on the record."""
    return colleagues(keeping=keeping).order_by("first_name", "last_name")


class OrganizationsField(forms.CharField):
    """Several organizations, typed by name or registration number and separated by semicolons."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_organizations", "organization-options"))
        )
        kwargs.setdefault("help_text", _("Type a name or registration number; separate several with a semicolon (;)."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "; ".join(OrganizationChoiceField.label_for(o) for o in value)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        parts = [p.strip() for p in text.split(";") if p.strip()]
        if len(parts) > MAX_ORGANIZATIONS:
            raise forms.ValidationError(
                ngettext("At most %(n)s organization.", "At most %(n)s organizations.", MAX_ORGANIZATIONS)
                % {"n": MAX_ORGANIZATIONS}
            )
        found, unknown = [], []
        for part in parts:
            organization = resolve_organization(part)
            if organization is None:
                unknown.append(part)
            elif organization not in found:
                found.append(organization)
        if unknown:
            raise forms.ValidationError(
                _("Not found: %(names)s. Pick names from the list, or add the organization first.")
                % {"names": "; ".join(unknown)}
            )
        return found


def resolve_organization(text: str):
    """The organization one typed name or label means, or None."""
    separator = OrganizationChoiceField.SEPARATOR
    number = text.rsplit(separator, 1)[-1] if separator in text else text
    match = organizations_registered_as(number).first()
    if match:
        return match
    name = text.rsplit(separator, 1)[0] if separator in text else text
    for archived in (False, True):  # an active organization first; an archived one still resolves
        matches = list(Organization.objects.filter(name__iexact=name.strip(), is_archived=archived)[:2])
        if matches:
            return matches[0] if len(matches) == 1 else None
    return None


class EngagementForm(EditCollisionMixin, ModelForm):
    """The quick log: what is always known first (date, kind, organizations, title), the rest after."""

    organizations = OrganizationsField(label=_("Organizations met"))
    customs_office = CustomsOfficeField(label=_("Customs office"))
    contacts = RecordsChoiceField(
        label=_("People met"),
        queryset=Contact.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    staff = RecordsChoiceField(
        label=_("Customs staff present"),
        queryset=active_users(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    topics = RecordsChoiceField(
        label=_("Topics"), queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    key_factors = forms.MultipleChoiceField(
        label=_("Key factors (Revised Arusha Declaration)"),
        required=False,
        choices=KeyFactorCode.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Engagement
        fields = [
            "occurred_on",
            "kind",
            "organizations",
            "title",
            "contacts",
            "staff",
            "mode",
            "location",
            "customs_office",
            "participants",
            "women_participants",
            "topics",
            "key_factors",
            "depth",
            "sentiment",
            "campaign",
            "summary",
        ]
        widgets = {"occurred_on": DATE, "summary": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"occurred_on": _("A date in the future logs a planned engagement.")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # People who have left, or lost their role, stay on what they attended.
        attended = self.instance.staff.values("pk") if self.instance.pk else ()
        self.fields["staff"].queryset = active_users(keeping=attended)
        self.fields["campaign"].queryset = Campaign.objects.exclude(status=CampaignStatus.CANCELLED)
        if self.instance.pk:
            self.initial.setdefault("organizations", list(self.instance.organizations.all()))
            self.initial["key_factors"] = list(self.instance.key_factors.values_list("code", flat=True))
        elif user is not None:
            self.initial.setdefault("staff", [user])

    def hold_back_errors(self) -> None:
        """Show what was typed without checking it: the officer is still filling the quick log in
        (adding a missing organization, showing the people of those named)."""
        self._errors = ErrorDict()  # form.errors reads it; full_clean() is not run
        self.cleaned_data = {}

    def chosen_organizations(self) -> list:
        """The organizations typed so far (from what was posted, else the initial value)."""
        if self.is_bound:
            try:
                return self.fields["organizations"].clean(self.data.get(self.add_prefix("organizations"), ""))
            except forms.ValidationError:
                return []
        initial = self.initial.get("organizations") or []
        return list(initial)

    def contact_options(self):
        """People of the chosen organizations, offered as checkboxes."""
        organizations = self.chosen_organizations()
        if not organizations:
            return []
        chosen = {
            str(v)
            for v in (
                self.data.getlist(self.add_prefix("contacts"))
                if self.is_bound
                else [c.pk for c in self.initial.get("contacts", [])]
            )
        }
        people = Contact.objects.filter(organization__in=organizations, is_archived=False)
        if self.instance.pk:  # an archived person stays on the engagements they attended
            people = people | Contact.objects.filter(engagements=self.instance)
        people = people.distinct().select_related("organization")
        return [(c, str(c.pk) in chosen) for c in people.order_by("organization__name", "-is_key_contact", "last_name")]

    def key_factor_objects(self):
        return list(KeyFactor.objects.filter(code__in=self.cleaned_data.get("key_factors", [])))

    def api_keys(self) -> dict:
        """How the API names what this form offers by id (people by e-mail address, topics by code,
        offices by id where the form takes a name): the offline quick log turns what was typed into
        the API's request with it (crm/static/crm/js/offline.js)."""
        users = self.fields["staff"].queryset.values_list("pk", "email")
        return {
            "users": {str(pk): email for pk, email in users},
            "topics": {str(pk): code for pk, code in self.fields["topics"].queryset.values_list("pk", "code")},
            "offices": {name.lower(): pk for name, pk in CustomsOffice.objects.values_list("name", "pk")},
        }


class FollowUpDraftForm(forms.Form):
    description = forms.CharField(label=_("What"), max_length=300, required=False)
    owner = RecordChoiceField(label=_("Who"), queryset=active_users(), required=False)
    due_on = forms.DateField(label=_("By when"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("description"):
            if not cleaned.get("owner"):
                self.add_error("owner", _("Who will do it?"))
            if not cleaned.get("due_on"):
                self.add_error("due_on", _("By when?"))
        elif cleaned.get("due_on"):
            self.add_error("description", _("Say what is to be done."))
        return cleaned


class BaseFollowUpFormSet(forms.BaseFormSet):
    def hold_back_errors(self) -> None:
        """As EngagementForm.hold_back_errors."""
        for form in self.forms:
            form._errors, form.cleaned_data = ErrorDict(), {}
        self._errors, self._non_form_errors = [ErrorDict() for _form in self.forms], self.error_class()


# Two rows, the signed-in officer as the default owner (given as initial data by the views).
FollowUpFormSet = forms.formset_factory(FollowUpDraftForm, formset=BaseFollowUpFormSet, extra=0, max_num=20)


class FollowUpEditForm(forms.Form):
    description = forms.CharField(label=_("What"), max_length=300)
    owner = RecordChoiceField(label=_("Who"), queryset=active_users())
    due_on = forms.DateField(label=_("By when"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.initial.get("owner")  # the follow-up's owner stays choosable, whatever became of them
        self.fields["owner"].queryset = active_users(keeping=[getattr(owner, "pk", owner)] if owner else [])


class CommitmentForm(ModelForm):
    parties = OrganizationsField(label=_("Parties"))

    class Meta:
        model = Commitment
        fields = [
            "type",
            "title",
            "parties",
            "status",
            "signed_on",
            "valid_until",
            "review_on",
            "document_reference",
            "notes",
        ]
        widgets = {
            "signed_on": DATE,
            "valid_until": DATE,
            "review_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("parties", list(self.instance.parties.all()))

    def clean(self):
        cleaned = super().clean()
        signed, until = cleaned.get("signed_on"), cleaned.get("valid_until")
        if signed and until and until < signed:
            self.add_error("valid_until", _("Cannot end before it was signed."))
        return cleaned


class ConcernForm(ModelForm):
    organization = OrganizationChoiceField(label=_("Raised by"))

    class Meta:
        model = Concern
        fields = [
            "organization",
            "raised_on",
            "referred_to_internal_affairs",
            "referral_reference",
            "topic",
            "summary",
            "status",
            "response",
            "resolved_on",
        ]
        widgets = {
            "raised_on": DATE,
            "resolved_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "referred_to_internal_affairs": _(
                "An allegation against officials is not recorded here: refer it to Internal Affairs and note only "
                "the date and their reference. Any summary, topic or response typed is then discarded."
            ),
            "resolved_on": _("Today when the status is resolved or closed and this is left empty."),
        }

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("referred_to_internal_affairs") and not cleaned.get("summary") and not self.errors:
            self.add_error("summary", _("Say what was raised (or tick the referral box)."))
        return cleaned


class CampaignForm(ModelForm):
    owner = UserEmailField(label=_("Owner"))
    key_factors = forms.MultipleChoiceField(
        label=_("Key factors (Revised Arusha Declaration)"),
        required=False,
        choices=KeyFactorCode.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"), required=False, choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "status",
            "objective",
            "key_messages",
            "starts_on",
            "ends_on",
            "owner",
            "key_factors",
            "channels",
            "target_reached",
            "target_events",
            "target_commitments",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "objective": forms.Textarea(attrs={"rows": 2}),
            "key_messages": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["key_factors"] = list(self.instance.key_factors.values_list("code", flat=True))
            self.initial["channels"] = self.instance.channel_codes
            self.fields["owner"].kept = self.instance.owner

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return cleaned

    def key_factor_objects(self):
        return list(KeyFactor.objects.filter(code__in=self.cleaned_data.get("key_factors", [])))

    def api_keys(self) -> dict:
        """How the API names what this form offers by id (people by e-mail address, topics by code,
        offices by id where the form takes a name): the offline quick log turns what was typed into
        the API's request with it (crm/static/crm/js/offline.js)."""
        users = self.fields["staff"].queryset.values_list("pk", "email")
        return {
            "users": {str(pk): email for pk, email in users},
            "topics": {str(pk): code for pk, code in self.fields["topics"].queryset.values_list("pk", "code")},
            "offices": {name.lower(): pk for name, pk in CustomsOffice.objects.values_list("name", "pk")},
        }
