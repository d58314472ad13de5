"""The search reads an index made for "contains" on both databases (SQLite's FTS5 trigram table,
PostgreSQL's pg_trgm GIN index), which every writer keeps in step and every `migrate` makes whole."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from communications.choices import CommitmentType
from communications.models import Commitment, Concern, Engagement, FollowUp
from crm.lib import search, statistics
from stakeholders.models import Contact, Organization
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory

SEARCHED = [Organization, Contact, Engagement, FollowUp, Commitment, Concern]
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pg_trgm index")


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a table of a few rows is read whole otherwise
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_each_searched_model_holds_the_column():
    assert set(search.searched_models()) == set(SEARCHED)


@sqlite_only
@pytest.mark.django_db
def test_sqlite_reads_the_trigram_table_for_lists_and_the_header():
    OrganizationFactory(name="Société Générale de Transit")
    for queryset in (
        search.matching(Organization.objects.all(), "generale"),
        search.matching(Contact.objects.all(), "generale", also={"organization": Organization}),
        Engagement.objects.filter(search.holds(Organization, "generale", "organizations", looked_up=True)),
        search.matching(FollowUp.objects.all(), "generale"),
        Commitment.objects.filter(search.holds_every(Commitment, "generale")),
        search.matching(Concern.objects.all(), "generale", also={"organization": Organization}),
    ):
        assert "VIRTUAL TABLE INDEX" in plan(queryset)
    joined = Organization.objects.extra(
        tables=["stakeholders_organization_search"],
        where=[
            "stakeholders_organization_search.rowid = stakeholders_organization.id",
            "stakeholders_organization_search MATCH %s",
        ],
        params=['"generale"'],
    )
    assert "VIRTUAL TABLE INDEX" in plan(joined)


@sqlite_only
@pytest.mark.django_db
def test_sqlite_tables_and_triggers_are_there_and_sound():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        names = {row[0] for row in cursor.fetchall()}
        for model in SEARCHED:
            table = search.fts_table(model)
            assert {table, f"{table}_insert", f"{table}_update", f"{table}_delete"} <= names
    organization = OrganizationFactory(name="Karité Export")
    organization.name = "Néré Export"
    organization.save()
    ContactFactory(organization=organization).delete()
    with connection.cursor() as cursor:
        for model in SEARCHED:
            table = search.fts_table(model)
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # raises if unsound
    assert list(search.matching(Organization.objects.all(), "nere")) == [organization]
    assert list(search.matching(Organization.objects.all(), "karite")) == []


@sqlite_only
@pytest.mark.django_db
def test_a_table_rebuilt_by_a_migration_gets_its_triggers_and_index_back():
    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER stakeholders_organization_search_{event}")
    written_meanwhile = OrganizationFactory(name="Baobab Logistique")
    assert list(search.matching(Organization.objects.all(), "baobab")) == []
    search.ensure_indexes()
    assert list(search.matching(Organization.objects.all(), "baobab")) == [written_meanwhile]
    assert search.ensure_index(Organization) is False  # nothing left to make


@sqlite_only
@pytest.mark.django_db
def test_a_trigger_of_an_earlier_release_is_written_again():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER stakeholders_organization_search_update")
        cursor.execute(
            "CREATE TRIGGER stakeholders_organization_search_update AFTER UPDATE OF search_text ON "
            "stakeholders_organization BEGIN SELECT 1; END"
        )
    organization = OrganizationFactory(name="Karité Export")
    Organization.objects.filter(pk=organization.pk).update(search_text="nere export")  # missed by the old trigger
    assert search.ensure_index(Organization) is True
    assert list(search.matching(Organization.objects.all(), "nere")) == [organization]
    with connection.cursor() as cursor:  # an id changed is followed too
        cursor.execute("UPDATE stakeholders_organization SET id = id + 1000 WHERE id = %s", [organization.pk])
    assert list(search.matching(Organization.objects.all(), "nere").values_list("pk", flat=True)) == [
        organization.pk + 1000
    ]


@postgresql_only
@pytest.mark.django_db
def test_postgresql_reads_the_trigram_index():
    OrganizationFactory(name="Société Générale de Transit")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_search_trgm"])
        assert {row[0] for row in cursor.fetchall()} == {f"{m._meta.db_table}_search_trgm" for m in SEARCHED}
    for model, queryset in (
        (Organization, search.matching(Organization.objects.all(), "generale")),
        (Contact, search.matching(Contact.objects.all(), "generale")),
        (Engagement, Engagement.objects.filter(search.holds(Engagement, "generale", looked_up=True))),
        # Without their list's order, which PostgreSQL may walk instead for a table of a few rows.
        (FollowUp, search.matching(FollowUp.objects.order_by(), "generale")),
        (Commitment, Commitment.objects.order_by().filter(search.holds_every(Commitment, "generale"))),
        (Concern, search.matching(Concern.objects.order_by(), "generale")),
    ):
        assert f"{model._meta.db_table}_search_trgm" in plan(queryset)
    assert search.ensure_index(Organization) is False


@pytest.mark.django_db
def test_the_header_search_reads_a_bounded_number_of_rows():
    for number in range(40):
        EngagementFactory(title=f"Atelier intégrité {number}")
    found = search.first_matches(Engagement.objects.all(), "integrite", 5)
    assert [e.title for e in found] == [f"Atelier intégrité {n}" for n in (39, 38, 37, 36, 35)]
    assert search.first_matches(Engagement.objects.all(), "in", 5) == []  # nothing an index can answer


@pytest.mark.django_db
def test_the_migration_fills_the_rows_already_there():
    organization = OrganizationFactory(name="Société Néré", city="Kayes", registration_number="ML-BKO 42")
    contact = ContactFactory(first_name="Aïssatou", phone="+223 20 22 33 44", organization=organization)
    engagement = EngagementFactory(title="Atelier à Kidira", organizations=[organization])
    expected = {
        Organization: Organization.objects.get().search_text,
        Contact: Contact.objects.get().search_text,
        Engagement: Engagement.objects.get().search_text,
    }
    for model in expected:
        model.objects.update(search_text="")
    stakeholders = importlib.import_module("stakeholders.migrations.0006_search_text")
    communications = importlib.import_module("communications.migrations.0014_search_text")

    class Editor:
        connection = connection

    stakeholders.fill(apps, Editor)
    communications.fill(apps, Editor)
    assert Organization.objects.get(pk=organization.pk).search_text == expected[Organization]
    assert Contact.objects.get(pk=contact.pk).search_text == expected[Contact]
    assert Engagement.objects.get(pk=engagement.pk).search_text == expected[Engagement]


@pytest.mark.django_db
def test_the_registers_migration_fills_the_rows_already_there(manager):
    follow_up = FollowUpFactory(description="Envoyer le procès-verbal")
    commitment = Commitment.objects.create(
        type=CommitmentType.MOU, title="Protocole d'accord", document_reference="PA-2026/03", author=manager
    )
    concern = ConcernFactory(summary="Délais à Kidira", response="Réponse donnée")
    referral = ConcernFactory(summary="", referred_to_internal_affairs=True, referral_reference="IA-2026-00001")
    expected = {
        follow_up: "envoyer le proces verbal",
        commitment: "protocole d accord pa 2026 03",
        concern: "delais a kidira reponse donnee",
        referral: "",
    }
    for row, text in expected.items():
        assert type(row).objects.get(pk=row.pk).search_text == text  # save() writes the rule
    for model in (FollowUp, Commitment, Concern):
        model.objects.update(search_text="-")
    Concern.objects.filter(pk=referral.pk).update(summary="Narrative left by a raw write")

    class Editor:
        connection = connection

    importlib.import_module("communications.migrations.0021_register_search_text").fill(apps, Editor)
    for row, text in expected.items():
        assert type(row).objects.get(pk=row.pk).search_text == text


@pytest.mark.django_db(transaction=True)
def test_indexes_wait_for_their_column_when_migrations_are_taken_back():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER communications_followup_search_{event}")
            cursor.execute("DROP TABLE communications_followup_search")
        else:
            cursor.execute("DROP INDEX communications_followup_search_trgm")
        cursor.execute("ALTER TABLE communications_followup DROP COLUMN search_text")
    try:
        search.ensure_indexes()  # no column: nothing made, nothing raised
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE communications_followup ADD COLUMN search_text text NOT NULL DEFAULT ''")
        search.ensure_indexes()
        assert search.ensure_index(FollowUp) is False  # made by the call before
    finally:
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, "communications_followup")
            if not any(column.name == "search_text" for column in columns):
                cursor.execute("ALTER TABLE communications_followup ADD COLUMN search_text text NOT NULL DEFAULT ''")
        search.ensure_indexes()


@sqlite_only
@pytest.mark.django_db
def test_tables_that_lost_their_statistics_get_them_back():
    EngagementFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'communications_engagement'")
    assert statistics.analyze_tables_without_statistics() == ["communications_engagement"]
    assert statistics.analyze_tables_without_statistics() == []
