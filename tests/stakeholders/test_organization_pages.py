import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.lib.paging import DeepPaginator
from stakeholders.models import Contact, Organization
from tests.factories import ContactFactory, OrganizationFactory, RegionFactory


def test_the_list_filters_by_text_type_region_and_tag(officer_client):
    kayes = RegionFactory(name="Thiès")
    tagged = OrganizationFactory(name="Transit Saloum", type="freight_forwarder", region=kayes)
    tagged.tags.create(name="AEO pilot")
    OrganizationFactory(name="Banque du Fleuve", type="bank", region=RegionFactory(name="Kayes"))
    OrganizationFactory(name="Archived Saloum", is_archived=True)

    def names(query):
        response = officer_client.get(f"/stakeholders/organizations/?{query}")
        return [row.name for row in response.context["table"].page.object_list.data]

    assert names("q=saloum") == ["Transit Saloum"]
    assert names("type=freight_forwarder&type=bank") == ["Banque du Fleuve", "Transit Saloum"]
    assert names("region=thies") == ["Transit Saloum"]  # by name, case and accents aside
    assert names("tags=aeo%20PILOT") == ["Transit Saloum"]
    assert names("archived=archived") == ["Archived Saloum"]
    assert names("q=saloum&archived=all") == ["Archived Saloum", "Transit Saloum"]


def test_the_list_sorts_and_pages(officer_client):
    for letter in "CAB":
        OrganizationFactory(name=f"{letter} organisation")
    response = officer_client.get("/stakeholders/organizations/?sort=-name")
    assert [r.name for r in response.context["table"].page.object_list.data] == [
        "C organisation",
        "B organisation",
        "A organisation",
    ]


def test_deep_pages_show_the_same_rows_as_a_plain_slice(officer_client, monkeypatch):
    """Past the first pages the page's ids are read first (crm/lib/paging.py): same rows, same order,
    for every page and both sort directions, archived rows still left out; rows that tie on the
    sort (same name, same type) are each on exactly one page."""
    for i in range(23):
        name = "Same name" if i % 3 == 0 else f"Org {i % 7} {i:02d}"
        OrganizationFactory(name=name, type="bank" if i % 2 else "importer", is_archived=i % 5 == 0)
    live = set(Organization.objects.filter(is_archived=False).values_list("pk", flat=True))

    def pages(query):
        shown = []
        for page in range(1, 6):
            response = officer_client.get(f"/stakeholders/organizations/?{query}&page={page}")
            shown.append([r.pk for r in response.context["table"].page.object_list.data])
        return shown

    monkeypatch.setattr("crm.lib.listing.ListPage.table_pagination", {"per_page": 4, "paginator_class": DeepPaginator})
    for query in ("sort=name", "sort=-name", "sort=region", "sort=type", "sort=-type"):
        plain = pages(query)
        monkeypatch.setattr("crm.lib.paging.DEEP", 4)  # from page 2 on
        assert pages(query) == plain, query
        monkeypatch.setattr("crm.lib.paging.DEEP", 1000)
        every = [pk for page in plain for pk in page]
        assert len(every) == len(set(every)) == len(live) == 18, query
        assert set(every) == live, query
    assert len(plain[-1]) == 2


def test_an_unknown_filter_value_shows_the_error_not_a_crash(officer_client):
    response = officer_client.get("/stakeholders/organizations/?type=smuggler&influence=9")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def _list_queries(client, n):
    OrganizationFactory.create_batch(n)
    with CaptureQueriesContext(connection) as context:
        assert client.get("/stakeholders/organizations/?sort=owner").status_code == 200
    return len(context)


def test_the_list_costs_the_same_queries_for_10_or_60_organizations(officer_client):
    assert _list_queries(officer_client, 10) == _list_queries(officer_client, 50)


