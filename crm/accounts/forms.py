"""The forms of user management (inviting a user, editing one) and of the API tokens page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.accounts import tokens
from crm.accounts.roles import Role

LANGUAGE_CHOICES = [("", _("Same as the interface"))] + list(settings.LANGUAGES)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OFFICER)
    preferred_language = forms.ChoiceField(label=_("Language of e-mails"), choices=LANGUAGE_CHOICES, required=False)


class UserForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    preferred_language = forms.ChoiceField(label=_("Language of e-mails"), choices=LANGUAGE_CHOICES, required=False)
    is_active = forms.BooleanField(
        label=_("May sign in"),
        required=False,
        help_text=_("Untick to deactivate the account; its history is kept."),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses it: a script, a machine, a spreadsheet…")
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=tokens.MAX_DAYS, initial=tokens.DEFAULT_DAYS
    )
