import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.accounts.roles import Role


class UserManager(BaseUserManager):
    """Users are known by their e-mail address; there are no usernames.

    Not in migrations: their historical User has a plain manager, so that no migration runs (or
    imports) this live code; a data migration writes rows itself, with literal values.
    """

    use_in_migrations = False

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, help_text=_("Used for e-mails sent to this user.")
    )
    # What this user receives by e-mail (crm/notifications/); they turn each off on their account page.
    wants_reminders = models.BooleanField(
        _("e-mails about my follow-ups"),
        default=True,
        help_text=_("A morning e-mail when some are due or overdue, and one when someone gives you a follow-up."),
    )
    wants_digest = models.BooleanField(
        _("weekly digest"),
        default=True,
        help_text=_("Managers: the week's figures by e-mail, once a week."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        permissions = [("manage_users", _("Can invite users and change their roles"))]

    def __str__(self):
        return self.get_full_name() or self.email

    @cached_property
    def role(self) -> str:
        """The user's role (one of Role), taken from their groups; '' when they have none."""
        names = {group.name for group in self.groups.all()}
        for role in Role:
            if role.value in names:
                return role.value
        return ""

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class ExportLog(models.Model):
    """Who exported which list, with which filters, how many rows, when (managers read it).

    A large export is written by a job (crm/exporting/files.py): its entry follows it (queued,
    writing, then ready) and offers the file to the one who asked for it until `expires_at`, when
    the file is deleted and the entry stays. An export sent at once (streamed) is `sent`."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        QUEUED = "queued", _("waiting")
        WRITING = "writing", _("being written")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("file deleted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    RUNNING = (Status.QUEUED, Status.WRITING)

    user = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="exports"
    )
    dataset = models.CharField(_("list"), max_length=50)
    format = models.CharField(_("format"), max_length=10)
    filters = models.CharField(_("filters"), max_length=2000, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    rows_done = models.PositiveIntegerField(default=0)  # written so far, while a job writes the file
    file = models.CharField(max_length=100, blank=True)  # the file's name in VAR_DIR/exports, while kept
    size = models.PositiveBigIntegerField(default=0)  # bytes
    language = models.CharField(max_length=10, blank=True)  # the user's, for headers and labels
    error = models.TextField(blank=True)  # why it failed or was withdrawn, for the user
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # when the file is deleted

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("export log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_log_user")]

    def __str__(self):
        return f"{self.dataset} ({self.rows})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def offered(self) -> bool:
        """Its file can be downloaded."""
        return self.status == self.Status.READY and bool(self.file)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.rows_done / self.rows)) if self.rows else 0


class ApiToken(models.Model):
    """A personal API token: it acts as its user, with exactly their role. Only a hash of the secret
    is kept (crm/accounts/tokens.py); the prefix identifies it on the account page and finds it."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)  # sha256 of the whole token, hexadecimal
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class CalendarFeed(models.Model):
    """A user's private calendar feed: a secret URL that calendar apps subscribe to (crm/calendar/).

    Only the secret's SHA-256 is kept, so the URL is shown once, when it is made; a request finds its
    feed by that hash (an index lookup, the same work whatever the secret). Revoking keeps the row,
    as a trace of who had a feed and when; each user has at most one that is not revoked.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feeds")
    secret_hash = models.CharField(_("secret (SHA-256)"), max_length=64, unique=True, editable=False)
    # The language of the page it was made from: the feed's language when the user has no preferred one.
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Written at most once an hour (calendar apps fetch often): a sign of use, not a log.
    last_fetched_at = models.DateTimeField(_("last read by a calendar app"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="calendar_feed_one_active"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """A create sent to the API with an `Idempotency-Key` header (crm/api/idempotency.py): which
    request it was (a hash of its path and body) and what it made (the status and the record's id,
    nothing else: no personal data). Kept 30 days. A row with no status is a request still running."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self):
        return self.key


class ApiRateCount(models.Model):
    """How many API requests one token (or user, or address) made in the current period of API_RATE
    (crm/api/throttling.py): one row each, counted and read in one statement per request."""

    who = models.CharField(max_length=100, unique=True)  # "token-12", "user-3", "address-…"
    period = models.BigIntegerField()  # the period's number: seconds since the epoch // its length
    requests = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.who}: {self.requests}"


class JobFailure(models.Model):
    """A job that failed at its last attempt (crm/jobs/): kept until an administrator runs it
    again or puts it aside, with what it was asked and the error it ended on."""

    task_path = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict)  # {"args": [...], "kwargs": {...}} as it was enqueued
    attempts = models.PositiveSmallIntegerField()
    error = models.TextField()  # the exception's class and message, one line
    details = models.TextField(blank=True)  # the traceback
    failed_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)  # run again or put aside
    settled_by = models.ForeignKey("crm.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, blank=True)  # "retried" | "dismissed"

    class Meta:
        indexes = [models.Index(fields=["settled_at", "-failed_at"], name="crm_jobfailure_open")]

    def __str__(self):
        return f"{self.task_path} ({self.failed_at:%Y-%m-%d %H:%M})"


class ScheduleSlot(models.Model):
    """One run of a periodic job (crm/jobs/schedule.py), written before the job is enqueued: its
    (name, slot) is unique, so two clocks, or one restarted, never enqueue the same run twice."""

    name = models.CharField(max_length=60)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="crm_scheduleslot_once")]

    def __str__(self):
        return f"{self.name} {self.slot:%Y-%m-%d %H:%M}"


