"""Measurements that run inside Django (started by bench/run.py with the scratch database's
environment); each prints one JSON object per measure."""

import json
import os
import re
import resource
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from crm.lib import changes  # noqa: E402
from crm.models import User  # noqa: E402

SELECT = re.compile(r"<select\b.*?</select>", re.DOTALL)


def client(email="officer@demo.test") -> Client:
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(User.objects.get(email=email))
    return browser


def largest_select(html: str) -> int:
    return max((block.count("<option") for block in SELECT.findall(html)), default=0)


OFFICER, MANAGER = "officer@demo.test", "manager@demo.test"


def list_pages(region: str, today) -> list[tuple[str, str, str]]:
    """Every list page with its usual filters (label, url, who looks): as an officer, and as a
    manager where what they see differs (everyone's follow-ups, referrals among the concerns)."""
    recent = f"date_from={today - timedelta(days=90)}&date_to={today}"
    return [
        ("organizations list", "/stakeholders/organizations/", OFFICER),
        (
            "organizations list, type + region",
            f"/stakeholders/organizations/?type=customs_broker&region={region}",
            OFFICER,
        ),
        (
            "organizations list, q + type + region",
            f"/stakeholders/organizations/?q=sahel&type=customs_broker&region={region}",
            OFFICER,
        ),
        ("organizations list, name descending, page 500", "/stakeholders/organizations/?sort=-name&page=500", OFFICER),
        ("organizations list, q (a common word)", "/stakeholders/organizations/?q=transit", OFFICER),
        ("contacts list", "/stakeholders/contacts/", OFFICER),
        ("contacts list, q (a first name)", "/stakeholders/contacts/?q=ibrahim", OFFICER),
        ("contacts list, q (no match)", "/stakeholders/contacts/?q=zzqxw", OFFICER),
        ("engagements list", "/communications/engagements/", OFFICER),
        ("engagements list, region + last 90 days", f"/communications/engagements/?region={region}&{recent}", OFFICER),
        ("engagements list, planned tab", "/communications/engagements/?held=no", OFFICER),
        ("engagements list, q (a title word)", "/communications/engagements/?q=release", OFFICER),
        ("engagements list, q (no match)", "/communications/engagements/?q=zzqxw", OFFICER),
        ("engagements list, by kind", "/communications/engagements/?kind=workshop", OFFICER),
        (
            "engagements list, by date range",
            "/communications/engagements/?date_from=2025-01-01&date_to=2025-03-31",
            OFFICER,
        ),
        ("follow-ups list, mine + open (the default)", "/communications/follow-ups/", OFFICER),
        ("follow-ups list, mine + overdue", "/communications/follow-ups/?overdue=on", OFFICER),
        ("follow-ups list, everyone's open (manager)", "/communications/follow-ups/?owner=all", MANAGER),
        ("follow-ups list, everyone's overdue (manager)", "/communications/follow-ups/?owner=all&overdue=on", MANAGER),
        ("follow-ups list, mine, q (a word)", "/communications/follow-ups/?q=minutes", OFFICER),
        (
            "follow-ups list, everyone's, done, due date descending",
            "/communications/follow-ups/?owner=all&status=done&sort=-due_on",
            MANAGER,
        ),
        ("commitments list", "/communications/commitments/", OFFICER),
        (
            "commitments list, signed + review within 90 days",
            "/communications/commitments/?status=signed&due_within=90",
            OFFICER,
        ),
        ("commitments list, q (a word)", "/communications/commitments/?q=charter", OFFICER),
        ("concerns list", "/communications/concerns/", OFFICER),
        ("concerns list (manager, with referrals)", "/communications/concerns/", MANAGER),
        ("concerns list, open", "/communications/concerns/?status=open", OFFICER),
        ("concerns list, open (manager, with referrals)", "/communications/concerns/?status=open", MANAGER),
        ("concerns list, q (a word)", "/communications/concerns/?q=valuation", OFFICER),
        ("concerns list, q (a word, manager)", "/communications/concerns/?q=valuation", MANAGER),
        ("concerns list, referred (manager)", "/communications/concerns/?referred=yes", MANAGER),
        ("campaigns list", "/communications/campaigns/", MANAGER),
        ("campaigns list, after a write elsewhere", "/communications/campaigns/", MANAGER),
        ("campaigns list, q (a word)", "/communications/campaigns/?q=day", MANAGER),
    ]


