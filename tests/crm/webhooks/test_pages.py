"""/settings/webhooks/: administrators only; the secret shown once; bad addresses refused with a
form error, never a server error; pause, resume, remove with a trace; the log and "send again"."""

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from crm.jobs.loop import run_due_jobs
from crm.models import WebhookDelivery, WebhookEndpoint
from crm.webhooks import services
from tests.crm.test_hostile_input import HYPOTHESIS, PAYLOADS

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status
GOOD = {"name": "Partner system", "url": "https://partner.example.org/hooks", "events": ["concern.raised"]}


@pytest.fixture
def some_endpoint(administrator):
    return services.endpoint_create(**GOOD, actor=administrator)[0]


def _paths(pk):
    return [
        ("get", "/settings/webhooks/"),
        ("get", "/settings/webhooks/new/"),
        ("get", f"/settings/webhooks/{pk}/"),
        ("get", f"/settings/webhooks/{pk}/edit/"),
        ("get", f"/settings/webhooks/{pk}/history/"),
        ("get", f"/settings/webhooks/{pk}/remove/"),
        ("post", f"/settings/webhooks/{pk}/secret/"),
        ("post", f"/settings/webhooks/{pk}/pause/"),
    ]


def test_only_administrators_reach_the_pages(client, officer, manager, some_endpoint):
    for user in (officer, manager):
        client.force_login(user)
        for method, path in _paths(some_endpoint.pk):
            assert getattr(client, method)(path).status_code == 403, (user, path)
    assert not WebhookEndpoint.objects.get().is_paused


def test_the_menu_shows_webhooks_to_administrators_only(client, officer, administrator):
    client.force_login(officer)
    assert "/settings/webhooks/" not in client.get("/").content.decode()
    client.force_login(administrator)
    assert "/settings/webhooks/" in client.get("/").content.decode()


def test_an_endpoint_is_added_and_its_secret_shown_once(admin_client_):
    response = admin_client_.post("/settings/webhooks/new/", GOOD)
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    page = admin_client_.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in page
    assert "Partner system" in admin_client_.get("/settings/webhooks/").content.decode()


def test_the_secret_is_replaced_and_shown_once(admin_client_, some_endpoint):
    old = some_endpoint.secret
    response = admin_client_.post(f"/settings/webhooks/{some_endpoint.pk}/secret/")
    some_endpoint.refresh_from_db()
    assert some_endpoint.secret != old
    assert some_endpoint.secret in response.content.decode()
    assert some_endpoint.history.filter(history_change_reason="Secret replaced").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://partner.example.org/hooks", "must start with https://"),
        ("ftp://partner.example.org/", "Enter a full web address"),
        ("partner.example.org", "Enter a full web address"),
        ("https://user:pw@partner.example.org/", "Leave the user name and password out"),
        ("https://partner.example.org:99999/", "Enter a full web address"),
        ("javascript:alert(1)", "Enter a full web address"),
        ("http://127.0.0.1:9000/hooks", "must start with https://"),
    ],
)
def test_bad_addresses_are_refused_with_a_form_error(admin_client_, url, message):
    response = admin_client_.post("/settings/webhooks/new/", GOOD | {"url": url})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@override_settings(WEBHOOKS_ALLOW_LOCAL_HTTP=True)
def test_plain_http_to_this_machine_only_when_the_setting_allows_it(admin_client_):
    admin_client_.post("/settings/webhooks/new/", GOOD | {"url": "http://127.0.0.1:9000/hooks"})
    assert WebhookEndpoint.objects.count() == 1
    response = admin_client_.post("/settings/webhooks/new/", GOOD | {"url": "http://partner.example.org/"})
    assert "must start with https://" in response.content.decode()


def test_no_event_chosen_is_a_form_error(admin_client_):
    response = admin_client_.post("/settings/webhooks/new/", GOOD | {"events": []})
    assert "Choose at least one event." in response.content.decode()
    response = admin_client_.post("/settings/webhooks/new/", GOOD | {"events": ["follow_up.assigned"]})
    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()


@HYPOTHESIS
@given(name=st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=200)), url=st.sampled_from(PAYLOADS) | st.text())
def test_hostile_input_is_never_a_server_error(admin_client_, name, url):
    response = admin_client_.post("/settings/webhooks/new/", {"name": name, "url": url, "events": [url]})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_pause_resume_remove_leave_a_trace(admin_client_, administrator, some_endpoint):
    path = f"/settings/webhooks/{some_endpoint.pk}/"
    admin_client_.post(path + "pause/", {"action": "pause"})
    assert WebhookEndpoint.objects.get().is_paused
    admin_client_.post(path + "pause/", {"action": "resume"})
    assert not WebhookEndpoint.objects.get().is_paused
    admin_client_.post(path + "edit/", GOOD | {"name": "Renamed"})
    assert admin_client_.post(path + "remove/").status_code == 302
    removed = WebhookEndpoint.objects.get()  # kept, with its history
    assert removed.removed_at is not None
    assert admin_client_.get(path).status_code == 404
    assert "Renamed" not in admin_client_.get("/settings/webhooks/").content.decode()
    reasons = list(removed.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["Registered", "Paused", "Resumed", "Changed", "Removed"]
    assert set(removed.history.values_list("history_user", flat=True)) == {administrator.pk}


def test_the_log_filters_failed_deliveries_and_sends_one_again(admin_client_, endpoint, receiver, raise_concern):
    receiver.answers = [(410, {})]
    raise_concern()
    run_due_jobs()  # 410: failed, endpoint paused
    raise_concern()  # paused: nothing made
    path = f"/settings/webhooks/{endpoint.pk}/"
    page = admin_client_.get(path + "?status=failed").content.decode()
    assert "410" in page
    assert "Gone" in page
    assert "Send again" not in page  # paused: resume first
    assert "Partner system" in admin_client_.get("/settings/webhooks/").content.decode()
    assert "keep failing" in admin_client_.get("/settings/webhooks/").content.decode()
    admin_client_.post(path + "pause/", {"action": "resume"})
    page = admin_client_.get(path + "?status=failed").content.decode()
    assert "Send again" in page
    delivery = WebhookDelivery.objects.get()
    admin_client_.post(f"/settings/webhooks/deliveries/{delivery.pk}/send-again/")
    run_due_jobs()
    assert WebhookDelivery.objects.get().status == Status.DELIVERED
    assert "No delivery yet." in admin_client_.get(path + "?status=failed").content.decode()
    detail = admin_client_.get(f"/settings/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert str(delivery.uuid) in detail
    assert "concern.raised" in detail


def test_odd_filters_and_pages_are_not_errors(admin_client_, some_endpoint):
    path = f"/settings/webhooks/{some_endpoint.pk}/"
    for query in ["?status=%00", "?status=<script>", "?page=-1", "?page=abc", "?status=delivered&page=9999"]:
        assert admin_client_.get(path + query).status_code == 200
    assert admin_client_.get("/settings/webhooks/deliveries/999999/").status_code == 404
    assert admin_client_.post("/settings/webhooks/deliveries/999999/send-again/").status_code == 404


def test_the_pages_speak_french(admin_client_, some_endpoint):
    page = admin_client_.get("/settings/webhooks/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ajouter un point de réception" in page
    form = admin_client_.get("/settings/webhooks/new/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Échange enregistré" in form
