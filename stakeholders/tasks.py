"""The registry's jobs (crm/jobs): a large import's check and write (stakeholders/imports/runs.py).

Each may run more than once (a worker killed mid-job): each reads its run's status first."""

from django.utils.translation import gettext_lazy as _

from crm.jobs.engine import job
from stakeholders.imports import runs


@job(label=_("Check a large import"), attempts=3, backoff=30, timeout=1800)
def import_check(run_id: int) -> None:
    runs.check_run(run_id)


@job(label=_("Write a large import"), attempts=3, backoff=30, timeout=1800)
def import_write(run_id: int) -> None:
    runs.write_run(run_id)