def test_htmx_requests_get_only_the_results(officer_client):
    OrganizationFactory(name="Comptoir Kapok")
    response = officer_client.get(
        "/stakeholders/organizations/?q=kapok", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Comptoir Kapok" in body
    assert "<html" not in body


def test_the_page_shows_key_facts_contacts_and_map_place(officer_client):
    organization = OrganizationFactory(name="Union Néré", influence=5, interest=4)
    ContactFactory(organization=organization, first_name="Aminata", last_name="Koné", is_key_contact=True)
    body = officer_client.get(f"/stakeholders/organizations/{organization.pk}/").content.decode()
    assert "Union Néré" in body
    assert "Aminata Koné" in body
    assert "Manage closely" in body


def test_an_officer_creates_an_organization(officer_client, officer):
    region = RegionFactory(name="Kayes")
    response = officer_client.post(
        "/stakeholders/organizations/new/",
        {
            "name": "Comptoir Falémé",
            "type": "exporter",
            "region": region.pk,
            "influence": "4",
            "interest": "2",
            "aeo_status": "none",
            "registration_number": " RC  77 ",
            "tag_names": "AEO pilot; corridor",
            "owner": officer.email,
        },
    )
    organization = Organization.objects.get(name="Comptoir Falémé")
    assert response.status_code == 302
    assert response["Location"] == f"/stakeholders/organizations/{organization.pk}/"
    assert organization.registration_number == "RC 77"
    assert sorted(t.name for t in organization.tags.all()) == ["AEO pilot", "corridor"]
    assert organization.history.first().history_user == officer


def test_bad_input_is_shown_beside_the_fields_and_nothing_typed_is_lost(officer_client):
    response = officer_client.post(
        "/stakeholders/organizations/new/",
        {
            "name": "Kept Name",
            "type": "importer",
            "influence": "7",
            "interest": "3",
            "aeo_status": "none",
            "email": "not-an-email",
            "phone": "call me",
            "website": "nope",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert Organization.objects.count() == 0
    assert 'value="Kept Name"' in body
    for field in ("influence", "email", "phone", "website"):
        assert f'id="id_{field}"' in body
    assert body.count("is-invalid") >= 4


def test_the_same_registration_number_is_refused(officer_client):
    existing = OrganizationFactory(registration_number="RC-THI-001000")
    response = officer_client.post(
        "/stakeholders/organizations/new/",
        {
            "name": "Another",
            "type": "importer",
            "influence": "3",
            "interest": "3",
            "aeo_status": "none",
            "registration_number": "rc-thi-001000",
        },
    )
    assert "This registration number is already used by" in response.content.decode()
    assert f'href="/stakeholders/organizations/{existing.pk}/"' in response.content.decode()


def test_a_similar_name_warns_and_links_then_saves_when_confirmed(officer_client):
    existing = OrganizationFactory(name="Transit Baobab SARL")
    data = {"name": "TRANSIT  BAOBAB", "type": "importer", "influence": "3", "interest": "3", "aeo_status": "none"}
    response = officer_client.post("/stakeholders/organizations/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "similar name" in body
    assert f'href="/stakeholders/organizations/{existing.pk}/"' in body
    response = officer_client.post("/stakeholders/organizations/new/", data | {"confirm_similar": "on"})
    assert response.status_code == 302
    assert Organization.objects.count() == 2


def test_editing_without_renaming_does_not_warn_about_similar_names(officer_client):
    OrganizationFactory(name="Transit Baobab SARL")
    twin = OrganizationFactory(name="Transit Baobab")
    response = officer_client.post(
        f"/stakeholders/organizations/{twin.pk}/edit/",
        {
            "name": "Transit Baobab",
            "type": "importer",
            "influence": "3",
            "interest": "3",
            "aeo_status": "none",
            "registration_number": twin.registration_number,
        },
    )
    assert response.status_code == 302


def test_the_map_counts_each_cell_and_links_to_its_list(officer_client):
    OrganizationFactory.create_batch(2, influence=5, interest=5, type="bank")
    OrganizationFactory(influence=1, interest=2, type="bank")
    OrganizationFactory(influence=5, interest=5, type="media")
    response = officer_client.get("/stakeholders/organizations/map/?type=bank")
    cells = {(c["influence"], c["interest"]): c for row in response.context["rows"] for c in row}
    assert cells[(5, 5)]["count"] == 2
    assert cells[(1, 2)]["count"] == 1
    assert response.context["total"] == 3
    assert "type=bank" in cells[(5, 5)]["url"]
    assert "influence=5" in cells[(5, 5)]["url"]
    listed = officer_client.get(cells[(5, 5)]["url"]).context["table"].paginator.count
    assert listed == 2


def test_the_history_page_says_who_changed_what(officer_client, officer):
    organization = OrganizationFactory(name="Before", city="Kayes")
    officer_client.post(
        f"/stakeholders/organizations/{organization.pk}/edit/",
        {
            "name": "After",
            "type": "customs_broker",
            "influence": "3",
            "interest": "3",
            "aeo_status": "none",
            "city": "Diboli",
            "registration_number": organization.registration_number,
        },
    )
    body = officer_client.get(f"/stakeholders/organizations/{organization.pk}/history/").content.decode()
    assert "Changed" in body
    assert "Kayes" in body
    assert "Diboli" in body
    assert str(officer) in body


@pytest.mark.parametrize("path", ["new/", "1/edit/"])
def test_pages_for_writing_need_the_permission(client, db, path):
    from tests.factories import UserFactory

    OrganizationFactory(pk=1)
    client.force_login(UserFactory())  # no role
    assert client.get(f"/stakeholders/organizations/{path}").status_code == 403


def test_several_types_are_one_in_with_their_codes(officer_client):
    broker = OrganizationFactory(name="Courtier Baobab", type="customs_broker")
    forwarder = OrganizationFactory(name="Transitaire Néré", type="freight_forwarder")
    OrganizationFactory(name="Importateur Karité", type="importer")
    with CaptureQueriesContext(connection) as queries:
        response = officer_client.get("/stakeholders/organizations/", {"type": ["customs_broker", "freight_forwarder"]})
    assert sorted(row.record.pk for row in response.context["table"].paginated_rows) == sorted(
        [broker.pk, forwarder.pk]
    )
    # Written into the SQL: an index condition on PostgreSQL, a partial index's match on SQLite.
    assert any("\"type\" IN ('customs_broker', 'freight_forwarder')" in q["sql"] for q in queries), queries
    with CaptureQueriesContext(connection) as queries:
        refused = officer_client.get("/stakeholders/organizations/", {"type": ["customs_broker", "x' OR 1=1"]})
    assert refused.status_code == 200  # an unknown code: the form refuses it, and nothing runs with it
    assert not any("OR 1=1" in q["sql"] for q in queries)


@pytest.mark.parametrize(
    ("model", "order", "index"),
    [
        (Organization, ["-name", "-pk"], "org_live_name_id"),
        (Contact, ["last_name", "first_name", "pk"], "contact_live_name_id"),
    ],
)
def test_a_deep_pages_ids_are_read_from_the_live_name_index_in_order(db, model, order, index):
    """The live name indexes end with the id, the lists' total order (crm/lib/paging.py): a deep
    page's ids come from the index in order, no sort (on PostgreSQL from the index alone once
    vacuumed: docs/performance.md); SQLite's indexes all end with the rowid anyway."""
    for organization in OrganizationFactory.create_batch(30):
        ContactFactory(organization=organization)
    sql, params = model.objects.filter(is_archived=False).order_by(*order).values("pk")[20:30].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")
        if connection.vendor == "postgresql":
            # A table of a few rows is read whole, or sorted, whatever its indexes: asked to avoid
            # both, the planner shows which index gives the order.
            for setting in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
                cursor.execute(f"SET LOCAL enable_{setting} = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        assert f"using {index}" in plan, plan  # an index scan, index-only once the table is vacuumed
    else:
        assert f"INDEX {index}" in plan, plan
    assert "Sort" not in plan, plan
    assert "TEMP B-TREE" not in plan, plan
