"""E-mails to users, in their language: a text body and its HTML alternative, from templates, with
absolute links to the app (SITE_URL: jobs have no request to take the address from)."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_supported_language_variant

logger = logging.getLogger("crm.notifications")


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def language_of(preferred: str) -> str:
    """The user's preferred language for e-mails, else the site's (LANGUAGE_CODE)."""
    if preferred:
        try:
            return get_supported_language_variant(preferred)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def compose(*, to: str, language: str, subject, template: str, context: dict) -> EmailMultiAlternatives:
    """The message `template`.txt and .html make, in `language` (`subject` is a lazy text or a
    callable giving one, read in that language)."""
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL, "language": language}
        text = render_to_string(f"crm/email/{template}.txt", context)
        html = render_to_string(f"crm/email/{template}.html", context)
        title = str(subject() if callable(subject) else subject)
    message = EmailMultiAlternatives(title, text, None, [to])
    message.attach_alternative(html, "text/html")
    return message


SEND_ERRORS = (OSError, smtplib.SMTPException)


def send(message: EmailMultiAlternatives, connection) -> bool:
    """Sends one message on an open connection; False when the mail server refused it (logged)."""
    try:
        message.connection = connection
        message.send()
    except SEND_ERRORS:
        logger.exception("The e-mail “%s” to %s could not be sent; it is not sent again", message.subject, message.to)
        return False
    return True
