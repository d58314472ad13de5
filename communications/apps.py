from datetime import time

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = _("Communications")

    def ready(self):
        from communications import campaigns, filters, rollups, services
        from communications.views.organization_panels import contact_panels, organization_panels
        from stakeholders import extensions

        for hooks, hook in [
            (extensions.ORGANIZATION_MERGE_HOOKS, services.move_engagements_on_merge),
            (extensions.ORGANIZATION_MERGE_HOOKS, campaigns.move_kept_audience_on_merge),
            (extensions.ORGANIZATION_DELETE_HOOKS, campaigns.forget_deleted_member),
            (extensions.CONTACT_MERGE_HOOKS, services.move_contact_engagements_on_merge),
            (extensions.ORGANIZATION_PAGE_CONTEXT, organization_panels),
            (extensions.CONTACT_PAGE_CONTEXT, contact_panels),
            (extensions.ORGANIZATIONS_ENGAGED, filters.organizations_engaged),
            (extensions.ORGANIZATIONS_IN_AUDIENCE, campaigns.organizations_in_audience),
            (extensions.ORGANIZATIONS_CHANGED, rollups.organizations_changed),
        ]:
            if hook not in hooks:
                hooks.append(hook)
        post_migrate.connect(ensure_reference_rows, sender=self)
        # Follow-ups gone overdue are told (follow_up.overdue) each day just after midnight, local time.
        from communications import tasks
        from crm.jobs import schedule

        schedule.register(
            schedule.Entry(
                name="follow-ups overdue",
                job=tasks.tell_overdue_follow_ups,
                latest=schedule.daily(lambda: time(0, 5)),
                description=_("Tell webhooks of the follow-ups that went overdue (daily)"),
            )
        )
        post_migrate.connect(ensure_rollups, sender=self)
        post_migrate.connect(ensure_kept_links, sender=self)


def ensure_reference_rows(**kwargs):
    """The key factors and default topics (made by a data migration) exist, also after a test flush."""
    from communications.choices import DEFAULT_TOPICS, KeyFactorCode
    from communications.models import KeyFactor, Topic
    from crm.lib import changes

    made = [KeyFactor.objects.get_or_create(code=code)[1] for code in KeyFactorCode.values]
    if not Topic.objects.exists():
        for code, name, name_fr in DEFAULT_TOPICS:
            made.append(Topic.objects.get_or_create(code=code, defaults={"name": name, "name_fr": name_fr})[1])
    if any(made):
        changes.record()


def ensure_rollups(**kwargs):
    """The dashboard's roll-ups are worked out for the engagements already there when their tables
    are new (the first migrate after they were added), and the campaigns' reach when it is missing
    (kept since 2026-12: the days of the held campaign events are refreshed). Migrations run no
    application code, and the rule lives in communications.rollups (`manage.py build_rollups` does
    the same on demand)."""
    from communications import rollups
    from communications.models import Engagement, EngagementTally, OrganizationReach
    from crm.lib import changes

    held = Engagement.objects.filter(is_held=True, is_removed=False)
    if not held.exists():
        return
    if not EngagementTally.objects.exists():
        rollups.rebuild()
    elif not OrganizationReach.objects.filter(scope__startswith="campaign:").exists():
        events = held.filter(campaign__isnull=False, organizations__isnull=False)
        days = list(events.order_by().values_list("occurred_on", flat=True).distinct())
        if not days:
            return
        with transaction.atomic():
            rollups.refresh(days=days)
    else:
        return
    changes.record()


def ensure_kept_links(using="default", **kwargs):
    """The triggers that keep what each engagement links to, for the exports and the API
    (migrations run no application code; SQLite drops a table's triggers when a migration rebuilds
    it)."""
    from communications import kept_links

    with transaction.atomic(using=using):
        kept_links.ensure(using)
