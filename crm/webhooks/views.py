"""/settings/webhooks/: administrators register endpoints, read each one's deliveries and send a
failed one again. Every page needs crm.manage_webhooks (administrators): others get 403."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crm.lib.history import history_page
from crm.models import WebhookDelivery, WebhookEndpoint
from crm.webhooks import selectors, services
from crm.webhooks.events import label
from crm.webhooks.forms import EndpointForm
from crm.webhooks.sending import body_of

MANAGE = "crm.manage_webhooks"
Status = WebhookDelivery.Status


def _endpoint(pk) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=pk, removed_at=None)


def _add_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@permission_required(MANAGE, raise_exception=True)
def endpoint_list(request):
    return render(
        request,
        "crm/webhooks/list.html",
        {"endpoints": selectors.endpoint_list(), "failing": selectors.failing_endpoints()},
    )


@never_cache
@permission_required(MANAGE, raise_exception=True)
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _secret_page(request, endpoint, secret, made=True)
    return render(request, "crm/webhooks/form.html", {"form": form, "endpoint": None})


def _secret_page(request, endpoint, secret: str, *, made: bool):
    """The secret, on this answer only: it is never shown again."""
    return render(request, "crm/webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "made": made})


@permission_required(MANAGE, raise_exception=True)
def endpoint_edit(request, pk):
    endpoint = _endpoint(pk)
    initial = {"name": endpoint.name, "url": endpoint.url, "events": endpoint.events}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **form.cleaned_data, actor=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Changes to “%(name)s” saved.") % {"name": endpoint.name})
            return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    return render(request, "crm/webhooks/form.html", {"form": form, "endpoint": endpoint})


@permission_required(MANAGE, raise_exception=True)
def endpoint_detail(request, pk):
    """The endpoint and its deliveries, newest first; ?status=failed for those that failed."""
    endpoint = _endpoint(pk)
    status = request.GET.get("status", "")
    deliveries = selectors.endpoint_deliveries(endpoint, status=status)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "event_labels": [label(name) for name in endpoint.events],
            "page_obj": page,
            "status": status if status == "failed" or status in Status.values else "",
            "statuses": [("", _("All")), ("failed", _("Failed")), *Status.choices],
            "failing": selectors.failing_endpoints().filter(pk=endpoint.pk).exists(),
            "gone": endpoint.paused_reason == services.PAUSED_GONE,
        },
    )


@never_cache
@require_POST
@permission_required(MANAGE, raise_exception=True)
def endpoint_rotate(request, pk):
    endpoint = _endpoint(pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return _secret_page(request, endpoint, secret, made=False)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def endpoint_pause(request, pk):
    endpoint = _endpoint(pk)
    if request.POST.get("action") == "resume":
        services.endpoint_resume(endpoint=endpoint, actor=request.user)
        messages.success(request, _("“%(name)s” resumed: new events are delivered again.") % {"name": endpoint.name})
    else:
        services.endpoint_pause(endpoint=endpoint, actor=request.user)
        messages.success(request, _("“%(name)s” paused: no event is delivered to it.") % {"name": endpoint.name})
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


@permission_required(MANAGE, raise_exception=True)
def endpoint_remove(request, pk):
    endpoint = _endpoint(pk)
    if request.method == "POST":
        services.endpoint_remove(endpoint=endpoint, actor=request.user)
        messages.success(
            request, _("“%(name)s” removed. Its deliveries and history are kept.") % {"name": endpoint.name}
        )
        return redirect("webhooks:endpoint_list")
    return render(request, "crm/webhooks/remove.html", {"endpoint": endpoint})


@permission_required(MANAGE, raise_exception=True)
def endpoint_history(request, pk):
    endpoint = _endpoint(pk)
    return history_page(request, endpoint, back_url=endpoint_url(endpoint))


def endpoint_url(endpoint: WebhookEndpoint) -> str:
    return reverse("webhooks:endpoint_detail", kwargs={"pk": endpoint.pk})


@permission_required(MANAGE, raise_exception=True)
def delivery_detail(request, pk):
    """One delivery: its tries and the body it sends (as stored: scrubbed data shows scrubbed)."""
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    body = json.dumps(json.loads(body_of(delivery)), indent=2, ensure_ascii=False)
    return render(
        request,
        "crm/webhooks/delivery.html",
        {"delivery": delivery, "endpoint": delivery.endpoint, "body": body, "event": label(delivery.event)},
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def delivery_send_again(request, pk):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    if services.delivery_send_again(delivery=delivery):
        messages.success(request, _("The delivery is queued again, with the same id."))
    else:
        messages.warning(request, _("This delivery cannot be sent again: it is not failed, or its endpoint is paused."))
    return redirect(endpoint_url(delivery.endpoint))
