"""No delivery ever carries anything about a referral to Internal Affairs; an erased person's name
leaves the delivery log."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from communications import services as log
from communications.models import Concern, Engagement
from crm.jobs.loop import run_due_jobs
from crm.models import WebhookDelivery
from tests.factories import ContactFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


def test_a_referral_makes_no_delivery_at_all(endpoint, receiver, raise_concern):
    concern = raise_concern(referred_to_internal_affairs=True, referral_reference="IA-2026-0042")
    concern.status = "resolved"
    log.concern_save(concern=concern)
    assert not WebhookDelivery.objects.exists()
    run_due_jobs()
    assert receiver.received == []


def test_a_concern_that_becomes_a_referral_is_withdrawn_from_the_log(endpoint, receiver, raise_concern):
    concern = raise_concern()
    run_due_jobs()  # told while it was an ordinary concern
    concern.status = "resolved"
    log.concern_save(concern=concern)  # concern.resolved, not sent yet
    concern = Concern.objects.get(pk=concern.pk)
    concern.referred_to_internal_affairs, concern.referral_reference = True, "IA-7"
    log.concern_save(concern=concern)
    assert WebhookDelivery.objects.count() == 2
    for delivery in WebhookDelivery.objects.all():
        assert delivery.data == {}
        assert delivery.scrubbed_at is not None
    resolved = WebhookDelivery.objects.get(event="concern.resolved")
    assert resolved.status == Status.CANCELLED
    run_due_jobs()
    assert len(receiver.received) == 1  # the first only, sent before it was a referral
    assert "IA-7" not in str(list(WebhookDelivery.objects.values()))


def test_a_delivery_about_a_concern_turned_referral_is_not_sent(endpoint, receiver, raise_concern):
    """Even without the event (a write that skipped the service), the job looks before each try."""
    concern = raise_concern()
    Concern.objects.filter(pk=concern.pk).update(referred_to_internal_affairs=True, referral_reference="IA-9")
    run_due_jobs()
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.data) == (Status.CANCELLED, {})


def _log_meeting_with(contact):
    engagement = Engagement(
        title="Brokers' meeting", kind="meeting", occurred_on=date(2026, 12, 1), author=UserFactory()
    )
    return log.engagement_save(
        engagement=engagement,
        organizations=[contact.organization],
        contacts=[contact],
        staff=[],
        topics=[],
        key_factors=[],
    )


def test_an_erased_person_leaves_the_delivery_log(endpoint, receiver):
    organization = OrganizationFactory(name="Niger Freight")
    erased = ContactFactory(
        first_name="Aïssata", last_name="Maïga", organization=organization, email="a.maiga@fictive.example"
    )
    kept = ContactFactory(first_name="Oumar", last_name="Sy", organization=organization)
    sent = _log_meeting_with(erased)
    run_due_jobs()
    log.engagement_save(
        engagement=Engagement(
            title="Follow-up call", kind="phone_call", occurred_on=date(2026, 12, 2), author=UserFactory()
        ),
        organizations=[organization],
        contacts=[erased, kept],
        staff=[],
        topics=[],
        key_factors=[],
    )  # waiting to be sent
    assert "Maïga" in json.loads(receiver.received[0].body)["data"]["engagement"]["people_met"][0]["name"]

    call_command("personal_data", "erase", "a.maiga@fictive.example", "--yes", stdout=io.StringIO())

    log_text = json.dumps(list(WebhookDelivery.objects.values("data", "people")), ensure_ascii=False)
    assert "Maïga" not in log_text
    assert "Aïssata" not in log_text
    assert "Oumar Sy" in log_text  # the others met stay
    first = WebhookDelivery.objects.get(subject=f"engagement:{sent.pk}")
    assert first.data["engagement"]["people_met"] == [{"id": erased.pk}]
    assert first.scrubbed_at is not None
    assert first.people == ""
    run_due_jobs()
    assert "Maïga" not in receiver.received[1].body.decode()  # the one not yet sent goes without the name


def test_payloads_name_no_one_but_the_people_met(endpoint, receiver):
    contact = ContactFactory(first_name="Awa", last_name="Diop", email="awa@fictive.example", phone="+221 77 000 00 00")
    _log_meeting_with(contact)
    data = WebhookDelivery.objects.get().data
    text = json.dumps(data)
    assert "awa@fictive.example" not in text
    assert "77 000" not in text
    assert data["engagement"]["people_met"] == [{"id": contact.pk, "name": "Awa Diop"}]
    assert data["engagement"]["url"].endswith(f"/communications/engagements/{data['engagement']['id']}/")


def test_a_meeting_with_hundreds_of_people_is_delivered(endpoint, receiver):
    organization = OrganizationFactory(name="Chamber of Commerce")
    people = ContactFactory.create_batch(700, organization=organization)
    engagement = Engagement(title="Annual forum", kind="workshop", occurred_on=date(2026, 12, 1), author=UserFactory())
    log.engagement_save(
        engagement=engagement, organizations=[organization], contacts=people, staff=[], topics=[], key_factors=[]
    )
    delivery = WebhookDelivery.objects.get()
    assert len(delivery.people) > 2000
    assert f"|{people[-1].pk}|" in delivery.people
    run_due_jobs()
    assert len(json.loads(receiver.received[0].body)["data"]["engagement"]["people_met"]) == 700
