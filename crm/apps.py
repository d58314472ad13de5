from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.core.management import call_command
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Customs CRM")

    def ready(self):
        from crm import checks  # noqa: F401  (registers the deployment checks)
        from crm.accounts.backends import forget_permissions, read_with_user
        from crm.accounts.middleware import start_session_clock
        from crm.accounts.roles import sync_role_permissions
        from crm.exporting.log import record
        from crm.jobs import cleanup, schedule
        from crm.lib import events, exports, search, statistics
        from crm.notifications import entries, notices

        # Django creates each app's permissions in its post_migrate step, app by app; once the
        # last app's are made, the roles receive theirs from the table in crm/accounts/roles.py (the one
        # place that says what each role holds).
        post_migrate.connect(sync_role_permissions)
        post_migrate.connect(forget_permissions)  # crm.accounts.backends reads them again
        # `migrate` alone leaves a database ready for every page and command, cache table included.
        pre_migrate.connect(create_cache_tables, sender=self)
        # The search's indexes are complete after every migrate, even where SQLite rebuilt a table
        # (and dropped its triggers) in a migration (crm/lib/search.py).
        post_migrate.connect(search.ensure_indexes, sender=self)
        # SQLite forgets a table's planner statistics when a migration rebuilds it (crm/lib/statistics.py).
        post_migrate.connect(statistics.analyze_tables_without_statistics, sender=self)
        # …and never has any for an index a migration adds, until that index is analysed.
        post_migrate.connect(statistics.analyze_indexes_without_statistics, sender=self)
        # A session's clocks start at sign-in (crm.accounts.middleware.SessionTimeoutMiddleware).
        user_logged_in.connect(start_session_clock)
        wire_webhooks()
        # Every export is recorded in the export log (crm/exporting/log.py); the library calls it.
        if record not in exports.EXPORT_RECORDERS:
            exports.EXPORT_RECORDERS.append(record)
        wire_export_files()
        # The periodic jobs (crm/jobs/schedule.py): each worker's clock enqueues them once per slot.
        schedule.register(cleanup.ENTRY)
        schedule.register(entries.REMINDERS)
        schedule.register(entries.DIGEST)
        # A follow-up someone else gave a user: a notice in the app, and an e-mail (crm/notifications/).
        events.listen("follow_up.assigned", notices.on_follow_up_assigned)
        # The header's badges, read in the signed-in user's own query (no query of their own).
        read_with_user("header_due", notices.due_figure)
        read_with_user("header_unread", notices.unread_figure)


def wire_webhooks() -> None:
    """Each event other systems may receive becomes deliveries (crm/webhooks/); a concern that
    becomes a referral, or a person erased on request, leaves the delivery log."""
    from crm.lib import events
    from crm.webhooks import listeners, scrubbing
    from crm.webhooks.events import WEBHOOK_EVENTS
    from stakeholders import extensions

    for name in WEBHOOK_EVENTS:
        events.listen(name, listeners.event_told)
    events.listen("concern.referred", scrubbing.concern_referred)
    if scrubbing.erase_people not in extensions.PERSON_ERASURE_HOOKS:
        extensions.PERSON_ERASURE_HOOKS.append(scrubbing.erase_people)


def wire_export_files() -> None:
    """Large exports are written by jobs (crm/exporting/files.py): the list pages queue them, the
    clock clears their files when their time is up, and an erasure withdraws them."""
    from crm.exporting import files, tasks
    from crm.jobs import schedule
    from crm.lib import exports
    from stakeholders import extensions

    if files.queue not in exports.EXPORT_QUEUES:
        exports.EXPORT_QUEUES.append(files.queue)
    schedule.register(tasks.CLEAR_EXPIRED)
    if files.erase_people not in extensions.PERSON_ERASURE_HOOKS:
        extensions.PERSON_ERASURE_HOOKS.append(files.erase_people)


def create_cache_tables(using, verbosity=1, **kwargs):
    """Make the database cache's table (CACHE_URL db://…, the default) as `migrate` starts.

    Django leaves it to `createcachetable`; a newcomer who ran `migrate` alone met "no such table:
    crm_cache" on the first page. Tables already there are left as they are, so databases where
    `createcachetable` ran keep working, and a cache switched to the database later gets its table
    at the next `migrate`. Other caches (Redis, local memory) need no table: nothing is made.
    """
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))
