from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from communications.models import Commitment, Concern, Engagement, FollowUp
from communications.services import refresh_last_engaged
from crm.accounts.roles import Role
from crm.models import User
from stakeholders.models import Organization


def test_it_creates_the_three_demo_accounts_once(db, capsys):
    call_command("seed_demo", "--password", "demo-password-1")
    call_command("seed_demo", "--password", "demo-password-1")
    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    assert set(users) == {"officer@demo.test", "manager@demo.test", "admin@demo.test"}
    assert users["officer@demo.test"].role == Role.OFFICER
    assert users["manager@demo.test"].role == Role.MANAGER
    assert users["admin@demo.test"].role == Role.ADMINISTRATOR
    assert users["admin@demo.test"].check_password("demo-password-1")
    assert "demo-password-1" in capsys.readouterr().out


def test_without_a_password_it_prints_a_random_one(db, capsys, monkeypatch):
    monkeypatch.delenv("CRM_DEMO_PASSWORD", raising=False)
    call_command("seed_demo")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    assert len(password) >= 10
    assert User.objects.get(email="manager@demo.test").check_password(password)


def test_a_second_run_keeps_what_people_changed_but_resets_the_password(db):
    call_command("seed_demo", "--password", "first-password-1")
    officer = User.objects.get(email="officer@demo.test")
    officer.first_name = "Renamed"
    officer.save()
    call_command("seed_demo", "--password", "second-password-2")
    officer.refresh_from_db()
    assert officer.first_name == "Renamed"
    assert officer.check_password("second-password-2")


def _seed(organizations: int, engagements: int) -> None:
    call_command(
        "seed_demo",
        "--organizations",
        str(organizations),
        "--engagements",
        str(engagements),
        "--password",
        "seed-password-1",
    )


def test_the_demo_engagements_keep_the_rules_the_engagement_service_keeps(db):
    """The engagements are written by SQL (crm.demo.seeding), so nothing checks them on the way in: here
    every rule of communications.services, every key and every history entry is checked."""
    _seed(organizations=40, engagements=400)
    today = timezone.localdate()
    engagements = list(Engagement.objects.prefetch_related("organizations", "contacts", "staff", "topics"))
    assert len(engagements) == 400
    for engagement in engagements:
        organizations = list(engagement.organizations.all())
        assert 1 <= len(organizations) <= 3
        assert {c.organization_id for c in engagement.contacts.all()} <= {o.pk for o in organizations}
        assert engagement.region_id in {o.region_id for o in organizations}
        assert engagement.women_participants <= engagement.participants
        assert engagement.is_held == (engagement.occurred_on <= today)
        assert today - timedelta(days=3 * 365) <= engagement.occurred_on <= today + timedelta(days=30)
        assert [u.pk for u in engagement.staff.all()] == [engagement.author_id]
        assert 1 <= len(engagement.topics.all()) <= 2
        assert engagement.key_factors.filter(code="private_sector_relationship").exists()
        engagement.full_clean()
    for follow_up in FollowUp.objects.select_related("engagement"):
        assert follow_up.due_on >= follow_up.engagement.occurred_on
        assert (follow_up.status == "done") == (follow_up.completed_on is not None)
        follow_up.full_clean()
    for commitment in Commitment.objects.select_related("engagement"):
        assert set(commitment.parties.all()) == set(commitment.engagement.organizations.all())
        commitment.full_clean()
    for concern in Concern.objects.select_related("engagement"):
        assert concern.organization in concern.engagement.organizations.all()
        if concern.referred_to_internal_affairs:
            assert (concern.summary, concern.response, concern.topic_id) == ("", "", None)
            assert concern.referral_reference.startswith(f"IA-{concern.raised_on.year}-")
        if concern.resolved_on:
            assert concern.raised_on <= concern.resolved_on <= today
        concern.full_clean()
    for model in (Engagement, FollowUp, Commitment, Concern):
        assert model.history.filter(history_type="+").count() == model.objects.count() > 0, model
    # Organizations' last engagement is what the engagement service itself would have written.
    seeded = dict(Organization.objects.values_list("pk", "last_engaged_on"))
    refresh_last_engaged(seeded)
    assert dict(Organization.objects.values_list("pk", "last_engaged_on")) == seeded
    assert any(seeded.values())
    connection.check_constraints()


