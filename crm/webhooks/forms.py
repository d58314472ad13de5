"""The endpoint form: a name, an address, the events it receives."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.webhooks.events import WEBHOOK_EVENTS
from crm.webhooks.services import url_problems


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What receives them: a system, a team…"))
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        help_text=_("Where each delivery is posted; it must start with https://."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(WEBHOOK_EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        problems = url_problems(url)
        if problems:
            raise forms.ValidationError(problems)
        return url
