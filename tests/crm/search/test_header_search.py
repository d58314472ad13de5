"""The header search (/search/ and its suggestions): each kind found by any part of its words,
accents and capitals aside, grouped, scoped to what the user may see, at a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stakeholders.models import Contact, Organization
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def registry(db):
    societe = OrganizationFactory(
        name="Société Générale de Transit",
        acronym="SGT",
        registration_number="SN-DKR-2020-B-12345",
        city="Thiès",
        email="contact@sgt.example",
    )
    ContactFactory(
        first_name="Aïssatou",
        last_name="N'Diaye",
        organization=societe,
        email="a.ndiaye@sgt.example",
        phone="+221 77 123 45 67",
        job_title="Déclarante en douane",
    )
    EngagementFactory(title="Atelier sur l'intégrité à Kidira", organizations=[societe])
    return societe


def titles(response, group: str) -> list[str]:
    found = {g.key: g for g in response.context["groups"]}
    return [hit.title for hit in found[group].hits]


@pytest.mark.parametrize(
    ("query", "group", "title"),
    [
        ("societe", "organizations", "Société Générale de Transit"),
        ("GÉNÉRALE transit", "organizations", "Société Générale de Transit"),
        ("néra", "organizations", "Société Générale de Transit"),  # any part of a word
        ("sgt", "organizations", "Société Générale de Transit"),
        ("thies", "organizations", "Société Générale de Transit"),
        ("SN-DKR-2020", "organizations", "Société Générale de Transit"),
        ("sndkr2020b12345", "organizations", "Société Générale de Transit"),  # typed without its dashes
        ("aissatou", "people", "Aïssatou N'Diaye"),
        ("n'diaye", "people", "Aïssatou N'Diaye"),
        ("a.ndiaye@sgt", "people", "Aïssatou N'Diaye"),
        ("771234567", "people", "Aïssatou N'Diaye"),
        ("77 123 45", "people", "Aïssatou N'Diaye"),
        ("integrite kidira", "engagements", "Atelier sur l'intégrité à Kidira"),
    ],
)
def test_each_kind_is_found_by_any_part_accents_and_case_aside(officer_client, registry, query, group, title):
    response = officer_client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert titles(response, group) == [title]


def test_the_page_groups_the_results_and_each_opens_its_page(officer_client, registry):
    response = officer_client.get("/search/", {"q": "transit"})
    html = response.content.decode()
    assert [g.key for g in response.context["groups"]] == ["organizations", "people", "engagements"]
    assert f'href="{registry.get_absolute_url()}"' in html
    assert 'role="search"' in html
    assert "1 result shown for “transit”." in html


def test_a_word_no_row_holds_finds_nothing(officer_client, registry):
    response = officer_client.get("/search/", {"q": "societe zzzqqq"})
    assert all(not group.hits for group in response.context["groups"])
    assert "Nothing found." in response.content.decode()


def test_the_header_of_every_page_holds_a_plain_search_form(officer_client, registry):
    html = officer_client.get("/").content.decode()
    assert '<form class="site-search position-relative" role="search" action="/search/" method="get"' in html
    assert 'aria-label="Search organizations, people and engagements"' in html
    assert '<span id="site-search-status" class="visually-hidden" role="status"></span>' in html
    assert 'name="q"' in html
    assert 'hx-get="/search/suggestions/"' in html
    assert '<label class="visually-hidden" for="site-search-q">' in html


def test_suggestions_are_a_fragment_with_a_few_of_each_kind(officer_client, registry):
    for number in range(8):
        OrganizationFactory(name=f"Transit Kayes {number}")
    response = officer_client.get("/search/suggestions/", {"q": "transit"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert len(titles(response, "organizations")) == 5
    assert "All the organizations found, in their list" in html
    assert 'href="/search/?q=transit"' in html
    assert '<span id="site-search-status" hx-swap-oob="innerHTML">1 result</span>' not in html
    assert '<span id="site-search-status" hx-swap-oob="innerHTML">5 results</span>' in html
    emptied = officer_client.get("/search/suggestions/", {"q": ""}, **HTMX).content.decode().strip()
    assert emptied == '<span id="site-search-status" hx-swap-oob="innerHTML"></span>'  # the count cleared too


def test_more_than_a_page_points_to_the_list_with_the_same_search(officer_client, registry):
    for number in range(25):
        OrganizationFactory(name=f"Transit Kayes {number}")
    response = officer_client.get("/search/", {"q": "transit"})
    group = response.context["groups"][0]
    assert len(group.hits) == 20
    assert group.more
    assert group.list_url == "/stakeholders/organizations/?q=transit"
    listed = officer_client.get(group.list_url)
    assert listed.context["table"].paginator.count == 26


def test_names_that_start_with_the_query_come_first(officer_client, db):
    OrganizationFactory(name="Groupe Kayes Transit")
    OrganizationFactory(name="Kayes Logistique")
    response = officer_client.get("/search/", {"q": "kayes"})
    assert titles(response, "organizations") == ["Kayes Logistique", "Groupe Kayes Transit"]


def test_a_short_query_finds_names_that_start_with_it_and_says_what_else_it_needs(officer_client, registry):
    OrganizationFactory(name="SA Import")
    response = officer_client.get("/search/", {"q": "so"})
    assert titles(response, "organizations") == ["Société Générale de Transit"]
    assert titles(response, "people") == []
    assert titles(response, "engagements") == []
    assert "Type at least three letters or digits to search here." in response.content.decode()


def test_archived_records_are_found_only_by_those_who_may_restore_them(officer_client, client, manager, registry):
    Organization.objects.filter(pk=registry.pk).update(is_archived=True)
    Contact.objects.update(is_archived=True)
    assert titles(officer_client.get("/search/", {"q": "societe"}), "organizations") == []
    assert titles(officer_client.get("/search/", {"q": "aissatou"}), "people") == []
    client.force_login(manager)
    response = client.get("/search/", {"q": "societe"})
    assert titles(response, "organizations") == ["Société Générale de Transit"]
    assert '<span class="badge text-bg-secondary">archived</span>' in response.content.decode()
    assert titles(client.get("/search/", {"q": "aissatou"}), "people") == ["Aïssatou N'Diaye"]


def test_removed_engagements_are_found_by_no_one(manager_client, registry):
    registry.engagements.update(is_removed=True)
    assert titles(manager_client.get("/search/", {"q": "integrite"}), "engagements") == []


def test_a_user_without_a_role_is_refused(client, db, registry):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/search/", {"q": "societe"})
    assert response.status_code == 403


def test_edits_and_deletions_reach_the_index_at_once(officer_client, registry):
    registry.name = "Baobab Logistique"
    registry.save()
    assert titles(officer_client.get("/search/", {"q": "societe"}), "organizations") == []
    assert titles(officer_client.get("/search/", {"q": "baobab"}), "organizations") == ["Baobab Logistique"]
    contact = Contact.objects.get()
    contact.delete()
    assert titles(officer_client.get("/search/", {"q": "aissatou"}), "people") == []


def test_the_page_is_french_in_french(officer_client, registry):
    officer_client.cookies["django_language"] = "fr"
    html = officer_client.get("/search/", {"q": "transit"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Recherche" in html
    assert "Organisations" in html
    assert "1 résultat affiché pour « transit »." in html


def test_the_query_count_does_not_grow_with_the_rows_found(officer_client, registry):
    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get(path, {"q": "transit"}).status_code == 200
        return len(queries)

    few = count("/search/"), count("/search/suggestions/")
    for number in range(30):
        organization = OrganizationFactory(name=f"Transit Kayes {number}", city="Transit")
        ContactFactory(organization=organization, job_title="Transit agent")
        EngagementFactory(title=f"Transit meeting {number}", organizations=[organization])
    # Never more (organizations may take one fewer: enough names start with the query).
    page, suggestions = count("/search/"), count("/search/suggestions/")
    assert page <= few[0]
    assert suggestions <= few[1]


QUERIES = ['"', '" OR "', "NEAR(a b)", "a*", "%_%", "\x00", "é" * 500, "societe) OR (1=1", "^soc", "-sgt"]


def test_no_query_answers_a_server_error(officer_client, registry):
    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(query=st.one_of(st.text(max_size=300), st.sampled_from(QUERIES)))
    def check(query):
        for path in ("/search/", "/search/suggestions/"):
            assert officer_client.get(path, {"q": query}).status_code == 200

    check()


def test_names_that_start_with_the_query_count_only_if_the_list_finds_them_too(officer_client, db):
    OrganizationFactory(name="S.A.B. Logistique")  # its name key starts "sab", its words do not hold it
    response = officer_client.get("/search/", {"q": "sab"})
    assert titles(response, "organizations") == []
    assert names_listed(officer_client, "sab") == []


def names_listed(client, query: str) -> list[str]:
    response = client.get("/stakeholders/organizations/", {"q": query})
    return [row.record.name for row in response.context["table"].paginated_rows]
