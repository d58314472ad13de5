"""Send the day's follow-up reminders by hand (and the managers' digest when the day is its day);
what the schedule does by itself each morning. Never twice for the same day (crm/notifications/marks.py)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm.notifications import digest, entries, mail, reminders


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a date written YYYY-MM-DD, such as 2026-12-07, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "E-mail each owner of follow-ups due by the next day or overdue one reminder for the day, and "
        "on the digest's day (DIGEST_DAY) the managers their weekly digest. Running it again for a "
        "day sends nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="The day, YYYY-MM-DD (default: today in TIME_ZONE).")

    def handle(self, *args, date: str, **options):
        day = _day(date) if date else timezone.localdate()
        try:
            self.stdout.write(self._say("Reminders", reminders.send_reminders(day)))
            if day.weekday() == entries.digest_weekday():
                self.stdout.write(self._say("Digests", digest.send_digests(day)))
        except mail.MailServerLost as error:
            raise CommandError(
                f"{error}. Those sent are kept; run the command again later to send the others."
            ) from None

    @staticmethod
    def _say(what: str, outcome: reminders.Outcome) -> str:
        head = f"{what} for {outcome.day.isoformat()}: "
        if not outcome.due:
            return head + "nothing due."
        line = f"{outcome.sent} sent, {outcome.already} already sent"
        if outcome.failed:
            line += f", {outcome.failed} refused by the mail server (logged, not sent again)"
        return head + line + "."
