from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communications.choices import (
    OPEN_FOLLOW_UP_STATUSES,
    CampaignStatus,
    Channel,
    CommitmentStatus,
    CommitmentType,
    ConcernStatus,
    Depth,
    EngagementKind,
    FollowUpStatus,
    KeyFactorCode,
    Mode,
    Sentiment,
)
from crm.lib import search
from crm.lib.lookups import InCodes


class Topic(models.Model):
    """What an engagement was about, or what a concern is about (a managed list, both languages)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (English)"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self):
        return self.name_fr if translation.get_language() == "fr" and self.name_fr else self.name


class KeyFactor(models.Model):
    """One of the ten key factors of the Revised Arusha Declaration (rows made by a migration)."""

    code = models.CharField(_("code"), max_length=40, unique=True, choices=KeyFactorCode.choices)

    class Meta:
        verbose_name = _("key factor")
        verbose_name_plural = _("key factors")
        ordering = ["pk"]

    def __str__(self):
        return str(self.get_code_display())


class Campaign(models.Model):
    """An integrity communication campaign: its audience is a saved organization filter, its
    progress is counted from the engagements linked to it."""

    _change_reason: str  # django-simple-history writes it into the next history entry (set by the services)
    name = models.CharField(_("name"), max_length=200)
    objective = models.TextField(_("objective"), blank=True)
    key_messages = models.TextField(_("key messages"), blank=True)
    key_factors = models.ManyToManyField(
        KeyFactor, verbose_name=_("key factors (RAD)"), blank=True, related_name="campaigns"
    )
    channels = models.CharField(_("channels"), max_length=300, blank=True, help_text=_("Codes separated by commas."))
    # The organizations list's filters, as its query string (e.g. "type=customs_broker&region=Kayes").
    audience_query = models.CharField(_("audience"), max_length=2000, blank=True)
    target_reached = models.PositiveIntegerField(_("target: organizations reached"), null=True, blank=True)
    target_events = models.PositiveIntegerField(_("target: events held"), null=True, blank=True)
    target_commitments = models.PositiveIntegerField(_("target: commitments signed"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_campaigns",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The audience as it was when the campaign ended (marked completed, or first read after its end
    # date): its figures and report stay true when organizations are created or imported later.
    # Empty while the campaign runs: the saved filter is then applied live.
    audience_kept_on = models.DateField(_("audience kept on"), null=True, blank=True, editable=False)
    kept_audience = models.ManyToManyField(
        "stakeholders.Organization",
        verbose_name=_("audience kept"),
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords(m2m_fields=[key_factors, kept_audience])

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("communications:campaign_detail", kwargs={"pk": self.pk})

    @property
    def channel_codes(self) -> list[str]:
        return [code for code in self.channels.split(",") if code]

    def get_channels_display(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(code, code)) for code in self.channel_codes]


class Engagement(models.Model):
    """Something that happened with stakeholders: a meeting, a workshop, a call, a visit…"""

    _change_reason: str  # django-simple-history writes it into the next history entry (set by the services)
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    kind = models.CharField(_("kind"), max_length=30, choices=EngagementKind.choices, default=EngagementKind.MEETING)
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.IN_PERSON)
    location = models.CharField(_("place"), max_length=200, blank=True)
    customs_office = models.ForeignKey(
        "stakeholders.CustomsOffice",
        verbose_name=_("customs office"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
    )
    region = models.ForeignKey(
        "stakeholders.Region",
        verbose_name=_("region"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
        help_text=_("Taken from the customs office, else the first organization."),
    )
    organizations = models.ManyToManyField(
        "stakeholders.Organization", verbose_name=_("organizations"), related_name="engagements"
    )
    contacts = models.ManyToManyField(
        "stakeholders.Contact", verbose_name=_("people met"), related_name="engagements", blank=True
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customs staff present"),
        related_name="engagements_attended",
        blank=True,
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    women_participants = models.PositiveIntegerField(_("women among them"), null=True, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="engagements", blank=True)
    key_factors = models.ManyToManyField(
        KeyFactor, verbose_name=_("key factors (RAD)"), related_name="engagements", blank=True
    )
    depth = models.CharField(_("depth (IAP2)"), max_length=12, choices=Depth.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="engagements",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="engagements"
    )
    # A date in the future makes a planned engagement; it counts in figures once marked held.
    is_held = models.BooleanField(_("held"), default=True)
    is_removed = models.BooleanField(_("removed"), default=False)
    search_text = search.text_field()  # what the search reads: search_text_of() the title and the place
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(
        m2m_fields=[organizations, contacts, staff, topics, key_factors], excluded_fields=["search_text", "updated_at"]
    )

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["is_removed", "occurred_on"], name="engagement_date"),
            # Lists read the live engagements newest first: partial indexes serve them without sorting.
            models.Index(
                fields=["-occurred_on", "-id"], condition=models.Q(is_removed=False), name="engagement_live_date"
            ),
            models.Index(
                fields=["kind", "-occurred_on", "-id"],
                condition=models.Q(is_removed=False),
                name="engagement_live_kind",
            ),
            # The list's default tab, held ones newest first, and how many there are (counted up to a
            # cap from the index alone: SQLite reads a partial index's condition columns from the
            # table unless the index holds them too): read without stepping over the planned ones.
            models.Index(
                fields=["-occurred_on", "-id", "is_held", "is_removed"],
                condition=models.Q(is_held=True, is_removed=False),
                name="engagement_held_date",
            ),
            models.Index(
                fields=["kind", "-occurred_on", "-id", "is_held", "is_removed"],
                condition=models.Q(is_held=True, is_removed=False),
                name="engagement_held_kind",
            ),
            # The dashboard counts held engagements of a period again and again (figures, charts, the
            # organizations they reached): this index holds every column it reads, so a period is one
            # range of it, with no row of the table visited.
            models.Index(
                fields=[
                    "occurred_on",
                    "kind",
                    "sentiment",
                    "depth",
                    "region",
                    "participants",
                    "women_participants",
                    "author",
                    "campaign",
                    "customs_office",
                    "id",
                ],
                condition=models.Q(is_held=True, is_removed=False),
                name="engagement_held_facts",
            ),
            # The few planned ones ("Upcoming" on the home page), found without reading the held ones.
            models.Index(
                fields=["author", "occurred_on", "id"],  # in the order they are shown (date, then id)
                condition=models.Q(is_held=False, is_removed=False),
                name="engagement_planned_by_date",
            ),
            # The list's "Planned" tab, everyone's, soonest first: read in this order, without the held ones.
            models.Index(
                fields=["occurred_on", "id"],
                condition=models.Q(is_held=False, is_removed=False),
                name="engagement_planned_date",
            ),
            models.Index(fields=["kind", "occurred_on"], name="engagement_kind_date"),
            models.Index(fields=["author", "occurred_on"], name="engagement_author_date"),
            models.Index(fields=["region", "occurred_on"], name="engagement_region_date"),
            models.Index(fields=["campaign", "occurred_on"], name="engagement_campaign_date"),
            # A campaign's events (held, not removed): its signed commitments are counted among them,
            # their ids read from this index alone rather than from tens of thousands of rows.
            models.Index(
                fields=["campaign", "occurred_on"],
                condition=models.Q(is_held=True, is_removed=False),
                name="engagement_held_campaign",
            ),
        ]

    def __str__(self):
        # The date as the user's language writes it, like every other date on the pages.
        when = self.occurred_on
        return f"{self.title} ({date_format(when, 'SHORT_DATE_FORMAT') if isinstance(when, date) else when})"

    def save(self, *args, **kwargs):
        self.search_text = search_text_of(self.title, self.location)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("communications:engagement_detail", kwargs={"pk": self.pk})


def search_text_of(title: str, location: str) -> str:
    """An engagement's search text: its title and place, folded (the demo's SQL writes the same)."""
    return search.fold(title, location)


class FollowUp(models.Model):
    _change_reason: str  # django-simple-history writes it into the next history entry (set by the services)
    engagement = models.ForeignKey(
        Engagement, verbose_name=_("engagement"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField(_("what"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_on = models.DateField(_("by when"))
    status = models.CharField(_("status"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The day follow_up.overdue was told of it (communications/tasks.py): once each time it goes overdue.
    overdue_told_on = models.DateField(null=True, blank=True, editable=False)
    search_text = search.text_field()  # what the search reads: the description, folded (folded_text())
    history = HistoricalRecords(excluded_fields=["overdue_told_on", "search_text"])

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="followup_owner_due"),
            # Someone's open follow-ups by due date (the home page), however many are done.
            models.Index(
                fields=["owner", "due_on"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="followup_open_owner_due",
            ),
            # The follow-ups list: its open ones (the default tab), someone's or everyone's, by due
            # date; any status, sorted by due date either way. Each holds what the list's count
            # reads (the engagement, to leave out removed ones; the status, which SQLite otherwise
            # reads from the table), so that counting up to the cap never visits the table.
            models.Index(
                fields=["owner", "due_on", "id", "engagement", "status"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="followup_open_owner_list",
            ),
            models.Index(
                fields=["due_on", "id", "engagement", "status"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="followup_open_list",
            ),
            models.Index(fields=["status", "due_on", "id", "engagement"], name="followup_status_list"),
        ]

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        self.search_text = self.folded_text()
        super().save(*args, **kwargs)

    def folded_text(self) -> str:
        """The search text's rule (crm/lib/search.py); the demo's SQL and bulk writers write the same."""
        return search.fold(self.description)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FOLLOW_UP_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


class Commitment(models.Model):
    """What was agreed: an MoU, an integrity charter, a joint action plan…"""

    type = models.CharField(_("type"), max_length=20, choices=CommitmentType.choices)
    title = models.CharField(_("title"), max_length=200)
    parties = models.ManyToManyField("stakeholders.Organization", verbose_name=_("parties"), related_name="commitments")
    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("engagement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    document_reference = models.CharField(_("document reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="commitments"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    search_text = search.text_field()  # what the search reads: title and reference, folded (folded_text())
    history = HistoricalRecords(m2m_fields=[parties], excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-signed_on", "-pk"]
        indexes = [
            # The register newest first (read backwards), whole or by status.
            models.Index(fields=["signed_on", "id"], name="commitment_signed_list"),
            models.Index(fields=["status", "signed_on", "id"], name="commitment_status_list"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = self.folded_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("communications:commitment_detail", kwargs={"pk": self.pk})

    def folded_text(self) -> str:
        """The search text's rule (crm/lib/search.py); the demo's SQL writes the same."""
        return search.fold(self.title, self.document_reference)


class Concern(models.Model):
    """What a stakeholder raised. A concern referred to Internal Affairs keeps no narrative."""

    organization = models.ForeignKey(
        "stakeholders.Organization", verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="concerns"
    )
    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("engagement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
    )
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    response = models.TextField(_("response"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    referred_to_internal_affairs = models.BooleanField(_("referred to Internal Affairs"), default=False)
    referral_reference = models.CharField(_("referral reference"), max_length=60, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="concerns"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    search_text = search.text_field()  # what the search reads: summary and response, folded (folded_text())
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-raised_on", "-pk"]
        permissions = [("view_referral", _("Can see concerns referred to Internal Affairs"))]
        indexes = [
            # The register newest first (read backwards), whole or by status; with what the scope
            # reads (referral, author), so that an officer's count never visits the table.
            models.Index(
                fields=["raised_on", "id", "referred_to_internal_affairs", "author"], name="concern_raised_list"
            ),
            models.Index(
                fields=["status", "raised_on", "id", "referred_to_internal_affairs", "author"],
                name="concern_status_list",
            ),
        ]

    def __str__(self):
        if self.referred_to_internal_affairs:
            return str(_("Referral %(reference)s") % {"reference": self.referral_reference or self.pk})
        return f"{self.topic or _('Concern')} ({self.raised_on:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        self.search_text = self.folded_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("communications:concern_detail", kwargs={"pk": self.pk})

    def folded_text(self) -> str:
        """The search text's rule (crm/lib/search.py): a referral to Internal Affairs has none, whatever
        its fields hold (the services empty them too). The demo's SQL writes the same."""
        return "" if self.referred_to_internal_affairs else search.fold(self.summary, self.response)

    @property
    def days_to_resolve(self) -> int | None:
        if self.resolved_on and self.raised_on:
            return (self.resolved_on - self.raised_on).days
        return None


