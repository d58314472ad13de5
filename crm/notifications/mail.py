"""E-mails to users, in their language: a text body and its HTML alternative, from templates, with
absolute links to the app (SITE_URL: jobs have no request to take the address from)."""

import contextlib
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


# The server answered and refused this one message for good (5xx: a mailbox unknown, a message too
# big): the others still go. A temporary answer (4xx: "try later", greylisting, throttling) and
# anything else raised while sending (the connection dropped, was reset, timed out after
# EMAIL_TIMEOUT) is the server's: the connection is opened again and the message tried once more.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
LOST_AFTER = 3  # messages in a row that could not be sent on a connection opened again: the server is lost


class MailServerLost(Exception):
    """The mail server could not be reached for LOST_AFTER messages in a row: the job stops (and is
    tried again later) rather than mark everyone left as sent in vain."""


def refused_for_good(error: OSError) -> bool:
    """Whether the server refused the message with a permanent (5xx) answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
    elif isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        codes = [error.smtp_code]
    else:
        return False
    return bool(codes) and all(500 <= code < 600 for code in codes)


class Sender:
    """Sends messages one by one on one SMTP connection, opened again when it drops. `refused`:
    the addresses refused for good (their marks stay when the others' are given back)."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.lost_in_a_row = 0
        self.refused: list[str] = []

    def send(self, message: EmailMultiAlternatives) -> bool:
        """True when sent; False when the server refused it for good or could not be reached
        (logged); raises MailServerLost after LOST_AFTER unreachable in a row."""
        try:
            self._send(message)
        except OSError as error:
            if refused_for_good(error):
                return self._refused(message)
            try:
                self._reopen()
                self._send(message)
            except OSError as again:
                if refused_for_good(again):
                    return self._refused(message)
                return self._unreachable(message, again)
        self.lost_in_a_row = 0
        return True

    def _send(self, message: EmailMultiAlternatives) -> None:
        message.connection = self.connection
        message.send()

    def _reopen(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        self.connection.open()

    def _refused(self, message: EmailMultiAlternatives) -> bool:
        logger.exception(
            "The e-mail “%s” to %s was refused by the mail server; it is not sent again", message.subject, message.to
        )
        self.refused.extend(message.to)
        self.lost_in_a_row = 0
        return False

    def _unreachable(self, message: EmailMultiAlternatives, error: OSError) -> bool:
        self.lost_in_a_row += 1
        if self.lost_in_a_row >= LOST_AFTER:
            raise MailServerLost(f"The mail server could not be reached for {LOST_AFTER} e-mails in a row") from error
        logger.exception(
            "The e-mail “%s” to %s could not be sent (the mail server could not be reached)",
            message.subject,
            message.to,
        )
        return False
