"""The administrators' page of the background jobs: are workers running, what waits, what is
planned, what failed (with its error), and the two answers to a failure."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.jobs import selectors
from crm.jobs.engine import label_of, stored_in_database
from crm.jobs.failures import RETRIED, UNKNOWN, failure_dismiss, failure_retry
from crm.jobs.workers import ABANDONED_WORDS
from crm.models import JobFailure

MANAGE_JOBS = "crm.change_jobfailure"


@permission_required(MANAGE_JOBS, raise_exception=True)
def jobs_page(request):
    failures = Paginator(selectors.open_failures(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/jobs.html",
        {
            "silent": selectors.silent(),
            "workers": selectors.worker_list(),
            "queue": selectors.queue(),
            "in_database": stored_in_database(),
            "planned": selectors.planned(),
            "failures": [(failure, label_of(failure.task_path), _error_words(failure)) for failure in failures],
            "page_obj": failures,
        },
    )


def _error_words(failure: JobFailure) -> str:
    """The error as recorded (an exception's own words), ours translated."""
    return _(failure.error) if failure.error == ABANDONED_WORDS else failure.error


@require_POST
@permission_required(MANAGE_JOBS, raise_exception=True)
def failure_answer(request, pk: int, answer: str):
    if answer not in ("retry", "dismiss"):
        raise Http404
    failure = get_object_or_404(JobFailure, pk=pk, settled_at__isnull=True)
    label = label_of(failure.task_path)
    if answer == "retry":
        outcome = failure_retry(failure=failure, by=request.user)
        if outcome == RETRIED:
            messages.success(request, _("“%(job)s” will run again.") % {"job": label})
        elif outcome == UNKNOWN:
            messages.error(request, _("“%(job)s” cannot run again: this version no longer has it.") % {"job": label})
        else:
            messages.error(
                request,
                _("“%(job)s” cannot run again: what it was for is paused, removed or done since. Put it aside.")
                % {"job": label},
            )
    else:
        failure_dismiss(failure=failure, by=request.user)
        messages.success(request, _("“%(job)s” put aside.") % {"job": label})
    return redirect("jobs")