def pages(runs: int, only: str = ""):
    """Each page's median time and queries; `only`: the pages whose label holds it (while iterating)."""
    from django.utils import timezone

    from communications.models import Engagement
    from stakeholders.models import Organization

    busiest = (
        Engagement.organizations.through.objects.values("organization_id")
        .order_by()
        .annotate(n=django.db.models.Count("pk"))
        .order_by("-n")
        .first()
    )
    organization = busiest["organization_id"] if busiest else Organization.objects.values_list("pk", flat=True).first()
    region = Organization.objects.exclude(region=None).values_list("region__name", flat=True).first()
    urls = [
        *list_pages(region, timezone.localdate()),
        (
            f"organization page ({busiest['n'] if busiest else 0} engagements)",
            f"/stakeholders/organizations/{organization}/",
            OFFICER,
        ),
        ("home page", "/", OFFICER),
        ("header search, a common word (transit)", "/search/?q=transit", OFFICER),
        ("header search, accents left out (societe)", "/search/?q=societe", OFFICER),
        ("header search, no match", "/search/?q=zzqxw", OFFICER),
        ("header search suggestions (htmx)", "/search/suggestions/?q=trans", OFFICER),
        ("dashboard, 90 days (the default), figures kept", "/dashboard/", MANAGER),
        ("dashboard, 365 days, figures kept", "/dashboard/?period=365", MANAGER),
        ("dashboard, 90 days, counted (after a change)", "/dashboard/", MANAGER),
        ("dashboard, 365 days, counted (after a change)", "/dashboard/?period=365", MANAGER),
    ]
    for label, url, email in [page for page in urls if only in page[0]]:
        counted = "counted (after" in label  # the kept figures forgotten before each request, as a change would
        written = "a write elsewhere" in label  # the registers' mark moved before each request, as a write does
        browser = client(email)
        browser.get(url)  # warm up
        times, queries, size, options = [], 0, 0, 0
        for _ in range(runs):
            if counted:
                cache.clear()
            if written:
                changes.record()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as context:
                response = browser.get(url)
            times.append((time.perf_counter() - started) * 1000)
            queries, size = len(context), len(response.content)
            options = largest_select(response.content.decode())
        print(
            json.dumps(
                {
                    "measure": label,
                    "ms": statistics.median(times),
                    "queries": queries,
                    "kb": size / 1024,
                    "status": response.status_code,
                    "largest_select": options,
                }
            ),
            flush=True,
        )


def edits(runs: int):
    """An engagement edited through the service, as the edit page saves it (its title changed, the
    rest as it was): the roll-ups of its day worked out again (communications/rollups.py). Each
    edit in a transaction taken back, so the scratch data stays as seeded; the median of `runs`."""
    from django.db import transaction

    from communications.models import Engagement
    from communications.services import engagement_save

    held = Engagement.objects.filter(is_held=True, is_removed=False).order_by("-occurred_on", "-pk")
    # A day a few weeks back at a million engagements, as full as any; the oldest on a small database.
    pk = held.values_list("pk", flat=True)[min(20_000, held.count() - 1)]
    times, queries = [], 0
    for _ in range(runs + 1):  # the first one warms up
        with transaction.atomic():
            engagement = Engagement.objects.get(pk=pk)
            engagement.title += " (edited)"
            links = {
                name: list(getattr(engagement, name).all())
                for name in ("organizations", "contacts", "staff", "topics", "key_factors")
            }
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as context:
                engagement_save(engagement=engagement, **links)
            times.append((time.perf_counter() - started) * 1000)
            queries = len(context)
            transaction.set_rollback(True)
    day = held.filter(occurred_on=held.filter(pk=pk).values("occurred_on")[:1]).count()
    print(
        json.dumps(
            {
                "measure": "an engagement edited and saved",
                "ms": statistics.median(times[1:]),
                "queries": queries,
                "day": day,
            }
        ),
        flush=True,
    )


