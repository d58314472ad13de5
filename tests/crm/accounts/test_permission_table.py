"""One test per cell of the table in docs/permissions.md: each row is an action tried through HTTP
(or the dashboard's own scoping), each column a role; the expected answers are the table's."""

import pytest
from django.test import RequestFactory

from communications.models import Concern
from crm.accounts.roles import Role
from crm.dashboard.selectors import DashboardForm, figures, scope_from
from tests.factories import (
    ConcernFactory,
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    UserFactory,
)

OFFICER, MANAGER, ADMIN = Role.OFFICER, Role.MANAGER, Role.ADMINISTRATOR


@pytest.fixture
def world(db):
    """Records of a colleague (another officer), which the user under test did not make."""
    colleague = UserFactory(role=OFFICER, email="colleague@example.test")
    organization = OrganizationFactory(name="Transit Saloum")
    contact = ContactFactory(organization=organization)
    engagement = EngagementFactory(author=colleague, organizations=[organization])
    follow_up = FollowUpFactory(engagement=engagement, owner=colleague)
    concern = ConcernFactory(organization=organization, author=colleague)
    referral = ConcernFactory(
        organization=organization,
        author=colleague,
        summary="",
        referred_to_internal_affairs=True,
        referral_reference="IA-2026-0042",
    )
    return locals()


def ok(response) -> bool:
    assert response.status_code in (200, 302, 403), response.status_code
    return response.status_code != 403


def see_everything(client, user, w):
    lists = ["/stakeholders/organizations/", "/stakeholders/contacts/", "/communications/engagements/"]
    lists += ["/communications/follow-ups/", "/communications/commitments/", "/communications/concerns/"]
    lists += ["/communications/campaigns/", "/dashboard/", f"/stakeholders/organizations/{w['organization'].pk}/"]
    return all(client.get(url).status_code == 200 for url in lists)


def dashboard_scope(client, user, w):
    form = DashboardForm({"period": "30"})
    assert form.is_valid()
    request = RequestFactory().get("/dashboard/")
    request.user = user
    counted = figures(scope_from(form, user), request).engagements
    return "everything" if counted == 1 else "own work"  # the colleague's engagement counted or not


def create_and_edit_registry(client, user, w):
    pages = ["/stakeholders/organizations/new/", f"/stakeholders/organizations/{w['organization'].pk}/edit/"]
    pages += ["/stakeholders/contacts/new/", f"/stakeholders/contacts/{w['contact'].pk}/edit/", "/stakeholders/import/"]
    return all(ok(client.get(url)) for url in pages)


def archive_and_merge(client, user, w):
    pk = w["organization"].pk
    archived = ok(client.post(f"/stakeholders/organizations/{pk}/archive/", {"action": "archive"}))
    merge = ok(client.get(f"/stakeholders/organizations/{pk}/merge/"))
    contact = ok(client.get(f"/stakeholders/contacts/{w['contact'].pk}/merge/"))
    assert archived == merge == contact
    return archived


def delete_registry(client, user, w):
    organization = ok(client.get(f"/stakeholders/organizations/{w['organization'].pk}/delete/"))
    contact = ok(client.get(f"/stakeholders/contacts/{w['contact'].pk}/delete/"))
    assert organization == contact
    return organization


def log_and_record(client, user, w):
    pages = ["/communications/engagements/new/", "/communications/commitments/new/", "/communications/concerns/new/"]
    return all(ok(client.get(url)) for url in pages)


def edit_engagement_or_concern(client, user, w):
    own = EngagementFactory(author=user, organizations=[w["organization"]])
    assert ok(client.get(f"/communications/engagements/{own.pk}/edit/"))
    others = ok(client.get(f"/communications/engagements/{w['engagement'].pk}/edit/"))
    assert others == ok(client.get(f"/communications/concerns/{w['concern'].pk}/edit/"))
    return "any" if others else "own"


def close_follow_up(client, user, w):
    own = FollowUpFactory(engagement=EngagementFactory(author=user), owner=user)
    assert ok(client.post(f"/communications/follow-ups/{own.pk}/done/"))
    return "any" if ok(client.post(f"/communications/follow-ups/{w['follow_up'].pk}/done/")) else "own"


def remove_engagement(client, user, w):
    own = EngagementFactory(author=user, organizations=[w["organization"]])
    return ok(client.post(f"/communications/engagements/{own.pk}/remove/"))


def see_referrals(client, user, w):
    others = client.get(f"/communications/concerns/{w['referral'].pk}/").status_code == 200
    listed = w["referral"] in client.get("/communications/concerns/").context["table"].page.object_list.data
    assert others == listed
    return "all" if others else "own only"


def campaigns(client, user, w):
    return ok(client.get("/communications/campaigns/new/"))


def import_survey(client, user, w):
    return ok(client.get("/dashboard/survey/"))


def export_lists(client, user, w):
    return all(
        ok(client.get(url))
        for url in ["/stakeholders/organizations/?_export=csv", "/stakeholders/contacts/?_export=xlsx"]
    )


def read_export_log(client, user, w):
    return ok(client.get("/exports/"))


def own_export_files(client, user, w):
    """Their own exports and files, never a colleague's (404, as records out of scope)."""
    from crm.models import ExportLog

    theirs = ExportLog.objects.create(user=w["colleague"], dataset="contacts", format="csv", rows=1, status="ready")
    assert client.get(f"/exports/{theirs.pk}/").status_code == 404
    assert client.get(f"/exports/{theirs.pk}/file/").status_code == 404
    mine = ExportLog.objects.create(user=user, dataset="contacts", format="csv", rows=1, status="queued")
    return ok(client.get("/exports/mine/")) and ok(client.get(f"/exports/{mine.pk}/"))


def personal_data_requests(client, user, w):
    pk = w["contact"].pk
    download = ok(client.get(f"/stakeholders/contacts/{pk}/personal-data/"))
    assert download == ok(client.get(f"/stakeholders/contacts/{pk}/erase/"))
    return download


def manage_users(client, user, w):
    return ok(client.get("/users/"))


def back_office(client, user, w):
    return client.get("/admin/").status_code == 200


TABLE = {
    see_everything: (True, True, True),
    dashboard_scope: ("own work", "everything", "everything"),
    create_and_edit_registry: (True, True, True),
    archive_and_merge: (False, True, True),
    delete_registry: (False, False, True),
    log_and_record: (True, True, True),
    edit_engagement_or_concern: ("own", "any", "any"),
    close_follow_up: ("own", "any", "any"),
    remove_engagement: (False, True, True),
    see_referrals: ("own only", "all", "own only"),
    campaigns: (False, True, True),
    import_survey: (False, True, True),
    export_lists: (True, True, True),
    read_export_log: (False, True, True),
    own_export_files: (True, True, True),
    personal_data_requests: (False, False, True),
    manage_users: (False, False, True),
    back_office: (False, False, True),
}
CELLS = [
    pytest.param(action, role, expected[column], id=f"{action.__name__}-{role}")
    for action, expected in TABLE.items()
    for column, role in enumerate((OFFICER, MANAGER, ADMIN))
]


@pytest.mark.parametrize(("action", "role", "expected"), CELLS)
def test_each_cell_of_the_permission_table(client, world, action, role, expected):
    user = UserFactory(role=role, email=f"{role.lower().replace(' ', '-')}@example.test")
    client.force_login(user)
    assert action(client, user, world) == expected
    assert Concern.objects.filter(referred_to_internal_affairs=True).get().summary == ""  # never leaked or changed
