import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from communications.models import Campaign, Commitment, Concern, Engagement, FollowUp
from communications.templatetags.follow_up_actions import follow_up_actions_html
from crm.lib.columns import DateColumn
from stakeholders.tables import WIDE

SOON_DAYS = 30


class EngagementTable(tables.Table):
    occurred_on = DateColumn(verbose_name=_("Date"))
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    kind = tables.Column(verbose_name=_("Kind"))
    organizations = tables.Column(verbose_name=_("Organizations"), empty_values=(), orderable=False, attrs=WIDE)
    region = tables.Column(verbose_name=_("Region"), order_by=("region__name", "-occurred_on"), attrs=WIDE)
    depth = tables.Column(verbose_name=_("Depth"), attrs=WIDE)
    sentiment = tables.Column(verbose_name=_("Sentiment"), attrs=WIDE)
    author = tables.Column(verbose_name=_("Logged by"), order_by=("author__last_name",), attrs=WIDE)

    class Meta:
        model = Engagement
        fields = ("occurred_on", "title", "kind", "organizations", "region", "depth", "sentiment", "author")
        attrs = {"class": "table table-hover align-middle table-stack"}
        empty_text = _("No engagement matches these filters.")

    def render_title(self, record, value):
        if not record.is_held:
            return format_html('{} <span class="badge text-bg-info">{}</span>', value, _("planned"))
        return value

    def render_organizations(self, record):
        """The names as the list's query joined them (EngagementList): "; " between two, as in exports."""
        return format_html("{}", record.organization_names or "")


class FollowUpTable(tables.Table):
    due_on = DateColumn(verbose_name=_("Due"))
    description = tables.Column(verbose_name=_("What"))
    engagement = tables.Column(verbose_name=_("Engagement"), linkify=True, attrs=WIDE)
    owner = tables.Column(verbose_name=_("Who"), order_by=("owner__last_name",))
    status = tables.Column(verbose_name=_("Status"))
    actions = tables.Column(verbose_name=_("Action"), empty_values=(), orderable=False)

    class Meta:
        model = FollowUp
        fields = ("due_on", "description", "engagement", "owner", "status", "actions")
        attrs = {"class": "table table-hover align-middle table-stack"}
        row_attrs = {
            "id": lambda record: f"follow-up-{record.pk}",
            "class": lambda record: "table-danger" if record.is_overdue else "",
        }
        empty_text = _("No follow-up here.")

    def render_due_on(self, record, value):
        shown = date_format(value, "SHORT_DATE_FORMAT")
        if record.is_overdue:
            return format_html('{} <span class="badge text-bg-danger">{}</span>', shown, _("overdue"))
        return shown

    def render_actions(self, record):
        # What the request gives every row (the user, the CSRF token, the page's address) read once.
        if not hasattr(self, "_actions"):
            self._actions = {
                "user": self.request.user,
                "csrf_token": get_token(self.request),
                "next_url": self.request.get_full_path(),
            }
        return follow_up_actions_html(record, **self._actions)


class CommitmentTable(tables.Table):
    title = tables.Column(verbose_name=_("Title"), linkify=True)
    type = tables.Column(verbose_name=_("Type"))
    status = tables.Column(verbose_name=_("Status"))
    signed_on = DateColumn(verbose_name=_("Signed"), attrs=WIDE)
    valid_until = DateColumn(verbose_name=_("Valid until"), attrs=WIDE)
    review_on = DateColumn(verbose_name=_("Review"), attrs=WIDE)

    class Meta:
        model = Commitment
        fields = ("title", "type", "status", "signed_on", "valid_until", "review_on")
        attrs = {"class": "table table-hover align-middle table-stack"}
        row_attrs = {"class": lambda record: "table-warning" if commitment_due_soon(record) else ""}
        empty_text = _("No commitment matches these filters.")

    def render_title(self, record, value):
        if commitment_due_soon(record):
            return format_html('{} <span class="badge text-bg-warning">{}</span>', value, _("review or expiry soon"))
        return value


def commitment_due_soon(commitment) -> bool:
    """Due for review or expiring within 30 days (and still in force)."""
    if commitment.status in ("expired", "terminated"):
        return False
    limit = timezone.localdate() + timezone.timedelta(days=SOON_DAYS)
    return any(day is not None and day <= limit for day in (commitment.review_on, commitment.valid_until))


class ConcernTable(tables.Table):
    raised_on = DateColumn(verbose_name=_("Raised"), linkify=True)
    organization = tables.Column(verbose_name=_("Organization"), order_by=("organization__name",))
    topic = tables.Column(verbose_name=_("Topic"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    days = tables.Column(verbose_name=_("Days to resolve"), empty_values=(), orderable=False, attrs=WIDE)

    class Meta:
        model = Concern
        fields = ("raised_on", "organization", "topic", "status", "days")
        attrs = {"class": "table table-hover align-middle table-stack"}
        empty_text = _("No concern matches these filters.")

    def render_topic(self, record):
        if record.referred_to_internal_affairs:
            return format_html('<span class="badge text-bg-dark">{}</span>', _("Referred to Internal Affairs"))
        return record.topic or "—"

    def render_days(self, record):
        return record.days_to_resolve if record.days_to_resolve is not None else "—"


class CampaignTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    status = tables.Column(verbose_name=_("Status"))
    starts_on = DateColumn(verbose_name=_("Starts"))
    ends_on = DateColumn(verbose_name=_("Ends"), attrs=WIDE)
    audience = tables.Column(verbose_name=_("Audience"), empty_values=(), orderable=False)
    reached = tables.Column(verbose_name=_("Reached"), empty_values=(), orderable=False)
    owner = tables.Column(verbose_name=_("Owner"), attrs=WIDE)

    class Meta:
        model = Campaign
        fields = ("name", "status", "starts_on", "ends_on", "audience", "reached", "owner")
        attrs = {"class": "table table-hover align-middle table-stack"}
        empty_text = _("No campaign yet.")

    def _reach(self, record) -> tuple[int, int]:
        """(audience, reached) of the page's campaigns, counted together (two queries for the page)."""
        if not hasattr(self, "_page_reach"):
            from communications.campaigns import campaigns_reach

            rows = self.page.object_list if hasattr(self, "page") else self.rows
            self._page_reach = campaigns_reach(row.record for row in rows)
        return self._page_reach.get(record.pk, (0, 0))

    def render_audience(self, record):
        n = self._reach(record)[0]
        return format_html('<span data-audience="{}">{}</span>', n, intcomma(n))

    def render_reached(self, record):
        n = self._reach(record)[1]
        return format_html('<span data-reached="{}">{}</span>', n, intcomma(n))
