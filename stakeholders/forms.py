from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm.accounts.selectors import colleagues
from crm.lib.collisions import EditCollisionMixin
from crm.lib.forms import ModelForm, RecordChoiceField, suggest_attrs
from stakeholders.choices import SCORE_CHOICES, language_choices
from stakeholders.imports import mapping
from stakeholders.imports.columns import split_tags
from stakeholders.models import Contact, CustomsOffice, Organization
from stakeholders.selectors import organizations_registered_as
from stakeholders.services import similar_organizations


class CustomsOfficeField(forms.CharField):
    """A customs office typed by name (suggestions as one types; never a <select> of all offices)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_customs_offices", "office-options"))
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            value = CustomsOffice.objects.filter(pk=value).first()
        return value.name if isinstance(value, CustomsOffice) else value

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        office = CustomsOffice.objects.filter(name__iexact=text).first()
        if office is None:
            raise forms.ValidationError(_("No customs office has this name; pick one from the list."))
        return office


class UserEmailField(forms.CharField):
    """A colleague typed by e-mail address (suggestions as one types). `kept`: the person the record
    has now, accepted though they have left or lost their role since (set by the form)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_owners", "owner-options"))
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.kept = None

    def prepare_value(self, value):
        User = get_user_model()
        # An id as the form's initial data holds it; typed text ("²", twenty digits) stays text.
        if isinstance(value, int) or (
            isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19
        ):
            value = User.objects.filter(pk=value).first()
        return value.email if isinstance(value, User) else value

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        kept = [self.kept.pk] if self.kept is not None else []
        user = colleagues(keeping=kept).filter(email__iexact=text).first()
        if user is None:
            raise forms.ValidationError(_("No active user with a role has this e-mail address."))
        return user