def export():
    """Every engagement to CSV, streamed by the list page (the job's threshold lifted for it)."""
    from django.test import override_settings

    browser = client("manager@demo.test")
    started = time.perf_counter()
    with override_settings(EXPORT_JOB_ROWS=10**9):
        response = browser.get("/communications/engagements/?_export=csv")
    first_byte, size, rows = None, 0, 0
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "measure": "export",
                "seconds": seconds,
                "first_byte": first_byte,
                "mb": size / 1e6,
                "rows": rows - 1,
                "peak_mb": peak,
            }
        ),
        flush=True,
    )


def export_job():
    """Every engagement to CSV as a large export is made: asked on the list page (queued), then
    written by its job, run here as a worker would run it (in a process of its own, for its peak)."""
    from crm.exporting import files
    from crm.models import ExportLog

    browser = client("manager@demo.test")
    started = time.perf_counter()
    response = browser.get("/communications/engagements/?_export=csv")
    asked = time.perf_counter() - started
    entry = ExportLog.objects.get(pk=int(response["Location"].strip("/").rsplit("/", 1)[-1]))
    files.write(entry.pk)
    seconds = time.perf_counter() - started
    entry.refresh_from_db()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "measure": "export job",
                "status": entry.status,
                "seconds": seconds,
                "asked": asked,
                "mb": entry.size / 1e6,
                "rows": entry.rows,
                "peak_mb": peak,
            }
        ),
        flush=True,
    )
    files.clear_expired(now=entry.expires_at)


def api(runs: int):
    """The API with a personal token: a list page of engagements (the first, which also writes the
    export log, and one reached by cursor). The walk through every engagement is measured over HTTP,
    by a client in its own process (bench/walk.py)."""
    from crm.accounts.tokens import token_create

    token, key = token_create(user=User.objects.get(email="officer@demo.test"), name="bench", days=1)
    browser = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    try:
        later = browser.get("/api/v1/engagements/").json()["next"]
        for label, url in [
            ("API engagements list page (first page, logged)", "/api/v1/engagements/"),
            ("API engagements list page (by cursor)", later),
        ]:
            times, queries = [], 0
            browser.get(url)  # warm up
            for _ in range(runs):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as context:
                    response = browser.get(url)
                times.append((time.perf_counter() - started) * 1000)
                queries = len(context)
            print(
                json.dumps(
                    {
                        "measure": label,
                        "ms": statistics.median(times),
                        "queries": queries,
                        "kb": len(response.content) / 1024,
                        "status": response.status_code,
                        "largest_select": 0,
                    }
                ),
                flush=True,
            )
    finally:
        token.delete()


def walk_token(action: str):
    """A token for the walk over HTTP (bench/walk.py): "make" prints its key, "forget" deletes it."""
    from crm.accounts.tokens import token_create
    from crm.models import ApiToken

    if action == "make":
        _token, key = token_create(user=User.objects.get(email="officer@demo.test"), name="bench walk", days=1)
        print(json.dumps({"key": key}), flush=True)
    else:
        ApiToken.objects.filter(name="bench walk").delete()


