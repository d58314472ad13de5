"""Webhooks: other systems told as things happen (docs/webhooks.md).

Administrators register endpoints (`services.py`, `views.py`); each event a service tells
(crm/lib/events.py) becomes one delivery per subscribed endpoint, with its payload written at once
(`payloads.py`, `listeners.py`), and one job per delivery that posts it signed (`sending.py`),
retried by the job engine (crm/jobs/). Referrals to Internal Affairs are never delivered; an
erased person's name leaves the delivery log (`scrubbing.py`)."""
