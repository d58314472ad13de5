"""The export files' jobs (crm/jobs): a large export written, and files cleared when their time is up."""

from django.utils.translation import gettext_lazy as _

from crm.exporting import files
from crm.jobs import schedule
from crm.jobs.engine import job


# A second try starts the file over (after a worker was stopped mid-write).
@job(label=_("Write a large export"), attempts=2, backoff=30, timeout=3600)
def export_write(entry_id: int) -> None:
    files.write(entry_id)


@job(label=_("Delete export files whose time is up"), attempts=3)
def export_clear_expired(slot: str = "") -> int:
    return files.clear_expired()


CLEAR_EXPIRED = schedule.Entry(
    name="clear-export-files",
    job=export_clear_expired,
    latest=schedule.every(60),
    description=_("Delete export files whose time is up (hourly)"),
)
