"""The lists' q filter reads the search's index: any part of a word, accents aside, each word in the
row's own text or its organization's; the same queries for a few matches or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.lib import search
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory


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