class SurveyResult(models.Model):
    """An aggregate result of a Customs Integrity Perception Survey (CIPS) wave: the score of one
    respondent group on one key factor. Groups under 5 respondents are never stored or shown."""

    MIN_RESPONDENTS = 5

    wave = models.CharField(_("wave"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    respondent_group = models.CharField(_("respondent group"), max_length=100)
    key_factor = models.CharField(_("key factor"), max_length=40, choices=KeyFactorCode.choices)
    score = models.DecimalField(
        _("score (0–100)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    respondents = models.PositiveIntegerField(_("respondents"), validators=[MinValueValidator(MIN_RESPONDENTS)])
    imported_at = models.DateTimeField(_("imported"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey result")
        verbose_name_plural = _("survey results")
        ordering = ["year", "wave", "key_factor", "respondent_group"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "respondent_group", "key_factor"], name="survey_result_unique"),
            models.CheckConstraint(condition=models.Q(respondents__gte=5), name="survey_result_min_respondents"),
        ]

    def __str__(self):
        return f"{self.wave} · {self.respondent_group} · {self.key_factor}"


# Open follow-ups are read through their partial index (see crm/lib/lookups.py).
FollowUp._meta.get_field("status").register_lookup(InCodes)


# Roll-ups: what the dashboard counts, kept by communications.rollups in the transaction of each
# write (never written to anywhere else). A scope is "" (everyone's work) or one dimension the
# dashboard filters on: "author:<id>", "region:<id>", "office:<id>", "campaign:<id>".
class EngagementTally(models.Model):
    """Held engagements (not removed) of a day and scope, counted by the value of one measure
    (kind, sentiment, depth, region id, or key factor code), with their participants."""

    day = models.DateField()
    scope = models.CharField(max_length=24)
    measure = models.CharField(max_length=12)
    code = models.CharField(max_length=40, blank=True)
    n = models.PositiveIntegerField()
    participants = models.BigIntegerField()
    women = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "day", "measure", "code"], name="tally_unique"),
        ]
        indexes = [
            # a period of a scope: one range, every column read from the index
            models.Index(
                fields=["scope", "day", "measure", "code", "n", "participants", "women"], name="tally_covering"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.scope or '*'} {self.measure}={self.code}: {self.n}"


class OrganizationReach(models.Model):
    """An organization met on a day at held engagements (not removed), per scope ("" or an author),
    with the day it was last met before that in the same scope (`previous`): the organizations
    reached over a period are then counted without DISTINCT, as the rows of the period whose
    previous day falls before it. The organization's type and whether it is a key stakeholder
    (influence 4 or 5, not archived) are copied here, kept by the stakeholder services."""

    scope = models.CharField(max_length=24)
    day = models.DateField()
    organization = models.ForeignKey("stakeholders.Organization", on_delete=models.CASCADE, related_name="+")
    previous = models.DateField(null=True)
    type = models.CharField(max_length=30)
    key = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "scope", "day"], name="reach_unique"),
        ]
        indexes = [
            # A period's rows of a scope, read from the index alone: counted (the dashboard), and
            # their organizations met with a campaign's audience (the campaigns list).
            models.Index(fields=["scope", "day", "previous", "type", "key", "organization"], name="reach_period"),
        ]

    def __str__(self):
        return f"{self.day} {self.scope or '*'} #{self.organization_id}"