def test_the_demo_engagements_are_varied(db):
    _seed(organizations=60, engagements=600)
    engagements = Engagement.objects.all()
    assert engagements.values("kind").distinct().count() >= 10
    assert engagements.values("depth").distinct().count() == 5
    assert engagements.values("sentiment").distinct().count() == 4
    assert engagements.values("author").distinct().count() == 2
    assert engagements.values("region").distinct().count() >= 8
    assert engagements.filter(is_held=False).exists()
    assert 150 < FollowUp.objects.count() < 330  # four in ten
    assert FollowUp.objects.filter(status="done").exists()
    assert FollowUp.objects.filter(status="open").exists()
    assert Concern.objects.filter(referred_to_internal_affairs=True).exists()
    assert Concern.objects.filter(status="resolved").exists()
    assert Commitment.objects.filter(type="mou").exists()


def test_the_same_seed_gives_the_same_engagements_in_one_run_or_two(db):
    def snapshot():
        return {
            e.title: (
                e.occurred_on,
                e.kind,
                e.participants,
                e.women_participants,
                e.depth,
                e.sentiment,
                e.author_id,
                sorted(o.registration_number for o in e.organizations.all()),
                sorted((f.description, f.due_on, f.status) for f in e.follow_ups.all()),
                sorted((c.status, c.referred_to_internal_affairs, c.resolved_on) for c in e.concerns.all()),
            )
            for e in Engagement.objects.prefetch_related("organizations", "follow_ups", "concerns")
        }

    _seed(organizations=30, engagements=120)
    once = snapshot()
    Concern.objects.all().delete()
    Commitment.objects.all().delete()
    Engagement.objects.all().delete()
    _seed(organizations=30, engagements=50)
    _seed(organizations=30, engagements=120)
    assert snapshot() == once
    assert len(once) == 120


def test_rows_added_afterwards_get_fresh_ids(db):
    """The demo rows are written with their ids; the database's own numbering must go on after them."""
    _seed(organizations=10, engagements=200)
    author = User.objects.get(email="officer@demo.test")
    organization = Organization.objects.first()
    engagement = Engagement.objects.create(title="After the demo", author=author)
    added = [
        engagement,
        FollowUp.objects.create(
            engagement=engagement, description="Call back", owner=author, due_on=timezone.localdate()
        ),
        Commitment.objects.create(type="mou", title="After the demo", author=author),
        Concern.objects.create(organization=organization, author=author),
    ]
    for row in added:
        earlier = type(row).objects.exclude(pk=row.pk).aggregate(top=Max("pk"))["top"]
        assert earlier is not None, type(row)
        assert row.pk > earlier, type(row)


def _foreign_keys() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_on_postgresql_every_foreign_key_is_back_and_checked_after_seeding(db):
    """crm.demo.seeding takes the filled tables' keys off while it writes and puts them back at the end."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's seeding does not touch the keys")
    before = _foreign_keys()
    call_command("seed_demo", "--password", "demo-password-1", "--organizations", "30", "--engagements", "60")
    assert Engagement.objects.count() >= 60
    assert _foreign_keys() == before
    # and they are checked again: the update passes (PostgreSQL defers the key), the check raises
    with pytest.raises(IntegrityError), transaction.atomic():  # noqa: PT012
        FollowUp.objects.filter(pk=FollowUp.objects.first().pk).update(engagement_id=10**9)
        connection.check_constraints()


def test_no_demo_concern_is_raised_nor_commitment_signed_in_the_future(db):
    _seed(organizations=30, engagements=3000)  # about 90 planned engagements, after today
    today = timezone.localdate()
    assert Engagement.objects.filter(occurred_on__gt=today).exists()
    assert not Concern.objects.filter(raised_on__gt=today).exists()
    assert not Commitment.objects.filter(signed_on__gt=today).exists()
    assert Concern.objects.exists()
    assert Commitment.objects.exists()
