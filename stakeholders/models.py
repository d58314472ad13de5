from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.lib import search
from stakeholders.choices import (
    AeoStatus,
    Gender,
    OfficeKind,
    OrganizationType,
    Sector,
    Size,
    Stance,
    language_name,
    quadrant,
)
from stakeholders.normalize import CONTACT_KEYS, ORGANIZATION_KEYS, contact_keys, fold, organization_keys

phone_validator = RegexValidator(
    r"^\+?[0-9 ().\-/]{6,30}$", _("Enter a phone number: digits, spaces and + ( ) . - / only.")
)
score_validators = [MinValueValidator(1), MaxValueValidator(5)]


def validate_language(code: str) -> None:
    from stakeholders.choices import language_codes

    if code and code not in language_codes():
        raise ValidationError(_("Enter a two-letter ISO 639-1 language code, such as fr or en."))


class Region(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    key = models.CharField(max_length=100, unique=True, editable=False)  # fold(name): matches "thies" to "Thiès"
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = fold(self.name)  # derived, never edited
        super().save(*args, **kwargs)


class CustomsOffice(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OfficeKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="offices")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customs office")
        verbose_name_plural = _("customs offices")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    key = models.CharField(max_length=80, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = fold(self.name)
        super().save(*args, **kwargs)


class Organization(models.Model):
    _change_reason: str  # django-simple-history writes it into the next history entry (set by the services)
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=OrganizationType.choices, default=OrganizationType.OTHER)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="organizations"
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    customs_office = models.ForeignKey(
        CustomsOffice,
        verbose_name=_("customs office"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organizations",
        help_text=_("The office it mostly deals with."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    website = models.URLField(_("website"), blank=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=60,
        blank=True,
        help_text=_("Tax or trade register number: the first key for finding duplicates."),
    )
    # registration_number without spaces, in capitals: what uniqueness and look-ups compare.
    registration_key = models.CharField(max_length=60, blank=True, editable=False)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    aeo_status = models.CharField(_("AEO status"), max_length=10, choices=AeoStatus.choices, default=AeoStatus.NONE)
    influence = models.PositiveSmallIntegerField(_("influence"), default=3, validators=score_validators)
    interest = models.PositiveSmallIntegerField(_("interest"), default=3, validators=score_validators)
    stance = models.CharField(_("stance"), max_length=12, choices=Stance.choices, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, validators=[validate_language]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_organizations",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="organizations")
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_duplicates",
    )
    # Kept by the engagement service so lists can sort and filter without a join.
    last_engaged_on = models.DateField(_("last engaged"), null=True, blank=True, editable=False)
    search_text = search.text_field()  # what the search reads (ORGANIZATION_KEYS)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[tags], excluded_fields=[*ORGANIZATION_KEYS, "updated_at"])

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        permissions = [
            ("archive_organization", _("Can archive and restore organizations")),
            ("merge_organization", _("Can merge duplicate organizations")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_key"],
                condition=~Q(registration_key=""),
                name="organization_registration_key_unique",
                violation_error_message=_("An organization with this registration number already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["is_archived", "name"], name="org_archived_name"),
            # Lists show live rows ordered by name: SQLite can walk this index (either way) instead
            # of sorting 100 000 rows for each page ("NOT is_archived" does not use the one above).
            # With the id, the lists' total order (crm/lib/paging.py): a deep page's ids are read
            # from it alone on PostgreSQL (page 500: 29 ms reading rows, 4 ms without).
            models.Index(fields=["name", "id"], condition=models.Q(is_archived=False), name="org_live_name_id"),
            models.Index(fields=["type", "name"], name="org_type_name"),
            # Live organizations of some types: a campaign's audience counted from the index alone
            # (28 000 of 100 000: 40 ms reading the rows for is_archived, 2 ms without), its ids
            # read from it to meet the organizations reached (PostgreSQL: 38 -> 4 ms), and a list
            # filtered by type in name order, the id last as in the lists' total order.
            models.Index(fields=["type", "name", "id"], condition=models.Q(is_archived=False), name="org_live_type_id"),
            models.Index(fields=["region", "name"], name="org_region_name"),
            # Officers filter by their region and a type (then search): one range of this index.
            models.Index(
                fields=["region", "type", "name"], condition=models.Q(is_archived=False), name="org_live_region_type"
            ),
            models.Index(fields=["last_engaged_on"], name="org_last_engaged"),
            models.Index(fields=["influence", "interest"], name="org_map"),
            # The dashboard's stakeholder map counts live organizations per influence, interest and
            # how recently they were met: every column it reads is here (the condition's too).
            models.Index(
                fields=["influence", "interest", "last_engaged_on", "is_archived"],
                condition=models.Q(is_archived=False),
                name="org_live_map",
            ),
            # Its key stakeholders (influence 4 or 5), counted and listed least recently met first.
            models.Index(
                fields=["last_engaged_on", "influence", "is_archived"],
                condition=models.Q(influence__gte=4, is_archived=False),
                name="org_key_last_engaged",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.derive_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stakeholders:organization_detail", kwargs={"pk": self.pk})

    def derive_keys(self) -> None:
        """Set the columns worked out from the name and the registration number, by the rule the
        bulk writers apply to their rows too (stakeholders.normalize.organization_keys)."""
        fields = {
            attname: getattr(self, attname) for attname in ("name", "acronym", "registration_number", "city", "email")
        }
        for attname, value in organization_keys(fields).items():
            setattr(self, attname, value)

    @property
    def quadrant(self):
        return quadrant(self.influence, self.interest)

    @property
    def preferred_language_name(self) -> str:
        return language_name(self.preferred_language)

    @property
    def merge_label(self) -> str:
        """How the merge page lists this organization among possible duplicates."""
        return " · ".join(str(part) for part in (self.name, self.registration_number, self.region) if part)


class Contact(models.Model):
    _change_reason: str  # django-simple-history writes it into the next history entry (set by the services)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, validators=[validate_language]
    )
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender.choices,
        blank=True,
        help_text=_("Optional; used only for counts disaggregated by gender."),
    )
    consent = models.BooleanField(_("consents to receive communications"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent source"), max_length=200, blank=True, help_text=_("Where and how consent was given or withdrawn.")
    )
    is_key_contact = models.BooleanField(_("key contact"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_duplicates",
    )
    search_text = search.text_field()  # what the search reads (CONTACT_KEYS)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=[*CONTACT_KEYS, "updated_at"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name"]
        permissions = [
            ("archive_contact", _("Can archive and restore contacts")),
            ("merge_contact", _("Can merge duplicate contacts")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(is_archived=False) & ~Q(email=""),
                name="contact_active_email_unique",
                violation_error_message=_("An active contact already has this e-mail address."),
            ),
        ]
        indexes = [
            models.Index(fields=["is_archived", "last_name", "first_name"], name="contact_archived_name"),
            models.Index(
                fields=["last_name", "first_name", "id"],
                condition=models.Q(is_archived=False),
                name="contact_live_name_id",
            ),
            models.Index(fields=["organization", "last_name"], name="contact_org_name"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.derive_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("stakeholders:contact_detail", kwargs={"pk": self.pk})

    def derive_keys(self) -> None:
        """The search text, by the rule the import's bulk writes apply too (contact_keys)."""
        fields = {
            attname: getattr(self, attname) for attname in ("first_name", "last_name", "email", "phone", "job_title")
        }
        for attname, value in contact_keys(fields).items():
            setattr(self, attname, value)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def merge_label(self) -> str:
        """How the merge page lists this person among possible duplicates."""
        return " · ".join(str(part) for part in (self.full_name, self.organization, self.email) if part)

    @property
    def preferred_language_name(self) -> str:
        return language_name(self.preferred_language)


class ImportMapping(models.Model):
    """The columns a user chose for a spreadsheet, offered again for their next file with the same
    headers (in the same order). Each user's own: another user's file gets the usual guesses."""

    KINDS = [("organizations", _("Organizations")), ("contacts", _("Contacts"))]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="import_mappings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    headers_key = models.CharField(max_length=64, editable=False)  # a hash of the folded headers, in order
    headers = models.JSONField(default=list)  # as written in the file
    fields = models.JSONField(default=list)  # one per column: a field's name, or "-" for left out
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "headers_key"], name="import_mapping_per_headers"),
        ]

    def __str__(self):
        return f"{self.user} · {self.kind} · {', '.join(self.headers)[:80]}"


class ImportRun(models.Model):
    """A large import checked and written by jobs (stakeholders/imports/runs.py): where it stands,
    its progress and what the check found, for the page that follows it. The checked rows
    themselves wait in a file of their own (stakeholders/imports/staging.py)."""

    CHECKING, CHECKED, WRITING, DONE, FAILED, CANCELLED = (
        "checking",
        "checked",
        "writing",
        "done",
        "failed",
        "cancelled",
    )
    STATUSES = [
        (CHECKING, _("checking")),
        (CHECKED, _("checked")),
        (WRITING, _("writing")),
        (DONE, _("done")),
        (FAILED, _("failed")),
        (CANCELLED, _("cancelled")),
    ]
    RUNNING = (CHECKING, WRITING)  # a job is at work (or waits for a worker)
    CANCELLABLE = (CHECKING, CHECKED, WRITING)

    owner = models.ForeignKey(  # none for the import command's runs (their token starts with "command-")
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="import_runs",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportMapping.KINDS)
    filename = models.CharField(_("file"), max_length=255)
    token = models.CharField(max_length=64, unique=True, editable=False)  # the upload's, in the page's address
    fields = models.JSONField(default=list)  # the columns as the user chose them (mapping.used_columns)
    columns = models.JSONField(default=list)  # [field, header as written] of the columns read, in order
    language = models.CharField(max_length=10, blank=True)  # the user's, for the messages the jobs write
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default=CHECKING)
    rows_total = models.PositiveIntegerField(default=0)  # rows below the header, as counted at upload
    rows_done = models.PositiveIntegerField(default=0)  # checked, then (while writing) prepared
    rows_written = models.PositiveIntegerField(default=0)  # created or updated so far, while written in slices
    counts = models.JSONField(default=dict)  # status (new, update, duplicate, error) → rows
    problems = models.JSONField(default=list)  # the first MAX_PROBLEMS: [row, column header, message]
    problem_count = models.PositiveIntegerField(default=0)
    file_errors = models.JSONField(default=list)
    notices = models.JSONField(default=list)
    left_out = models.JSONField(default=list)  # the first MAX_PROBLEMS rows that are not data: [row, reason, text]
    left_out_count = models.PositiveIntegerField(default=0)
    ignored = models.JSONField(default=list)  # columns left out
    new_regions = models.JSONField(default=list)
    new_tags = models.JSONField(default=list)
    summary = models.JSONField(default=dict)  # once written: created, updated, duplicates
    written = models.JSONField(default=list)  # while written in slices: what each wrote (imports/undo.py)
    error = models.TextField(blank=True)  # why it failed, for the user
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"], name="import_run_owner")]

    def __str__(self) -> str:
        return f"{self.filename} · {self.status}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def rows_to_write(self) -> int:
        """Rows the check found to create or update: what a write in slices counts up to."""
        return self.counts.get("new", 0) + self.counts.get("update", 0)

    @property
    def is_valid(self) -> bool:
        return (
            self.status in (self.CHECKED, self.WRITING, self.DONE) and not self.file_errors and not self.problem_count
        )

    @property
    def percent(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
