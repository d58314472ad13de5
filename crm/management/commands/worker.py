"""Runs the jobs (crm/jobs/): `manage.py worker` until stopped (SIGTERM finishes the job in hand),
`--batch` until none is due. Each worker also keeps the schedule; several may run at once."""

import logging

from django.core.management.base import BaseCommand

from crm.jobs import loop
from crm.jobs.engine import stored_in_database


class Command(BaseCommand):
    help = "Runs the background jobs (reminders, digests, webhook deliveries, big imports) and the schedule."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run the jobs due now, then stop.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between two looks when idle.")
        parser.add_argument("--no-clock", action="store_true", help="Leave the schedule to other workers.")
        parser.add_argument("--worker-id", default="", help="A name unique among the workers (default: random).")

    def handle(self, *, batch, interval, no_clock, worker_id, verbosity, **options):
        if verbosity:
            logging.getLogger("crm.jobs").setLevel(logging.INFO)
        if stored_in_database():
            worker = loop.DatabaseWorker(
                worker_id=worker_id, interval=max(interval, 0.05), batch=batch, clock=not no_clock
            )
            done = worker.run()
            if batch:
                self.stdout.write(f"{done} job(s) run.")
        else:
            loop.run_redis_worker(worker_id=worker_id, batch=batch, clock=not no_clock)
