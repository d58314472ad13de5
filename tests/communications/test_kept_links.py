"""What each engagement links to, kept by the database for the exports (names) and the API (keys),
follows every write that bears on it: links added, moved and taken away, names changed, people
erased, records merged, engagements deleted; and it is made right again when a trigger went
missing."""

import ast
import json

import pytest
from django.db import connection

from communications import kept_links
from communications.models import Engagement, EngagementLinks, KeyFactor, Topic
from crm.lib.exports import Related, joined_values
from stakeholders import services as registry
from stakeholders.personal_data import erase_contacts
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ORGANIZATIONS = Engagement.organizations.through


def worked_out() -> dict[int, tuple[str, str, str, str]]:
    """Every engagement's names as the exports worked them out before they were kept: four
    look-ups per row (crm.lib.exports.joined_values)."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Concat

    full_name = {
        "full_name": Concat(F("contact__first_name"), Value(" "), F("contact__last_name"), output_field=CharField())
    }
    related = [
        Related("organizations", ORGANIZATIONS, "engagement_id", "organization__name"),
        Related("contacts", Engagement.contacts.through, "engagement_id", "full_name", annotate=full_name),
        Related("topics", Engagement.topics.through, "engagement_id", "topic__code"),
        Related("key_factors", Engagement.key_factors.through, "engagement_id", "keyfactor__code"),
    ]
    rows = Engagement.objects.annotate(**{f"joined_{r.header}": joined_values(r) for r in related})
    columns = [f"joined_{r.header}" for r in related]
    return {pk: tuple(value or "" for value in values) for pk, *values in rows.values_list("pk", *columns)}


def kept() -> dict[int, tuple[str, str, str, str]]:
    assert kept_keys() == keys_worked_out()  # wherever the names are checked, the keys are too
    return {
        pk: tuple(values)
        for pk, *values in EngagementLinks.objects.values_list(
            "engagement_id", "organizations", "contacts", "topics", "key_factors"
        )
    }


KEYS = ["organization_ids", "contact_ids", "staff_emails", "topic_codes", "key_factor_codes"]


def kept_keys() -> dict[int, tuple]:
    rows = EngagementLinks.objects.values_list("engagement_id", *KEYS)
    return {pk: tuple(json.loads(value) for value in values) for pk, *values in rows}


def keys_worked_out() -> dict[int, tuple]:
    """The keys as the API's serializer writes them: ids ascending, texts by code point."""
    found = {}
    for engagement in Engagement.objects.prefetch_related(
        "organizations", "contacts", "staff", "topics", "key_factors"
    ):
        found[engagement.pk] = (
            sorted(o.pk for o in engagement.organizations.all()),
            sorted(c.pk for c in engagement.contacts.all()),
            sorted(u.email for u in engagement.staff.all()),
            sorted(t.code for t in engagement.topics.all()),
            sorted(k.code for k in engagement.key_factors.all()),
        )
    return found


def test_links_added_and_taken_away_are_kept_in_the_order_the_database_sorts_them():
    zeta, alpha = OrganizationFactory(name="Zeta Transit"), OrganizationFactory(name="Alpha Logistique")
    engagement = EngagementFactory(organizations=[zeta, alpha])
    assert kept()[engagement.pk][0] == "Alpha Logistique; Zeta Transit"
    awa = ContactFactory(first_name="Awa", last_name="Diallo", organization=alpha)
    engagement.contacts.add(awa, ContactFactory(first_name="Moussa", last_name="Keita", organization=zeta))
    engagement.topics.add(*Topic.objects.order_by("code")[:2])
    engagement.key_factors.add(KeyFactor.objects.get(code="transparency"))
    assert kept()[engagement.pk][1] == "Awa Diallo; Moussa Keita"
    assert kept()[engagement.pk][3] == "transparency"
    engagement.organizations.remove(zeta)
    engagement.contacts.remove(awa)
    engagement.topics.clear()
    assert kept()[engagement.pk] == ("Alpha Logistique", "Moussa Keita", "", "transparency")
    assert kept() == worked_out()


def test_a_name_changed_anywhere_changes_in_every_engagement_that_shows_it():
    organization = OrganizationFactory(name="Ancien Nom")
    person = ContactFactory(first_name="Awa", last_name="Diallo", organization=organization)
    first, second = EngagementFactory(organizations=[organization]), EngagementFactory(organizations=[organization])
    first.contacts.add(person)
    organization.name = "Nouveau Nom"
    organization.save()
    person.last_name = "Diallo-Sow"
    person.save()
    topic = Topic.objects.first()
    second.topics.add(topic)
    Topic.objects.filter(pk=topic.pk).update(code="renamed_topic")
    assert kept()[first.pk][:2] == ("Nouveau Nom", "Awa Diallo-Sow")
    assert kept()[second.pk][0] == "Nouveau Nom"
    assert kept()[second.pk][2] == "renamed_topic"
    colleague = UserFactory(email="zz@customs.example")
    second.staff.add(colleague, UserFactory(email="ab@customs.example"), UserFactory(email="a.c@customs.example"))
    colleague.email = "Ab@customs.example"  # capitals sort before small letters, by code point
    colleague.save()
    # and punctuation counts (a language's collation, PostgreSQL's en_US say, would skip the dot)
    assert kept_keys()[second.pk][2] == ["Ab@customs.example", "a.c@customs.example", "ab@customs.example"]
    assert kept() == worked_out()