class WorkerBeat(models.Model):
    """The last sign of life of each worker process (crm/jobs/workers.py): pages say when none has
    been seen for a while, so that nobody waits on work that no one is doing."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    jobs_done = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.host}:{self.pid}"


class WebhookEndpoint(models.Model):
    """A receiver that administrators registered for some events (crm/webhooks/). Its secret signs
    each delivery (HMAC-SHA256), so it is kept as it was made, never in the history and shown
    only once, when it is made or replaced. Removing an endpoint keeps the row and its deliveries
    (removed_at): nothing is deleted without a trace."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)  # names from crm.lib.events
    secret = models.CharField(max_length=100, editable=False)
    is_paused = models.BooleanField(_("paused"), default=False)
    paused_reason = models.CharField(_("why paused"), max_length=200, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    failures_in_a_row = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    secret_made_at = models.DateTimeField(_("secret made"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["secret", "failing_since", "failures_in_a_row"])

    FAILING_AFTER = 3  # failed tries in a row before administrators are warned

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]
        permissions = [("manage_webhooks", _("Can register webhook endpoints and see their deliveries"))]

    def __str__(self):
        return self.name

    @property
    def is_failing(self) -> bool:
        return self.failures_in_a_row >= self.FAILING_AFTER


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: what it carries (written when the event happened, so every
    try sends the same body) and how its tries went. `people` names the contacts its data names
    ("|12|40|"), so that an erased person's name can be taken out (crm/webhooks/scrubbing.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Failed, will try again")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    subject = models.CharField(max_length=60)  # "concern:12": what the event is about
    occurred_at = models.DateTimeField(_("occurred"))
    data = models.JSONField(default=dict)
    people = models.TextField(blank=True)  # one engagement may name hundreds of contacts
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    round_attempts = models.PositiveIntegerField(default=0)  # tries since it was last (re)queued
    last_status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_response = models.CharField(_("response"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(_("last try"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    scrubbed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="crm_delivery_endpoint"),
            models.Index(fields=["subject"], name="crm_delivery_subject"),
        ]

    def __str__(self):
        return f"{self.event} {self.uuid}"


class NotificationMark(models.Model):
    """A person's reminder of a day, or digest of a week, marked before it is sent and in its own
    committed transaction (crm/notifications/marks.py): (user, day, kind) is unique, so a second
    run, a second worker or a restart never sends it again. `sent_at` stays empty when the sending
    failed or the process died between the mark and the sending: that mail is lost, not repeated."""

    REMINDER, DIGEST = "reminder", "digest"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the reminder's day; the first day of the digest's week
    kind = models.CharField(max_length=10)
    run = models.CharField(max_length=32)  # which run marked it (the one that sends it)
    marked_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day", "kind"], name="notification_mark_once")]
        indexes = [models.Index(fields=["day", "kind", "run"], name="notification_mark_run")]

    def __str__(self):
        return f"{self.kind} {self.day} → {self.user_id}"


class Notice(models.Model):
    """Something told to one user in the app (a follow-up someone else gave them), shown in the
    header and on their home page until they dismiss it. Kept as what happened (kind and ids), put
    in words in the reader's language when shown."""

    FOLLOW_UP_ASSIGNED = "follow_up.assigned"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=40)
    follow_up = models.ForeignKey("communications.FollowUp", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notice_unread"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.user_id}"
