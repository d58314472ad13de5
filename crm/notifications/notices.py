"""In the app: the count of one's own follow-ups due today or overdue (the header's badge), and the
notices of follow-ups someone else gave one, shown until dismissed and e-mailed (a job) to those who
did not turn the e-mails off."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communications.choices import OPEN_FOLLOW_UP_STATUSES
from communications.models import FollowUp
from crm.jobs.engine import enqueue, job
from crm.lib.expressions import CappedCount
from crm.models import Notice, User
from crm.notifications import mail

MOST_SHOWN = 10  # notices listed on the home page; the rest wait for these to be dismissed


@dataclass(frozen=True)
class Counts:
    due: int  # own open follow-ups due today or overdue (BADGE_CAP at most)
    unread: int  # notices not dismissed (BADGE_CAP at most)


BADGE_CAP = 100  # a header figure counts this many at most, shown as "99+" (read on every page)


def _count(rows: QuerySet) -> CappedCount:
    """How many of `rows` (filtered on the outer row), up to BADGE_CAP."""
    return CappedCount(rows, BADGE_CAP)


def due_figure() -> CappedCount:
    """How many of the user's (OuterRef "pk") open follow-ups are due today or overdue, counted on
    the open follow-ups' partial index (owner, due date); removed engagements' are left out, as on
    the lists."""
    due = FollowUp.objects.filter(
        owner_id=OuterRef("pk"),
        status__in_codes=OPEN_FOLLOW_UP_STATUSES,
        due_on__lte=timezone.localdate(),
        engagement__is_removed=False,
    )
    return _count(due)


def unread_figure() -> CappedCount:
    """How many of the user's (OuterRef "pk") notices are not dismissed."""
    return _count(Notice.objects.filter(user_id=OuterRef("pk"), read_at__isnull=True))


def counts(user: User) -> Counts:
    """Both of the header's figures: read with the signed-in user (crm/apps.py registers them with
    the sign-in backend, so a page pays no query for them), else in one query."""
    due, unread = getattr(user, "header_due", None), getattr(user, "header_unread", None)
    if due is not None and unread is not None:
        return Counts(due=due, unread=unread)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(due=due_figure(), unread=unread_figure())
        .values("due", "unread")
        .first()
    )
    return Counts(**row) if row else Counts(0, 0)


def due_url() -> str:
    """The follow-up list filtered to one's own open follow-ups due today or before (owner "me" and
    open are the list's defaults)."""
    return reverse("communications:followup_list") + f"?due_to={timezone.localdate().isoformat()}"


def unread_notices(user: User) -> list[Notice]:
    return list(
        Notice.objects.filter(user=user, read_at__isnull=True)
        .select_related("follow_up__engagement", "by")
        .order_by("-created_at", "-pk")[:MOST_SHOWN]
    )


def notice_dismiss(*, user: User, pk: int | None = None) -> int:
    """Dismisses one of the user's notices (or, without pk, all of them); how many."""
    rows = Notice.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())


def on_follow_up_assigned(name: str, *, follow_up: int, by: int | None = None, **data: object) -> None:
    """Listener of `follow_up.assigned` (crm/apps.py), inside the service's transaction: the notice,
    and the job that e-mails it, exist if and only if the assignment was committed."""
    owner_id = FollowUp.objects.filter(pk=follow_up).values_list("owner_id", flat=True).first()
    if owner_id is None or owner_id == by:
        return
    notice = Notice.objects.create(user_id=owner_id, kind=Notice.FOLLOW_UP_ASSIGNED, follow_up_id=follow_up, by_id=by)
    enqueue(mail_assignment, notice.pk)


@job(label=_("e-mail a follow-up given to someone"), attempts=5, backoff=120)
def mail_assignment(notice_id: int) -> str:
    notice = Notice.objects.select_related("user", "by", "follow_up__engagement").filter(pk=notice_id).first()
    if notice is None or notice.mailed_at is not None:
        return "gone or mailed already"
    user = notice.user
    if not (user.is_active and user.wants_reminders) or notice.follow_up.status not in OPEN_FOLLOW_UP_STATUSES:
        return "not wanted"
    with transaction.atomic():
        # Marked first: a retry after a failed send, or a second worker, does not mail it again.
        if not Notice.objects.filter(pk=notice.pk, mailed_at__isnull=True).update(mailed_at=timezone.now()):
            return "mailed already"
    follow_up = notice.follow_up
    message = mail.compose(
        to=user.email,
        language=mail.language_of(user.preferred_language),
        subject=_("A follow-up for you"),
        template="assigned",
        context={
            "name": user.first_name or user.email,
            "by": str(notice.by) if notice.by else "",
            "follow_up": follow_up,
            "url": mail.absolute(follow_up.engagement.get_absolute_url()),
            "settings_url": mail.absolute(reverse("notification_settings")),
        },
    )
    message.send()  # a refusal raises: logged by the engine; its retry finds it marked and sends nothing
    return "sent"
