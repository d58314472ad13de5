"""Each event is posted, signed, to the endpoints that asked for it; retried with backoff; its tries
recorded; a receiver's Retry-After honoured; 410 Gone pauses the endpoint; a delivery that never
gets through ends failed, with a job failure for the administrators."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from crm.jobs.loop import run_due_jobs
from crm.models import JobFailure, WebhookDelivery, WebhookEndpoint
from crm.webhooks import services
from crm.webhooks.sending import _retry_after
from tests.crm.webhooks.receiver import verify

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


def _make_due():
    """The backoff has passed: every waiting job is due now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


def _fails_every_try(receiver, raise_concern):
    """A concern raised whose delivery the receiver refuses at each of its 8 tries."""
    receiver.answers = [(500, {})] * 8
    raise_concern()
    for _ in range(8):
        run_due_jobs()
        _make_due()


def _waits() -> timedelta:
    waiting = DBTaskResult.objects.get(status="READY", task_path__endswith="deliver")
    return waiting.run_after - timezone.now()


def test_a_delivery_is_signed_and_carries_its_id(endpoint, receiver, raise_concern):
    concern = raise_concern()
    delivery = WebhookDelivery.objects.get()
    assert run_due_jobs() == 1
    [request] = receiver.received
    assert verify(receiver.secret, request.body, request.headers["X-CRM-Signature"])
    assert receiver.verified == 1
    assert request.headers["X-CRM-Delivery"] == str(delivery.uuid)
    assert request.headers["X-CRM-Event"] == "concern.raised"
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.body)
    assert body["id"] == str(delivery.uuid)
    assert body["event"] == "concern.raised"
    assert body["data"]["concern"]["id"] == concern.pk
    assert body["data"]["concern"]["organization"]["name"] == "Sahel Transit"
    assert "summary" not in body["data"]["concern"]  # narratives never leave
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Status.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None


def test_a_wrong_secret_does_not_verify(endpoint, receiver, raise_concern):
    raise_concern()
    run_due_jobs()
    request = receiver.received[0]
    assert not verify("whsec_not-the-secret", request.body, request.headers["X-CRM-Signature"])


def test_only_subscribed_active_endpoints_get_a_delivery(endpoint, receiver, administrator, raise_concern):
    services.endpoint_create(
        name="Commitments only", url=receiver.url, events=["commitment.signed"], actor=administrator
    )
    paused, _secret = services.endpoint_create(
        name="Paused", url=receiver.url, events=["concern.raised"], actor=administrator
    )
    services.endpoint_pause(endpoint=paused, actor=administrator)
    raise_concern()
    assert list(WebhookDelivery.objects.values_list("endpoint__name", flat=True)) == ["Partner system"]


def test_a_failing_receiver_is_tried_again_with_backoff_then_delivered(endpoint, receiver, raise_concern):
    receiver.answers = [(500, {}), (502, {})]
    raise_concern()
    run_due_jobs()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Status.RETRYING, 1, 500)
    assert "receiver says no" in delivery.last_response
    assert timedelta(seconds=45) < _waits() < timedelta(seconds=75)  # 60 s, jittered
    _make_due()
    run_due_jobs()
    assert timedelta(seconds=90) < _waits() < timedelta(seconds=150)  # doubled
    _make_due()
    run_due_jobs()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Status.DELIVERED, 3, 200)
    ids = {request.headers["X-CRM-Delivery"] for request in receiver.received}
    assert ids == {str(delivery.uuid)}  # one id for all tries: receivers drop repeats
    assert len({request.body for request in receiver.received}) == 1
    assert WebhookEndpoint.objects.get().failures_in_a_row == 0


@pytest.mark.parametrize("code", [429, 503])
def test_a_receiver_asking_to_wait_is_tried_again_after_that_wait(endpoint, receiver, raise_concern, code):
    receiver.answers = [(code, {"Retry-After": "900"})]
    raise_concern()
    run_due_jobs()
    assert timedelta(seconds=890) < _waits() <= timedelta(seconds=900)
    assert WebhookDelivery.objects.get().status == Status.RETRYING


