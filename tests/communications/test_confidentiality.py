"""The confidentiality rule: a referral to Internal Affairs keeps no narrative and is seen by few."""

import csv
import io

from django.core.management import call_command
from django.db import connection

from communications.models import Concern, Topic
from crm.lib import search
from tests.factories import ConcernFactory, OrganizationFactory, UserFactory


def refer(client, organization, **extra):
    return client.post(
        "/communications/concerns/new/",
        {
            "organization": organization.name,
            "raised_on": "2026-11-01",
            "referred_to_internal_affairs": "on",
            "referral_reference": "IA-2026-0042",
            "topic": Topic.objects.get(code="informal_payments").pk,
            "summary": "Officer X at checkpoint Y asked for money",
            "response": "Told them to report it",
            "status": "open",
        }
        | extra,
    )


def test_a_referral_keeps_no_narrative_anywhere(officer_client):
    organization = OrganizationFactory(name="Transit Saloum")
    response = refer(officer_client, organization)
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert (concern.summary, concern.response, concern.topic, concern.referral_reference) == (
        "",
        "",
        None,
        "IA-2026-0042",
    )
    assert not concern.history.exclude(summary="").exists()
    assert not concern.history.exclude(response="").exists()
    assert "asked for money" not in officer_client.get(f"/communications/concerns/{concern.pk}/").content.decode()


def test_turning_a_concern_into_a_referral_scrubs_its_history(officer_client, officer, monkeypatch):
    merged = []
    forget = search.forget_removed_text
    monkeypatch.setattr(search, "forget_removed_text", lambda model: merged.append(model) or forget(model))
    concern = ConcernFactory(author=officer, summary="Officer X asked for money")
    assert concern.search_text == "officer x asked for money"
    officer_client.post(
        f"/communications/concerns/{concern.pk}/edit/",
        {
            "organization": concern.organization.name,
            "raised_on": "2026-11-01",
            "referred_to_internal_affairs": "on",
            "referral_reference": "IA-7",
            "status": "open",
            "summary": "Officer X asked for money",
        },
    )
    concern.refresh_from_db()
    assert concern.summary == ""
    assert concern.referred_to_internal_affairs
    assert set(concern.history.values_list("summary", flat=True)) == {""}
    body = officer_client.get(f"/communications/concerns/{concern.pk}/history/").content.decode()
    assert "asked for money" not in body
    # Nor is it found, nor left in the search index's storage (merged at once on SQLite).
    assert concern.search_text == ""
    found = officer_client.get("/communications/concerns/", {"q": "money"})
    assert list(found.context["table"].paginated_rows) == []
    assert merged == [Concern]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # raises if the merge left the index unsound
            cursor.execute(
                "INSERT INTO communications_concern_search(communications_concern_search) VALUES ('integrity-check')"
            )


def test_a_referral_needs_its_reference(officer_client):
    response = refer(officer_client, OrganizationFactory(), referral_reference="")
    assert "Give the reference Internal Affairs gave the referral." in response.content.decode()
    assert Concern.objects.count() == 0


def test_only_the_author_and_managers_see_a_referral(client, officer, manager, administrator):
    organization = OrganizationFactory(name="Union Néré")
    client.force_login(officer)
    refer(client, organization)
    concern = Concern.objects.get()
    ConcernFactory(organization=organization, summary="Release delays")  # an ordinary concern

    def sees(user):
        client.force_login(user)
        page = client.get(f"/communications/concerns/{concern.pk}/").status_code == 200
        listed = concern in client.get("/communications/concerns/").context["table"].page.object_list.data
        searched = client.get("/communications/concerns/?referred=yes").context["table"].paginator.count == 1
        exported = (
            "IA-2026-0042" in b"".join(client.get("/communications/concerns/?_export=csv").streaming_content).decode()
        )
        on_page = (
            "IA-2026-0042" in client.get(f"/communications/organizations/{organization.pk}/outcomes/").content.decode()
        )
        return page, listed, searched, exported, on_page

    assert sees(officer) == (True, True, True, True, True)  # the author
    assert sees(manager) == (True, True, True, True, True)  # allowed to see referrals
    assert sees(UserFactory(role="Outreach officer")) == (False, False, False, False, False)
    assert sees(administrator) == (False, False, False, False, False)  # IT staff: need to know


def test_the_export_leaves_a_referral_summary_empty_and_the_command_leaves_referrals_out(
    manager_client, manager, capsys
):
    organization = OrganizationFactory(name="Groupe Fleuve")
    ConcernFactory(
        organization=organization,
        referred_to_internal_affairs=True,
        referral_reference="IA-1",
        summary="",
        author=manager,
    )
    ConcernFactory(organization=organization, summary="Valuation dispute")
    content = b"".join(manager_client.get("/communications/concerns/?_export=csv").streaming_content).decode(
        "utf-8-sig"
    )
    rows = {r["referred_to_internal_affairs"]: r for r in csv.DictReader(io.StringIO(content))}
    assert rows["yes"]["summary"] == ""
    assert rows["no"]["summary"] == "Valuation dispute"
    call_command("export", "concerns")
    out = capsys.readouterr().out
    assert "Valuation dispute" in out
    assert "IA-1" not in out
