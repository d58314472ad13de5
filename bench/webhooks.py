"""1 000 webhook deliveries to a local receiver, through the real path: each event makes its
delivery and its job in one transaction (crm/webhooks/listeners.py), then the worker's loop runs
the jobs (crm.jobs.loop.run_due_jobs, in this process) and each is posted, signed, to a receiver
on 127.0.0.1 in a thread, which checks every signature. Prints one JSON line (bench/probe.py's
format); bench/run.py starts it with the scratch database's environment:

    python bench/webhooks.py [COUNT]"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ["WEBHOOKS_ALLOW_LOCAL_HTTP"] = "1"  # the receiver speaks plain http on 127.0.0.1

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from tests.crm.webhooks import receiver as receivers  # noqa: E402


def engagement_ids(count: int) -> list[int]:
    """Engagements to tell about (the seeded ones; one made when the database has none)."""
    from communications.models import Engagement
    from stakeholders.models import Organization

    ids = list(Engagement.objects.order_by("-pk").values_list("pk", flat=True)[:count])
    if not ids:
        from crm.models import User

        author = User.objects.order_by("pk").first() or User.objects.create_user("bench@example.test")
        engagement = Engagement.objects.create(title="Bench meeting", author=author)
        engagement.organizations.set([Organization.objects.create(name="Bench Transit")])
        ids = [engagement.pk]
    return ids


def deliveries(count: int = 1000) -> dict:
    from crm.jobs.loop import run_due_jobs
    from crm.models import WebhookDelivery
    from crm.webhooks import listeners, services

    receiver = receivers.start()
    endpoint, receiver.secret = services.endpoint_create(
        name="bench receiver", url=receiver.url, events=["engagement.logged"], actor=None
    )
    ids = engagement_ids(count)
    try:
        started = time.monotonic()
        for number in range(count):
            with transaction.atomic():  # as a service telling its event would
                listeners.event_told("engagement.logged", engagement=ids[number % len(ids)])
        made = time.monotonic() - started
        run_due_jobs(limit=count * 2)
        seconds = time.monotonic() - started
        delivered = WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count()
    finally:
        services.endpoint_remove(endpoint=endpoint, actor=None)
        receiver.close()
    return {
        "measure": "webhook deliveries",
        "deliveries": delivered,
        "verified": receiver.verified,
        "seconds": round(seconds, 3),
        "per_second": round(delivered / seconds, 1) if seconds else None,
        "made_seconds": round(made, 3),
    }


if __name__ == "__main__":
    print(json.dumps(deliveries(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)), flush=True)