def test_retry_after_reads_seconds_and_dates():
    assert _retry_after("120") == 120
    assert _retry_after("0") == 1
    assert _retry_after("soon") is None
    later = timezone.now() + timedelta(minutes=10)
    assert 590 <= _retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT")) <= 600
    assert _retry_after("99999999") == 6 * 3600  # never longer than the engine's longest wait


def test_410_gone_pauses_the_endpoint_without_retrying(endpoint, receiver, raise_concern):
    receiver.answers = [(410, {})]
    raise_concern()
    run_due_jobs()
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    assert endpoint.paused_reason == services.PAUSED_GONE
    assert WebhookDelivery.objects.get().status == Status.FAILED
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert endpoint.history.first().history_change_reason == "Paused: the receiver answered 410 Gone"
    raise_concern()
    assert WebhookDelivery.objects.count() == 1  # a paused endpoint gets no new delivery


def test_a_delivery_that_never_gets_through_fails_and_is_recorded(endpoint, receiver, raise_concern):
    _fails_every_try(receiver, raise_concern)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 8)
    failure = JobFailure.objects.get()
    assert failure.task_path.endswith("sending.deliver")
    assert failure.arguments["args"] == [delivery.pk]
    assert "answered 500" in failure.error
    endpoint.refresh_from_db()
    assert endpoint.is_failing
    assert endpoint.failing_since is not None

    assert services.delivery_send_again(delivery=delivery)
    assert not services.delivery_send_again(delivery=delivery)  # a second click queues nothing more
    run_due_jobs()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 9)
    assert receiver.received[-1].headers["X-CRM-Delivery"] == str(delivery.uuid)
    endpoint.refresh_from_db()
    assert not endpoint.is_failing


def test_run_again_on_the_jobs_page_sends_a_failed_delivery_once_more(
    endpoint, receiver, raise_concern, client, administrator
):
    _fails_every_try(receiver, raise_concern)
    failure = JobFailure.objects.get()
    client.force_login(administrator)
    response = client.post(f"/jobs/failures/{failure.pk}/retry/", follow=True)
    assert "will run again" in response.content.decode()
    run_due_jobs()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 9)

    # Its job gave up before writing a try (the delivery still "retrying"): queued all the same.
    WebhookDelivery.objects.update(status=Status.RETRYING)
    JobFailure.objects.update(settled_at=None)
    response = client.post(f"/jobs/failures/{failure.pk}/retry/", follow=True)
    assert "will run again" in response.content.decode()
    run_due_jobs()
    assert WebhookDelivery.objects.get().status == Status.DELIVERED

    # Failed again, then its endpoint paused: nothing to send, said so, and the failure stays open.
    WebhookDelivery.objects.update(status=Status.FAILED)
    JobFailure.objects.update(settled_at=None)
    services.endpoint_pause(endpoint=endpoint, actor=None)
    response = client.post(f"/jobs/failures/{failure.pk}/retry/", follow=True)
    assert "cannot run again" in response.content.decode()
    assert JobFailure.objects.get().settled_at is None


def test_no_answer_is_a_failure_recorded_with_its_reason(endpoint, receiver, raise_concern):
    receiver.close()
    raise_concern()
    run_due_jobs()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.RETRYING
    assert delivery.last_status_code is None
    assert "refused" in delivery.last_response.lower() or "Error" in delivery.last_response


def test_a_redirect_is_not_followed(endpoint, receiver, raise_concern):
    receiver.answers = [(302, {"Location": "http://127.0.0.1:9/elsewhere"})]
    raise_concern()
    run_due_jobs()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (Status.RETRYING, 302)


def test_the_delivery_exists_only_if_the_event_was_committed(endpoint, raise_concern):
    from django.db import transaction

    def refused():
        with transaction.atomic():
            raise_concern()
            raise RuntimeError("the form was refused")

    with pytest.raises(RuntimeError):
        refused()
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver").exists()


def test_a_new_secret_signs_the_next_tries(endpoint, receiver, administrator, raise_concern):
    raise_concern()
    receiver.secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=administrator)
    run_due_jobs()
    assert receiver.verified == 1
    assert "secret" not in {field.name for field in endpoint.history.model._meta.fields}
