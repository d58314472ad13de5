import csv
import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from communications.models import Commitment, Concern
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory

TODAY = timezone.localdate()
CONTRACT = {
    "engagements": "date, kind, title, organizations, contacts, customs_office, region, topics, key_factors, depth, sentiment, participants, women_participants, campaign, author",
    "follow-ups": "due_on, status, description, owner, engagement, organizations, completed_on",
    "commitments": "type, title, organizations, status, signed_on, valid_until, review_on",
    "concerns": "raised_on, organization, topic, status, summary, resolved_on, days_to_resolve, referred_to_internal_affairs",
}


def test_a_commitment_recorded_from_an_engagement_takes_its_parties(officer_client, officer):
    one, two = (
        OrganizationFactory(name="Union Aïr", registration_number="RC-A"),
        OrganizationFactory(name="Trans Bani", registration_number="RC-B"),
    )
    engagement = EngagementFactory(author=officer, organizations=[one, two])
    page = officer_client.get(f"/communications/commitments/new/?engagement={engagement.pk}").content.decode()
    assert "Union Aïr · RC-A" in page
    assert "Trans Bani · RC-B" in page
    response = officer_client.post(
        "/communications/commitments/new/",
        {
            "engagement": engagement.pk,
            "type": "integrity_charter",
            "title": "Integrity charter of brokers",
            "parties": "Union Aïr · RC-A; Trans Bani · RC-B",
            "status": "signed",
            "signed_on": TODAY.isoformat(),
            "valid_until": (TODAY + timedelta(days=20)).isoformat(),
        },
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302
    assert commitment.engagement == engagement
    assert set(commitment.parties.all()) == {one, two}
    listing = officer_client.get("/communications/commitments/").content.decode()
    assert "review or expiry soon" in listing
    assert officer_client.get("/communications/commitments/?due_within=30").context["table"].paginator.count == 1


def test_a_commitment_cannot_end_before_it_is_signed(officer_client):
    OrganizationFactory(name="Union Aïr", registration_number="RC-A")
    response = officer_client.post(
        "/communications/commitments/new/",
        {
            "type": "mou",
            "title": "MoU",
            "parties": "RC-A",
            "status": "signed",
            "signed_on": TODAY.isoformat(),
            "valid_until": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert "Cannot end before it was signed." in response.content.decode()


def test_a_concern_resolved_counts_its_days(officer_client):
    organization = OrganizationFactory(name="Comptoir Kapok", registration_number="RC-K")
    officer_client.post(
        "/communications/concerns/new/",
        {
            "organization": "RC-K",
            "raised_on": (TODAY - timedelta(days=12)).isoformat(),
            "summary": "Release delays",
            "status": "resolved",
            "response": "Procedure explained",
        },
    )
    concern = Concern.objects.get()
    assert concern.resolved_on == TODAY
    assert concern.days_to_resolve == 12
    assert concern.organization == organization


def test_a_concern_needs_a_summary_unless_it_is_referred(officer_client):
    OrganizationFactory(name="Comptoir Kapok", registration_number="RC-K")
    response = officer_client.post(
        "/communications/concerns/new/", {"organization": "RC-K", "raised_on": TODAY.isoformat(), "status": "open"}
    )
    assert "Say what was raised" in response.content.decode()


def test_every_export_starts_with_the_contract_columns(manager_client, capsys):
    organization = OrganizationFactory(name="Groupe Sahel")
    engagement = EngagementFactory(organizations=[organization], participants=10, women_participants=4)
    engagement.contacts.add(ContactFactory(organization=organization, first_name="Awa", last_name="Koné"))
    FollowUpFactory(engagement=engagement)
    ConcernFactory(organization=organization, raised_on=TODAY - timedelta(days=3), resolved_on=TODAY, status="resolved")
    commitment = Commitment.objects.create(type="mou", title="MoU", status="signed", author=engagement.author)
    commitment.parties.add(organization)
    for dataset, columns in CONTRACT.items():
        path = {
            "follow-ups": "follow-ups/?owner=all",
            "engagements": "engagements/",
            "commitments": "commitments/",
            "concerns": "concerns/",
        }[dataset]
        separator = "&" if "?" in path else "?"
        response = manager_client.get(f"/communications/{path}{separator}_export=csv")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert list(rows[0])[: len(columns.split(", "))] == columns.split(", "), dataset
        call_command("export", dataset)
        assert capsys.readouterr().out.lstrip("\ufeff").startswith(columns.replace(" ", ""))
    engagement_row = list(
        csv.DictReader(
            io.StringIO(
                b"".join(manager_client.get("/communications/engagements/?_export=csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )[0]
    assert engagement_row["organizations"] == "Groupe Sahel"
    assert engagement_row["contacts"] == "Awa Koné"
    assert engagement_row["women_participants"] == "4"
    assert engagement_row["kind"] == "meeting"
    concern_row = list(
        csv.DictReader(
            io.StringIO(
                b"".join(manager_client.get("/communications/concerns/?_export=csv").streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )[0]
    assert concern_row["days_to_resolve"] == "3"


def test_seed_demo_makes_engagements_once(db, capsys):
    call_command("seed_demo", "--organizations", "30", "--engagements", "200", "--password", "x-password-1")
    from communications.models import Engagement, FollowUp

    first = Engagement.objects.count()
    assert first == 200
    assert FollowUp.objects.exists()
    assert (
        Concern.objects.filter(referred_to_internal_affairs=True, summary="").count()
        == Concern.objects.filter(referred_to_internal_affairs=True).count()
    )
    call_command("seed_demo", "--organizations", "30", "--engagements", "200", "--password", "x-password-1")
    assert Engagement.objects.count() == first