class FollowUpTally(models.Model):
    """Open follow-ups of engagements not removed, per scope and due date."""

    scope = models.CharField(max_length=24)
    due_on = models.DateField()
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "due_on"], name="followup_tally_unique"),
        ]

    def __str__(self):
        return f"{self.due_on} {self.scope or '*'}: {self.n}"


class EngagementLinks(models.Model):
    """What an engagement links to, as the exports and the API write it, kept by the database
    itself through triggers on the link tables and on the names they show
    (communications/kept_links.py), so every writer keeps it right, an erasure and raw SQL
    included. Never written from Python. The exports read the names ("; "-joined, sorted as the
    database sorts text), the API's list pages the keys (JSON arrays, in the serializer's order):
    one row instead of four or five look-ups per engagement."""

    engagement = models.OneToOneField(
        Engagement, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="links"
    )
    organizations = models.TextField(default="")
    contacts = models.TextField(default="")
    topics = models.TextField(default="")
    key_factors = models.TextField(default="")
    organization_ids = models.TextField(default="[]")
    contact_ids = models.TextField(default="[]")
    staff_emails = models.TextField(default="[]")
    topic_codes = models.TextField(default="[]")
    key_factor_codes = models.TextField(default="[]")

    def __str__(self):
        return f"#{self.engagement_id}: {self.organizations}"
