"""Every write path (pages, commands, the admin, restore) moves the mark the dashboard keeps its
figures under: the next view counts again and shows the change (crm/lib/changes.py)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from communications.apps import ensure_reference_rows
from communications.models import Campaign, Commitment, KeyFactor
from crm.lib import changes
from stakeholders.models import CustomsOffice, Organization, Region, Tag
from tests.crm.dashboard.test_dashboard_cache import FIXTURES, SURVEY, TODAY, _view
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    RegionFactory,
    UserFactory,
)
from tests.form_pages import form_data
from tests.stakeholders.import_steps import map_columns


@pytest.fixture
def world(db, manager, officer, administrator, tmp_path):
    """A little of everything, and a client per role."""
    kayes = RegionFactory(name="Kayes")
    broker = OrganizationFactory(name="Transit Saloum", registration_number="RC-SAL-1", influence=5, region=kayes)
    other = OrganizationFactory(name="Union Néré", registration_number="RC-NER-2", region=kayes)
    person = ContactFactory(organization=broker, email="awa.kone@fictive.example")
    namesake = ContactFactory(organization=broker, email="awa.k@fictive.example")
    engagement = EngagementFactory(author=officer, occurred_on=TODAY - timedelta(days=2), organizations=[broker])
    planned = EngagementFactory(
        author=officer, occurred_on=TODAY + timedelta(days=3), is_held=False, organizations=[broker]
    )
    follow_up = FollowUpFactory(engagement=engagement, owner=officer, due_on=TODAY + timedelta(days=5))
    commitment = Commitment.objects.create(type="mou", title="MoU", status="draft", author=officer)
    commitment.parties.set([broker])
    concern = ConcernFactory(organization=broker, author=officer, raised_on=TODAY - timedelta(days=1))
    campaign = Campaign.objects.create(name="Integrity week", status="active", owner=manager, starts_on=TODAY)
    # Not read by the dashboard (it reads running campaigns): its first reading keeps its audience.
    ended = Campaign.objects.create(
        name="Last year", status="completed", owner=manager, ends_on=TODAY - timedelta(days=30)
    )
    office = CustomsOffice.objects.create(name="Diboli", kind="border_post", region=kayes)
    leaving = UserFactory(email="leaving@example.test")
    Organization.objects.filter(pk=other.pk).update(owner=leaving)
    clients = {}
    for name, user in (("officer", officer), ("manager", manager), ("administrator", administrator)):
        clients[name] = Client()
        clients[name].force_login(user)
    superuser = UserFactory(email="root@example.test", is_superuser=True, is_staff=True)
    clients["superuser"] = Client()
    clients["superuser"].force_login(superuser)
    return {
        "region": kayes,
        "broker": broker,
        "other": other,
        "person": person,
        "namesake": namesake,
        "engagement": engagement,
        "planned": planned,
        "follow_up": follow_up,
        "commitment": commitment,
        "concern": concern,
        "campaign": campaign,
        "ended": ended,
        "office": office,
        "spare region": Region.objects.create(name="Gao"),
        "old tags": [Tag.objects.create(name="Old tag"), Tag.objects.create(name="Older tag")],
        "leaving": leaving,  # owns an organization: deleting them empties its owner
        "tmp": tmp_path,
        **clients,
    }


def _sent(response, status=302):
    """The response, once it is the one expected (else the form's errors are shown)."""
    if response.status_code != status and getattr(response, "context", None):
        forms = [response.context.get(key) for key in ("form", "new_organization_form", "adminform")]
        pytest.fail(f"{response.status_code}: {[form.errors for form in forms if form]}")
    assert response.status_code == status
    return response


def _edit(client, url: str, **changes_typed):
    """Open the edit page, change some fields, save."""
    return _sent(client.post(url, form_data(client.get(url)) | changes_typed))


def _quick_log(w, **extra) -> dict:
    return {
        "occurred_on": TODAY.isoformat(),
        "kind": "meeting",
        "title": "Consultative committee in Kayes",
        "mode": "in_person",
        "organizations": "Transit Saloum · RC-SAL-1",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        **extra,
    }


def _import_page(w):
    client = w["officer"]
    csv = (FIXTURES / "organizations.csv").read_bytes()
    columns = _sent(client.post("/stakeholders/import/", {"file": SimpleUploadedFile("orgs.csv", csv)}))["Location"]
    location = _sent(map_columns(client, columns))["Location"]
    _sent(client.post(location + "confirm/"), status=200)


def _survey_command(w):
    path = w["tmp"] / "cips.csv"
    path.write_bytes(SURVEY)
    call_command("import_survey", str(path), stdout=io.StringIO())


def _reference_rows_made_again(w):
    KeyFactor.objects.filter(code="transparency").delete()  # by hand: records nothing
    ensure_reference_rows()  # what `migrate` runs at its end


# name → the write, and the figures it changes (None: the mark moves and the figures are counted
# again, whatever they become)
WRITES = {
    "organization created": (
        lambda w: _sent(
            w["officer"].post(
                "/stakeholders/organizations/new/",
                {
                    "name": "Acacia Nouvelle",
                    "type": "importer",
                    "influence": "3",
                    "interest": "3",
                    "aeo_status": "none",
                },
            )
        ),
        None,
    ),
    "organization edited": (
        lambda w: _edit(w["officer"], f"/stakeholders/organizations/{w['broker'].pk}/edit/", influence="1"),
        {"coverage": None},  # no key stakeholder left
    ),
    "organization archived": (
        lambda w: _sent(
            w["manager"].post(f"/stakeholders/organizations/{w['other'].pk}/archive/", {"action": "archive"})
        ),
        None,
    ),
    "organization merged": (
        lambda w: _sent(
            w["manager"].post(
                f"/stakeholders/organizations/{w['broker'].pk}/merge/", {"other": w["other"].pk, "keep": "this"}
            )
        ),
        None,
    ),
    "organization deleted": (
        lambda w: _sent(w["administrator"].post(f"/stakeholders/organizations/{w['other'].pk}/delete/")),
        None,
    ),
    "contact created": (
        lambda w: _sent(
            w["officer"].post(
                "/stakeholders/contacts/new/",
                {"first_name": "Fanta", "last_name": "Diarra", "organization": "RC-SAL-1", "preferred_language": "fr"},
            )
        ),
        None,
    ),
    "contact edited": (
        lambda w: _edit(w["officer"], f"/stakeholders/contacts/{w['person'].pk}/edit/", job_title="Director"),
        None,
    ),
    "contact archived": (
        lambda w: _sent(
            w["manager"].post(f"/stakeholders/contacts/{w['namesake'].pk}/archive/", {"action": "archive"})
        ),
        None,
    ),
    "contact merged": (
        lambda w: _sent(
            w["manager"].post(
                f"/stakeholders/contacts/{w['person'].pk}/merge/", {"other": w["namesake"].pk, "keep": "this"}
            )
        ),
        None,
    ),
    "contact deleted": (
        lambda w: _sent(w["administrator"].post(f"/stakeholders/contacts/{w['namesake'].pk}/delete/")),
        None,
    ),
    "personal data erased (page)": (
        lambda w: _sent(w["administrator"].post(f"/stakeholders/contacts/{w['person'].pk}/erase/")),
        None,
    ),
    "personal data erased (command)": (
        lambda w: call_command("personal_data", "erase", "awa.kone@fictive.example", "--yes", stdout=io.StringIO()),
        None,
    ),
    "stakeholders imported (page)": (_import_page, None),
    "stakeholders imported (command)": (
        lambda w: call_command("import_stakeholders", str(FIXTURES / "organizations.csv"), stdout=io.StringIO()),
        None,
    ),
    "engagement logged": (
        lambda w: _sent(w["officer"].post("/communications/engagements/new/", _quick_log(w))),
        {"engagements": 2},
    ),
    "organization added from the quick log": (
        lambda w: _sent(
            w["officer"].post(
                "/communications/engagements/new/",
                _quick_log(
                    w,
                    _create_organization="1",
                    **{
                        "new_organization-name": "Acacia Nouvelle",
                        "new_organization-type": "importer",
                        "new_organization-region": str(w["region"].pk),
                    },
                ),
            ),
            status=200,
        ),
        None,
    ),
    "engagement edited": (
        lambda w: _edit(w["officer"], f"/communications/engagements/{w['engagement'].pk}/edit/", participants="12"),
        {"participants": 12},
    ),
    "engagement marked held": (
        lambda w: _sent(w["officer"].post(f"/communications/engagements/{w['planned'].pk}/held/")),
        {"engagements": 2},
    ),
    "engagement removed": (
        lambda w: _sent(w["manager"].post(f"/communications/engagements/{w['engagement'].pk}/remove/")),
        {"engagements": 0},
    ),
    "follow-up done": (
        lambda w: _sent(w["officer"].post(f"/communications/follow-ups/{w['follow_up'].pk}/done/")),
        {"follow_ups": 0},
    ),
    "follow-up edited": (
        lambda w: _edit(w["officer"], f"/communications/follow-ups/{w['follow_up'].pk}/edit/", status="cancelled"),
        {"follow_ups": 0},
    ),
    "commitment recorded": (
        lambda w: _sent(
            w["officer"].post(
                "/communications/commitments/new/",
                {
                    "engagement": w["engagement"].pk,
                    "type": "integrity_charter",
                    "title": "Integrity charter",
                    "parties": "RC-SAL-1",
                    "status": "signed",
                    "signed_on": TODAY.isoformat(),
                },
            )
        ),
        {"commitments": 1},
    ),
    "commitment edited": (
        lambda w: _edit(
            w["officer"],
            f"/communications/commitments/{w['commitment'].pk}/edit/",
            status="signed",
            signed_on=TODAY.isoformat(),
        ),
        {"commitments": 1},
    ),
    "concern raised": (
        lambda w: _sent(
            w["officer"].post(
                "/communications/concerns/new/",
                {"organization": "RC-NER-2", "raised_on": TODAY.isoformat(), "summary": "Delays", "status": "open"},
            )
        ),
        {"concerns": 2},
    ),
    "concern edited": (
        lambda w: _edit(w["officer"], f"/communications/concerns/{w['concern'].pk}/edit/", status="resolved"),
        {"concerns": 0},
    ),
    "campaign created": (
        lambda w: _sent(
            w["manager"].post(
                "/communications/campaigns/new/",
                {
                    "name": "Integrity day",
                    "status": "active",
                    "starts_on": TODAY.isoformat(),
                    "owner": "manager@example.test",
                    "key_factors": ["transparency"],
                    "channels": ["radio"],
                    "audience-region": "kayes",
                },
            )
        ),
        None,
    ),
    "campaign edited": (
        lambda w: _edit(w["manager"], f"/communications/campaigns/{w['campaign'].pk}/edit/", target_reached="40"),
        None,
    ),
    "ended campaign's audience kept when first read": (
        lambda w: _sent(w["manager"].get(f"/communications/campaigns/{w['ended'].pk}/"), status=200),
        None,
    ),
    "survey imported (page)": (
        lambda w: _sent(
            w["administrator"].post("/dashboard/survey/", {"file": SimpleUploadedFile("cips.csv", SURVEY)})
        ),
        None,
    ),
    "survey imported (command)": (_survey_command, None),
    "demo data seeded": (
        lambda w: call_command(
            "seed_demo",
            *("--password", "demo-password-1", "--organizations", "3", "--contacts-per-org", "1"),
            *("--engagements", "4"),
            stdout=io.StringIO(),
        ),
        None,
    ),
    "reference rows made again after migrate": (_reference_rows_made_again, None),
    "region added in the admin": (
        lambda w: _sent(w["superuser"].post("/admin/stakeholders/region/add/", {"name": "Ségou"})),
        None,
    ),
    "customs office changed in the admin": (
        lambda w: _sent(
            w["superuser"].post(
                f"/admin/stakeholders/customsoffice/{w['office'].pk}/change/",
                {"name": "Diboli frontière", "kind": "border_post", "region": w["region"].pk},
            )
        ),
        None,
    ),
    "region deleted in the admin": (
        lambda w: _sent(
            w["superuser"].post(f"/admin/stakeholders/region/{w['spare region'].pk}/delete/", {"post": "yes"})
        ),
        None,
    ),
    "tags deleted together in the admin": (
        lambda w: _sent(
            w["superuser"].post(
                "/admin/stakeholders/tag/",
                {"action": "delete_selected", "_selected_action": [t.pk for t in w["old tags"]], "post": "yes"},
            )
        ),
        None,
    ),
    "user deleted in the admin": (
        lambda w: _sent(w["superuser"].post(f"/admin/crm/user/{w['leaving'].pk}/delete/", {"post": "yes"})),
        None,
    ),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_write_path_shows_on_the_dashboard_at_once(write, world, django_capture_on_commit_callbacks):
    do, expected = WRITES[write]
    before, _n, _r = _view(world["manager"])
    assert before["engagements"] == 1
    assert before["follow_ups"] == 1
    assert before["concerns"] == 1
    assert _view(world["manager"])[0] is None  # kept
    mark = changes.mark()
    with django_capture_on_commit_callbacks(execute=True):  # the commit, inside the test's transaction
        do(world)
    assert changes.mark() != mark, f"{write}: no change recorded"
    after, _n, _r = _view(world["manager"])
    assert after is not None, f"{write}: the kept figures were shown"
    for label, value in (expected or {}).items():
        assert after[label] == value, (label, before[label], after[label])


def test_a_restore_counts_everything_again(transactional_db, manager_client, tmp_path):
    EngagementFactory(occurred_on=TODAY - timedelta(days=2), organizations=[OrganizationFactory()])
    call_command("backup", str(tmp_path / "crm.backup"))
    assert _view(manager_client)[0]["engagements"] == 1
    assert _view(manager_client)[0] is None  # kept
    call_command("restore", str(tmp_path / "crm.backup"), stdout=io.StringIO())
    assert _view(manager_client)[0] is not None
