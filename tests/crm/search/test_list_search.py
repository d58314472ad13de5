"""The lists' q filter reads the search's index: any part of a word, accents aside, each word in the
row's own text or its organization's (a commitment's: its own text, or a party's); the same queries
for a few matches or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communications.choices import CommitmentType
from communications.models import Commitment
from crm.lib import search
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory


def names(response) -> list[str]:
    return [str(row.record) for row in response.context["table"].paginated_rows]


@pytest.fixture
def registry(db):
    societe = OrganizationFactory(name="Société Générale de Transit", city="Kédougou")
    ContactFactory(first_name="Aïssatou", last_name="Ndiaye", organization=societe, job_title="Déclarante")
    EngagementFactory(title="Atelier intégrité", organizations=[societe])
    EngagementFactory(title="Réunion à Kidira", organizations=[OrganizationFactory(name="Baobab Logistique")])
    return societe


def test_organizations_by_any_part_accents_aside(officer_client, registry):
    assert names(officer_client.get("/stakeholders/organizations/", {"q": "generale kedou"})) == [registry.name]
    assert names(officer_client.get("/stakeholders/organizations/", {"q": "generale baobab"})) == []


def test_contacts_by_their_own_words_or_their_organization(officer_client, registry):
    assert names(officer_client.get("/stakeholders/contacts/", {"q": "aissatou"})) == ["Aïssatou Ndiaye"]
    assert names(officer_client.get("/stakeholders/contacts/", {"q": "declarante kedougou"})) == ["Aïssatou Ndiaye"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [("integrite", ["Atelier intégrité"]), ("kidira", ["Réunion à Kidira"]), ("baobab", ["Réunion à Kidira"])],
)
def test_engagements_by_title_place_or_organization_met(officer_client, registry, query, titles):
    response = officer_client.get("/communications/engagements/", {"q": query})
    assert [row.record.title for row in response.context["table"].paginated_rows] == titles


def test_engagements_cost_the_same_queries_for_a_few_matches_or_many(officer_client, registry, monkeypatch):
    monkeypatch.setattr(search, "FEW", 3)

    def listed():
        with CaptureQueriesContext(connection) as queries:
            response = officer_client.get("/communications/engagements/", {"q": "atelier"})
        return len(response.context["table"].paginated_rows), len(queries)

    few = listed()
    for number in range(5):
        EngagementFactory(title=f"Atelier {number}", organizations=[registry])
    many = listed()
    assert (few[0], many[0]) == (1, 6)
    assert few[1] == many[1]


@pytest.mark.parametrize("few", [2000, 1], ids=["few matches", "many matches"])
def test_contacts_found_the_same_whether_their_matches_are_few_or_many(officer_client, registry, monkeypatch, few):
    """A rare word is read from the indexes as one set of ids; a common one is checked row by row as
    the list walks its order (PostgreSQL, crm/lib/search.py): the same people either way, and the
    same queries."""
    monkeypatch.setattr(search, "FEW", few)
    ContactFactory(first_name="Moussa", last_name="Transitaire", organization=OrganizationFactory(name="Baobab SA"))

    def listed(query):
        with CaptureQueriesContext(connection) as queries:
            response = officer_client.get("/stakeholders/contacts/", {"q": query})
        return sorted(names(response)), len(queries)

    by_organization, queries = listed("generale")
    assert by_organization == ["Aïssatou Ndiaye"]
    assert listed("transit") == (["Aïssatou Ndiaye", "Moussa Transitaire"], queries)
    assert listed("zzqxw") == ([], queries - 1)  # nothing found: no page of rows to read


def test_follow_ups_by_any_part_of_their_description_accents_aside(officer_client, officer):
    FollowUpFactory(owner=officer, description="Envoyer le procès-verbal à la Chambre")
    FollowUpFactory(owner=officer, description="Call the broker back")
    response = officer_client.get("/communications/follow-ups/", {"q": "proces verbal chambre"})
    assert names(response) == ["Envoyer le procès-verbal à la Chambre"]
    assert names(officer_client.get("/communications/follow-ups/", {"q": "PROCÈS"})) == names(response)
    assert names(officer_client.get("/communications/follow-ups/", {"q": "verbal broker"})) == []


def test_concerns_by_summary_response_or_organization_never_a_referral(manager_client, registry):
    baobab = OrganizationFactory(name="Baobab Logistique")
    ConcernFactory(organization=registry, summary="Retards de mainlevée à Diboli", response="")
    ConcernFactory(organization=baobab, summary="Valuation", response="Procédure expliquée")
    # Saved with text, as no service would: the referral's search text stays empty all the same.
    ConcernFactory(organization=baobab, summary="Mainlevée refusée", referred_to_internal_affairs=True)

    def summaries(query):
        response = manager_client.get("/communications/concerns/", {"q": query})
        return sorted(row.record.summary for row in response.context["table"].paginated_rows)

    assert summaries("mainlevee") == ["Retards de mainlevée à Diboli"]
    assert summaries("procedure") == ["Valuation"]
    assert summaries("mainlevee generale") == ["Retards de mainlevée à Diboli"]  # a word from its organization
    assert summaries("baobab") == ["Mainlevée refusée", "Valuation"]  # a referral is found by its organization
    assert summaries("refusee") == []


def test_commitments_by_title_reference_or_party(manager_client, registry, manager):
    charter = Commitment.objects.create(
        type=CommitmentType.INTEGRITY_CHARTER,
        title="Charte d'intégrité",
        document_reference="MoU-2026/07",
        author=manager,
    )
    other = Commitment.objects.create(type=CommitmentType.MOU, title="Plan d'action conjoint", author=manager)
    other.parties.set([registry])

    def titles(query):
        response = manager_client.get("/communications/commitments/", {"q": query})
        return sorted(names(response))

    assert titles("integrite") == [charter.title]
    assert titles("mou 2026") == [charter.title]
    assert titles("generale") == [other.title]  # a party's name
    assert titles("charte generale") == []
    assert titles("-") == sorted([charter.title, other.title])  # punctuation alone: nothing looked for


@pytest.mark.parametrize("few", [2000, 1], ids=["few matches", "many matches"])
def test_dated_registers_found_the_same_whether_their_matches_are_few_or_many(
    manager_client, manager, registry, monkeypatch, few
):
    """A common word is checked row by row as a list in date order walks it (SQLite; PostgreSQL's
    planner chooses): the same rows as from the index, and the same queries."""
    monkeypatch.setattr(search, "FEW", few)
    for number in range(3):
        FollowUpFactory(owner=manager, description=f"Relancer la Chambre de commerce {number}")
        ConcernFactory(organization=registry, summary=f"Délai n° {number}")
    ConcernFactory(organization=OrganizationFactory(name="Baobab"), summary="Chambre froide")

    def listed(path, query):
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(path, {"q": query})
        return sorted(str(row.record.pk) for row in response.context["table"].paginated_rows), len(queries)

    follow_ups, concerns = "/communications/follow-ups/", "/communications/concerns/"
    assert len(listed(follow_ups, "chambre")[0]) == 3
    assert len(listed(concerns, "chambre")[0]) == 1
    assert len(listed(concerns, "generale delai")[0]) == 3  # a word of the organization, one of the summary
    assert listed(follow_ups, "zzqxw")[0] == []


def test_a_search_counts_up_to_its_own_cap(manager_client, manager, settings):
    settings.SEARCH_COUNT_CAP = 2
    for number in range(3):
        FollowUpFactory(owner=manager, description=f"Relancer le transitaire {number}")
    searched = manager_client.get("/communications/follow-ups/", {"q": "relancer"})
    assert "More than 2 follow-ups" in searched.content.decode()
    assert len(names(searched)) == 3  # every row still listed
    assert "3 follow-ups" in manager_client.get("/communications/follow-ups/").content.decode()