class OrganizationChoiceField(forms.CharField):
    """An organization picked by typing its name or registration number (never a <select> of all)."""

    SEPARATOR = " · "

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_organizations", "organization-options"))
        )
        kwargs.setdefault("help_text", _("Type a name or a registration number and pick from the list."))
        super().__init__(**kwargs)

    @classmethod
    def label_for(cls, organization: Organization | None) -> str:
        if organization is None:
            return ""
        if organization.registration_number:
            return f"{organization.name}{cls.SEPARATOR}{organization.registration_number}"
        return organization.name

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return self.label_for(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return self.label_for(Organization.objects.filter(pk=value).first()) or value
        return value

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        number = text.rsplit(self.SEPARATOR, 1)[-1] if self.SEPARATOR in text else text
        match = organizations_registered_as(number).first()
        if match:
            return match
        matches = list(Organization.objects.filter(name__iexact=text, is_archived=False)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise forms.ValidationError(_("Several organizations have this name; pick one from the list."))
        raise forms.ValidationError(_("No organization has this name or registration number."))


class DuplicateOrganizationRules:
    """The registry's de-duplication rules for a form that names an organization: a registration
    number already used is refused; a similar name must be confirmed (the box appears when needed).
    Put it before ModelForm; the form declares `confirm_similar`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.similar = []
        typed = self.data.get(self.add_prefix("name"), "")
        renamed = typed and typed != self.instance.name
        if not renamed or not similar_organizations(typed, exclude_pk=self.instance.pk):
            self.fields.pop("confirm_similar")  # offered only when a similar name is in the way

    def clean_registration_number(self):
        number = " ".join(self.cleaned_data["registration_number"].split())
        if number:
            clash = organizations_registered_as(number).exclude(pk=self.instance.pk).first()
            if clash:
                raise forms.ValidationError(
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("This registration number is already used by"),
                        clash.get_absolute_url(),
                        clash.name,
                    )
                )
        return number

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name", "")
        name_changed = not self.instance.pk or "name" in self.changed_data
        if name and name_changed:
            self.similar = similar_organizations(name, exclude_pk=self.instance.pk)
            if self.similar and not cleaned.get("confirm_similar"):
                self.add_error(
                    "name",
                    _(
                        "An organization with a similar name exists (see below). Open it, or tick the box to save a different one."
                    ),
                )
        return cleaned


def confirm_similar_field():
    return forms.BooleanField(
        label=_("This is a different organization: save it anyway"), required=False, widget=forms.CheckboxInput
    )


class OrganizationForm(EditCollisionMixin, DuplicateOrganizationRules, ModelForm):
    tag_names = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with a semicolon (;)."),
        widget=forms.TextInput(attrs=suggest_attrs("stakeholders:suggest_tags", "tag-options")),
    )
    influence = forms.TypedChoiceField(
        label=_("Influence"),
        choices=SCORE_CHOICES,
        coerce=int,
        initial=3,
        help_text=_("1 (little) to 5 (decisive): power over the outcome."),
    )
    interest = forms.TypedChoiceField(
        label=_("Interest"),
        choices=SCORE_CHOICES,
        coerce=int,
        initial=3,
        help_text=_("1 (little) to 5 (strong): how much it cares about Customs integrity."),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=language_choices, required=False)
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    customs_office = CustomsOfficeField(label=_("Customs office"), help_text=_("The office it mostly deals with."))
    owner = UserEmailField(label=_("Relationship owner"), help_text=_("A colleague's e-mail address."))
    confirm_similar = confirm_similar_field()

    class Meta:
        model = Organization
        fields = [
            "name",
            "acronym",
            "type",
            "sector",
            "registration_number",
            "region",
            "city",
            "customs_office",
            "address",
            "email",
            "phone",
            "website",
            "size",
            "aeo_status",
            "influence",
            "interest",
            "stance",
            "preferred_language",
            "owner",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = "; ".join(tag.name for tag in self.instance.tags.all())
            self.fields["owner"].kept = self.instance.owner

    def tags(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tag_names", ""))


class NewOrganizationForm(DuplicateOrganizationRules, ModelForm):
    """A missing organization added from another page (the quick log): what tells it apart,
    under the registry's de-duplication rules; the rest is filled in on its own page later."""

    confirm_similar = confirm_similar_field()

    class Meta:
        model = Organization
        fields = ["name", "type", "registration_number", "region", "city"]
        help_texts = {"registration_number": ""}


class ContactForm(ModelForm):
    organization = OrganizationChoiceField(label=_("Organization"), required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=language_choices, required=False)

    class Meta:
        model = Contact
        fields = [
            "first_name",
            "last_name",
            "organization",
            "job_title",
            "email",
            "phone",
            "preferred_language",
            "gender",
            "is_key_contact",
            "consent",
            "consent_date",
            "consent_source",
        ]
        widgets = {"consent_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email:
            clash = Contact.objects.filter(email__iexact=email, is_archived=False).exclude(pk=self.instance.pk).first()
            if clash:
                raise forms.ValidationError(
                    format_html(
                        '{} <a href="{}">{}</a>',
                        _("An active contact already has this e-mail address:"),
                        clash.get_absolute_url(),
                        clash.full_name,
                    )
                )
        return email


class MergeForm(forms.Form):
    """Choose the record that survives: the other is archived and points to it."""

    other = forms.IntegerField(widget=forms.HiddenInput)
    keep = forms.ChoiceField(
        label=_("Which one is kept?"),
        widget=forms.RadioSelect,
        choices=[("this", _("This one")), ("other", _("The other one"))],
        initial="this",
    )


class NewContactForm(ContactForm):
    """A person met, added from the quick log: attached to one of the organizations named there."""

    organization = RecordChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    preferred_language = None  # not asked here

    class Meta(ContactForm.Meta):
        fields = ["first_name", "last_name", "organization", "job_title", "email", "phone"]

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(pk__in=[o.pk for o in organizations])
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk


class ImportColumnsForm(forms.Form):
    """The mapping step of an import: for each column of the file, the field it goes to or "leave
    out". Every column must be decided; two columns to one field, or none to a required field,
    are refused (stakeholders/imports/mapping.py), each message beside the columns concerned."""

    def __init__(self, *args, header: list[str], guesses: list, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.header, self.kind = header, kind
        choices = [("", _("Choose…")), (mapping.LEAVE_OUT, _("Leave out"))]
        choices += [(name, mapping.choice_label(kind, name)) for name in mapping.target_fields(kind)]
        for guess in guesses:
            name = self.column_name(guess.position)
            self.fields[name] = forms.ChoiceField(
                label=guess.label,
                choices=choices,
                initial=guess.field,
                error_messages={
                    "required": _("Choose a field, or “Leave out”."),
                    "invalid_choice": _("Choose one of the fields offered, or “Leave out”."),
                },
            )
            self.fields[name].widget.attrs.update(
                {"class": "form-select", "aria-describedby": f"{name}-hint {name}-samples"}
            )

    @staticmethod
    def column_name(position: int) -> str:
        return f"column_{position}"

    def chosen(self) -> list[str]:
        """One entry per column: its field, LEAVE_OUT, or "" where nothing valid was chosen."""
        return [self.cleaned_data.get(self.column_name(position), "") for position in range(len(self.header))]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = "form-select is-invalid"
                attrs["aria-describedby"] = f"{name}-error {attrs['aria-describedby']}"

    def clean(self):
        cleaned = super().clean()
        undecided = {p for p in range(len(self.header)) if self.column_name(p) in self.errors}
        for problem in mapping.check_mapping(self.header, self.chosen(), self.kind):
            if problem.per_column and set(problem.per_column) <= undecided:
                continue  # already said beside the column
            if not problem.per_column:
                self.add_error(None, problem.message)
            for position, message in problem.per_column.items():
                if position not in undecided:
                    self.add_error(self.column_name(position), message)
        return cleaned
