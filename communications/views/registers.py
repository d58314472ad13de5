"""The commitments and concerns registers."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from communications.exports import COMMITMENTS, CONCERNS
from communications.filters import CommitmentFilter, ConcernFilter
from communications.forms import CommitmentForm, ConcernForm
from communications.models import Commitment, Concern
from communications.selectors import commitment_list, concern_list, engagement_list
from communications.services import commitment_save, concern_save
from communications.tables import CommitmentTable, ConcernTable, commitment_due_soon
from crm.lib.history import history_page
from crm.lib.listing import ListPage


def _engagement_from(request):
    pk = request.GET.get("engagement") or request.POST.get("engagement")
    if pk and str(pk).isdigit():
        return engagement_list(user=request.user).filter(pk=pk).first()
    return None


def _add_errors(form, error: ValidationError):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class CommitmentList(ListPage):
    table_class = CommitmentTable
    filterset_class = CommitmentFilter
    dataset = COMMITMENTS
    template_name = "communications/commitment_list.html"
    partial_template_name = "communications/partials/register_results.html"

    def get_queryset(self):
        return commitment_list(user=self.request.user)


def commitment_detail(request, pk):
    commitment = get_object_or_404(commitment_list(user=request.user), pk=pk)
    return render(
        request,
        "communications/commitment_detail.html",
        {
            "commitment": commitment,
            "parties": commitment.parties.all(),
            "due_soon": commitment_due_soon(commitment),
            "can_edit": request.user.has_perm("communications.edit_commitment", commitment),
        },
    )


@permission_required("communications.add_commitment", raise_exception=True)
def commitment_create(request):
    engagement = _engagement_from(request)
    initial = {"parties": list(engagement.organizations.all())} if engagement else {}
    form = CommitmentForm(
        request.POST or None, initial=initial, instance=Commitment(author=request.user, engagement=engagement)
    )
    if request.method == "POST" and form.is_valid():
        try:
            commitment = commitment_save(commitment=form.save(commit=False), parties=form.cleaned_data["parties"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Commitment recorded."))
            return redirect(commitment)
    return render(
        request,
        "communications/register_form.html",
        {
            "form": form,
            "engagement": engagement,
            "title": _("New commitment"),
            "cancel_url": engagement.get_absolute_url() if engagement else "/communications/commitments/",
        },
    )


def commitment_edit(request, pk):
    commitment = get_object_or_404(commitment_list(user=request.user), pk=pk)
    if not request.user.has_perm("communications.edit_commitment", commitment):
        raise PermissionDenied
    form = CommitmentForm(request.POST or None, instance=commitment)
    if request.method == "POST" and form.is_valid():
        try:
            commitment_save(commitment=form.save(commit=False), parties=form.cleaned_data["parties"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(commitment)
    return render(
        request,
        "communications/register_form.html",
        {"form": form, "title": commitment.title, "cancel_url": commitment.get_absolute_url()},
    )


def commitment_history(request, pk):
    commitment = get_object_or_404(commitment_list(user=request.user), pk=pk)
    return history_page(request, commitment, back_url=commitment.get_absolute_url())


class ConcernList(ListPage):
    table_class = ConcernTable
    filterset_class = ConcernFilter
    dataset = CONCERNS
    template_name = "communications/concern_list.html"
    partial_template_name = "communications/partials/register_results.html"

    def get_queryset(self):
        return concern_list(user=self.request.user)


def _concern_or_404(request, pk) -> Concern:
    # Referrals the user may not see answer 404, exactly as if they did not exist.
    return get_object_or_404(concern_list(user=request.user), pk=pk)


def concern_detail(request, pk):
    concern = _concern_or_404(request, pk)
    return render(
        request,
        "communications/concern_detail.html",
        {"concern": concern, "can_edit": request.user.has_perm("communications.edit_concern", concern)},
    )


@permission_required("communications.add_concern", raise_exception=True)
def concern_create(request):
    engagement = _engagement_from(request)
    initial = {}
    if engagement:
        initial = {"raised_on": engagement.occurred_on, "organization": engagement.organizations.first()}
    form = ConcernForm(
        request.POST or None, initial=initial, instance=Concern(author=request.user, engagement=engagement)
    )
    if request.method == "POST" and form.is_valid():
        try:
            concern = concern_save(concern=form.save(commit=False))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Referral recorded: only its date and reference are kept.")
                if concern.referred_to_internal_affairs
                else _("Concern recorded."),
            )
            return redirect(concern)
    return render(
        request,
        "communications/register_form.html",
        {
            "form": form,
            "engagement": engagement,
            "title": _("New concern"),
            "concern_form": True,
            "cancel_url": engagement.get_absolute_url() if engagement else "/communications/concerns/",
        },
    )


def concern_edit(request, pk):
    concern = _concern_or_404(request, pk)
    if not request.user.has_perm("communications.edit_concern", concern):
        raise PermissionDenied
    form = ConcernForm(request.POST or None, instance=concern)
    if request.method == "POST" and form.is_valid():
        try:
            concern_save(concern=form.save(commit=False))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(concern)
    return render(
        request,
        "communications/register_form.html",
        {"form": form, "title": str(concern), "concern_form": True, "cancel_url": concern.get_absolute_url()},
    )


def concern_history(request, pk):
    concern = _concern_or_404(request, pk)
    return history_page(request, concern, back_url=concern.get_absolute_url())
