"""A large import's page, while jobs check and write it (stakeholders/imports/runs.py): its progress
(a fragment htmx asks for again every few seconds; without JavaScript, a link that reloads the
page), then the preview paged (counts per status, problems, rows of one status), the confirmation,
the cancel button and the summary. Each run is its owner's alone: another user gets 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.jobs import workers
from crm.jobs.progress import progress_fragment
from stakeholders.imports import runs, staging
from stakeholders.imports.preview import DUPLICATE, ERROR, NEW, UPDATE
from stakeholders.models import ImportRun

ROWS_PER_PAGE = 50
PROBLEMS_PER_PAGE = 50
STATUSES = (NEW, UPDATE, DUPLICATE, ERROR)


def _run(request, token: str) -> ImportRun:
    return get_object_or_404(ImportRun, token=token, owner=request.user)


def _page_number(request, name: str, pages: int) -> int:
    try:
        number = int(request.GET.get(name, "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), max(pages, 1))


def _pages(total: int, per_page: int) -> int:
    return (total + per_page - 1) // per_page


def _progress_context(run: ImportRun) -> dict:
    return {"run": run, "waiting": run.is_running and workers.silent()}


def import_run(request, token):
    run = _run(request, token)
    context = _progress_context(run)
    if run.status in (ImportRun.CHECKED, ImportRun.WRITING, ImportRun.FAILED) and run.columns:
        context.update(_preview(request, run))
    return render(request, "stakeholders/import_run.html", context)


def _preview(request, run: ImportRun) -> dict:
    """The paged preview of a checked run: problems from the run, rows from its staging file."""
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    total = run.counts.get(status, 0) if status else sum(run.counts.values())
    row_pages = _pages(total, ROWS_PER_PAGE)
    page = _page_number(request, "page", row_pages)
    path = runs.rows_path(run.token)
    rows = staging.page(path, status, (page - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE) if path.exists() else []
    problem_pages = _pages(len(run.problems), PROBLEMS_PER_PAGE)
    problem_page = _page_number(request, "problems", problem_pages)
    start = (problem_page - 1) * PROBLEMS_PER_PAGE
    return {
        "status": status,
        "rows": rows,
        "page": page,
        "pages": row_pages,
        "problems": run.problems[start : start + PROBLEMS_PER_PAGE],
        "problem_page": problem_page,
        "problem_pages": problem_pages,
        "headers": [header for _field, header in run.columns],
        "all_rows": sum(run.counts.values()),
    }


def import_run_progress(request, token):
    """The progress fragment. Once the job has finished, htmx reloads the whole page (the preview
    or the summary replaces the bar)."""
    run = _run(request, token)
    return progress_fragment(
        request, "stakeholders/partials/import_progress.html", _progress_context(run), running=run.is_running
    )


@require_POST
def import_run_confirm(request, token):
    run = _run(request, token)
    if not runs.confirm(run):
        messages.error(request, _("This import cannot be written: check its problems, or upload the file again."))
    return redirect("stakeholders:import_run", token=token)


@require_POST
def import_run_cancel(request, token):
    run = _run(request, token)
    if runs.cancel(run):
        messages.success(request, _("Import cancelled: nothing was written."))
    else:
        run.refresh_from_db()
        if run.status == ImportRun.DONE:
            messages.info(request, _("The import had already been written; it was not cancelled."))
    return redirect("stakeholders:import_run", token=token)