def test_an_erased_person_is_gone_from_the_kept_names_in_the_erasure_itself():
    organization = OrganizationFactory()
    person = ContactFactory(first_name="Aminata", last_name="Traoré", organization=organization)
    engagement = EngagementFactory(organizations=[organization])
    engagement.contacts.add(person)
    erase_contacts([person])
    assert "Aminata" not in kept()[engagement.pk][1]
    assert "Traoré" not in kept()[engagement.pk][1]
    assert kept() == worked_out()


def test_merged_records_and_deleted_engagements_are_followed():
    survivor, duplicate = OrganizationFactory(name="Sahel Fret"), OrganizationFactory(name="Sahel Fret SARL")
    person, twin = (ContactFactory(first_name="Ali", last_name=name, organization=survivor) for name in ("Ba", "Bah"))
    moved = EngagementFactory(organizations=[duplicate])
    moved.contacts.add(twin)
    gone = EngagementFactory(organizations=[survivor])
    registry.organization_merge(survivor=survivor, duplicate=duplicate)
    registry.contact_merge(survivor=person, duplicate=twin)
    assert kept()[moved.pk][:2] == ("Sahel Fret", "Ali Ba")
    gone.delete()
    assert gone.pk not in kept()
    assert kept() == worked_out()


def test_a_bulk_write_of_links_is_kept_too():
    organizations = OrganizationFactory.create_batch(4)
    engagements = [EngagementFactory(organizations=[organizations[0]]) for _ in range(4)]
    ORGANIZATIONS.objects.bulk_create(
        [
            ORGANIZATIONS(engagement=engagement, organization=other)
            for engagement in engagements
            for other in organizations[1:3]
        ]
    )
    ORGANIZATIONS.objects.filter(organization=organizations[2]).update(organization=organizations[3])  # moved
    assert kept() == worked_out()
    assert all(len(names[0].split("; ")) == 3 for names in kept().values())


def test_a_missing_trigger_is_made_again_and_the_names_worked_out_again():
    organization = OrganizationFactory(name="Avant")
    engagement = EngagementFactory(organizations=[organization])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER kept_links_organizations_rename ON {organization._meta.db_table}")
        else:
            cursor.execute("DROP TRIGGER kept_links_organizations_rename")
    organization.name = "Après"
    organization.save()
    assert kept()[engagement.pk][0] == "Avant"  # missed while the trigger was gone
    assert kept_links.ensure() is True
    assert kept()[engagement.pk][0] == "Après"
    assert kept_links.ensure() is False  # nothing to make the second time
    assert kept() == worked_out()


def test_links_written_while_paused_are_worked_out_at_the_end_and_kept_after():
    from django.db import transaction

    organization = OrganizationFactory(name="Avant")
    with transaction.atomic(), kept_links.paused():
        engagements = [EngagementFactory(organizations=[organization]) for _ in range(3)]
        assert not EngagementLinks.objects.filter(engagement__in=engagements).exists()  # nothing kept meanwhile
    assert kept() == worked_out()
    assert kept_links.ensure() is False  # the triggers are back, as written
    organization.name = "Après"
    organization.save()
    assert {names[0] for names in kept().values()} == {"Après"}


@pytest.mark.django_db(transaction=True)
def test_pausing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError), kept_links.paused():
        pass  # the triggers would stay dropped after a failure: never outside a transaction
    assert kept_links.ensure() is False  # nothing was taken off


WRITE_A_LINK = """
from communications.models import Engagement
from crm.models import User
from stakeholders.models import Organization
engagement = Engagement.objects.create(author=User.objects.create(email="back@example.test"), title="Taken back")
engagement.organizations.add(Organization.objects.create(name="Transit Sahel"))
"""
READ_THE_LINKS = """
from communications.models import EngagementLinks
print(list(EngagementLinks.objects.values_list("organizations", "organization_ids")))
"""


@pytest.mark.django_db(transaction=True)
def test_taking_the_table_back_takes_its_triggers_first_and_going_on_works_them_out(tmp_path):
    from tests.databases import manage, scratch_database

    with scratch_database(tmp_path) as url:
        manage(url, tmp_path, "migrate", "--no-input")
        manage(url, tmp_path, "migrate", "communications", "0018", "--no-input")
        manage(url, tmp_path, "shell", "-c", WRITE_A_LINK)  # no trigger left to fail on the missing table
        manage(url, tmp_path, "migrate", "--no-input")
        printed = manage(url, tmp_path, "shell", "-c", READ_THE_LINKS).strip().splitlines()[-1]
        [(names, ids)] = ast.literal_eval(printed)
    assert names == "Transit Sahel"
    assert len(json.loads(ids)) == 1
