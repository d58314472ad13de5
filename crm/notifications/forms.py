"""The account page's form: which e-mails one receives, and in which language."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [("", _("The site's language"))] + list(settings.LANGUAGES)


class NotificationSettingsForm(forms.Form):
    wants_reminders = forms.BooleanField(
        label=_("E-mails about my follow-ups"),
        required=False,
        help_text=_(
            "A morning e-mail listing those due by tomorrow or overdue (none when nothing is), and one "
            "when someone else gives you a follow-up."
        ),
    )
    wants_digest = forms.BooleanField(
        label=_("Weekly digest"),
        required=False,
        help_text=_("The past week's engagements, concerns, overdue follow-ups and campaigns behind their targets."),
    )
    preferred_language = forms.ChoiceField(label=_("Language of e-mails"), choices=LANGUAGE_CHOICES, required=False)

    def __init__(self, *args, show_digest: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_digest:
            del self.fields["wants_digest"]