def import_job(rows: int, cancel_at: int = 0):
    """A large import through the page's jobs (checked, then written), run here as a worker would,
    while a thread logs an engagement through the service every 100 ms: the time to done, how long
    the write's transaction held, and the longest any of those engagements waited. With
    `cancel_at`, the user cancels it after that many slices (SQLite), and it is taken back."""
    import csv
    import itertools
    import logging
    import secrets
    import threading

    from django.conf import settings
    from django.db import OperationalError, close_old_connections
    from django.utils import timezone

    from communications.models import Engagement
    from communications.services import engagement_save
    from crm.jobs.loop import run_due_jobs
    from stakeholders.imports import runs
    from stakeholders.models import Organization

    header = ["name", "acronym", "type", "city", "email", "registration_number", "influence", "interest", "tags"]
    token = secrets.token_hex(16)
    with runs.upload_path(token).open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for i in range(rows):
            writer.writerow(
                [
                    f"Registre {token[:6]} {i} SARL",  # a new register each time
                    "RG",
                    "importer",
                    "Kayes",
                    f"r{i}@{token[:6]}.example",
                    f"RC-{token[:6]}-{i:07d}",
                    1 + i % 5,
                    1 + i % 3,
                    "registre",
                ]
            )
    officer = User.objects.get(email="officer@demo.test")
    organization = Organization.objects.filter(is_archived=False).order_by("pk").first()  # a seeded one
    held: list[float] = []

    class Held(logging.Handler):
        def emit(self, record):
            if "transaction held" in record.getMessage():
                held.append(float(record.getMessage().split("held ")[1].split(" s")[0]))

    logging.getLogger("crm.imports").addHandler(Held())
    logging.getLogger("crm.imports").setLevel(logging.INFO)
    waits: list[float] = []
    failed: list[str] = []
    stop = threading.Event()

    def quick_log():
        while not stop.is_set():
            started = time.perf_counter()
            engagement = Engagement(title="Quick log", kind="meeting", occurred_on=timezone.localdate(), author=officer)
            try:
                engagement_save(
                    engagement=engagement,
                    organizations=[organization],
                    contacts=[],
                    staff=[officer],
                    topics=[],
                    key_factors=[],
                )
            except OperationalError as error:  # "database is locked": waited past SQLite's busy timeout
                failed.append(str(error))
            waits.append(time.perf_counter() - started)
            stop.wait(0.1)
        close_old_connections()

    thread = threading.Thread(target=quick_log)
    started = time.perf_counter()
    thread.start()
    run = runs.start_check(
        owner=officer, token=token, kind="organizations", filename="registre.csv", fields=header, rows_total=rows
    )
    run_due_jobs()
    checked = time.perf_counter() - started
    run.refresh_from_db()
    runs.confirm(run)
    organizations = Organization.objects.count()
    if cancel_at:
        slices = itertools.count(1)
        between = runs._between_slices

        def cancelled_later():
            if next(slices) == cancel_at:
                runs.cancel(run)
            between()

        runs._between_slices = cancelled_later
    run_due_jobs()
    done = time.perf_counter() - started
    stop.set()
    thread.join()
    run.refresh_from_db()
    print(
        json.dumps(
            {
                "measure": "import job",
                "rows": rows,
                "status": run.status,
                "checked": checked,
                "done": done,
                "held": max(held, default=None),
                "created": run.summary.get("created"),
                "organizations_added": Organization.objects.count() - organizations,
                "logs": len(waits),
                "failed": len(failed),
                "max_wait": max(waits, default=0),
                "median_wait": statistics.median(waits) if waits else 0,
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            }
        ),
        flush=True,
    )


def newest_organization() -> None:
    from stakeholders.models import Organization

    print(json.dumps({"newest": Organization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0}))


def forget_organizations(after: int) -> None:
    """The organizations the import measures made (ids above `after`: 300,000 of them), taken away
    with their tag links and history, so that the measures after them (the load test, the page
    weights) see the registry as seeded. Deleted by the database, as bench/reminders.py forgets its
    users: no history of the deleting."""
    from django.apps import apps
    from django.db import transaction

    from communications.models import Campaign
    from stakeholders.models import Contact, Organization

    with transaction.atomic():
        for rows in (
            apps.get_model("stakeholders", "HistoricalOrganization_tags").objects.filter(organization_id__gt=after),
            Organization.tags.through.objects.filter(organization_id__gt=after),
            Campaign.kept_audience.through.objects.filter(organization_id__gt=after),
            Contact.objects.filter(organization_id__gt=after),
            Organization.history.model.objects.filter(id__gt=after),
            Organization.objects.filter(pk__gt=after),
        ):
            rows._raw_delete(connection.alias)
        changes.record(everything=True)  # what was kept of them (a kept audience's figures) goes too
    print(json.dumps({"left": Organization.objects.count()}))


if __name__ == "__main__":
    if sys.argv[1] == "pages":
        pages(int(sys.argv[2]), *sys.argv[3:4])
    elif sys.argv[1] == "edits":
        edits(int(sys.argv[2]))
    elif sys.argv[1] == "api":
        api(int(sys.argv[2]))
    elif sys.argv[1] == "walk_token":
        walk_token(sys.argv[2])
    elif sys.argv[1] == "export":
        export()
    elif sys.argv[1] == "export_job":
        export_job()
    elif sys.argv[1] == "import_job":
        import_job(*map(int, sys.argv[2:4]))
    elif sys.argv[1] == "newest_organization":
        newest_organization()
    elif sys.argv[1] == "forget_organizations":
        forget_organizations(int(sys.argv[2]))
