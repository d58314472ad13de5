"""Permissions worked out from the role in memory are exactly those the role groups hold in the
database, and cost no query per request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.accounts.backends import RoleBackend, role_permissions
from crm.accounts.roles import Role
from crm.models import User
from tests.factories import UserFactory


@pytest.mark.parametrize("role", list(Role))
def test_the_role_holds_what_its_group_holds(db, role):
    stored = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role.value).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert stored
    assert role_permissions(role.value) == stored
    user = UserFactory(role=role)
    assert user.get_all_permissions() == stored


def test_permissions_cost_no_query_once_the_role_is_known(db):
    role_permissions(Role.OFFICER.value)  # read once per process, whatever ran before this test
    user = User.objects.get(pk=UserFactory(role=Role.OFFICER).pk)
    assert user.role == Role.OFFICER  # one query for the groups, as before
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("communications.add_engagement")
        assert not user.has_perm("communications.view_referral")
        assert user.has_module_perms("stakeholders")
    assert len(queries) == 0


def test_no_role_no_permission_and_inactive_users_hold_none(db):
    assert UserFactory(role=None).get_all_permissions() == set()
    inactive = UserFactory(role=Role.MANAGER, is_active=False)
    assert RoleBackend().get_all_permissions(inactive) == set()


@pytest.mark.parametrize("role", list(Role))
def test_the_signed_in_user_comes_with_their_role_in_one_query(db, role):
    user = UserFactory(role=role)
    with CaptureQueriesContext(connection) as queries:
        loaded = RoleBackend().get_user(user.pk)
        assert loaded.role == role.value
    assert len(queries) == 1
    assert RoleBackend().get_user(user.pk + 1000) is None


def test_a_user_in_two_role_groups_gets_the_same_role_as_user_role(db):
    user = UserFactory(role=Role.MANAGER)
    user.groups.add(Group.objects.get(name=Role.OFFICER.value))
    assert RoleBackend().get_user(user.pk).role == User.objects.get(pk=user.pk).role == Role.OFFICER.value


def test_individual_permissions_and_other_groups_give_nothing(db):
    """Reading referrals to Internal Affairs is a manager's: an officer given it directly, or
    through a group that is not a role, still cannot."""
    from django.contrib.auth.models import Permission

    referrals = Permission.objects.get(codename="view_referral")
    officer = UserFactory(role=Role.OFFICER)
    officer.user_permissions.add(referrals)
    extra = Group.objects.create(name="Integrity unit")
    extra.permissions.add(referrals)
    officer.groups.add(extra)
    officer = User.objects.get(pk=officer.pk)
    assert not officer.has_perm("communications.view_referral")
    assert officer.get_all_permissions() == role_permissions(Role.OFFICER.value)


def test_inactive_users_are_not_signed_in_and_superusers_hold_everything(db):
    inactive = UserFactory(role=Role.MANAGER, is_active=False)
    assert RoleBackend().get_user(inactive.pk) is None
    superuser = UserFactory(role=None, is_superuser=True)
    assert superuser.has_perm("communications.view_referral")
    assert "communications.view_referral" in RoleBackend().get_all_permissions(superuser)


def test_the_async_checks_give_the_same_answers(transactional_db):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    officer = UserFactory(role=Role.OFFICER)

    async def check():
        loaded = await RoleBackend().aget_user(officer.pk)
        return (
            await loaded.ahas_perm("communications.add_engagement"),
            await loaded.ahas_perm("communications.view_referral"),
            await RoleBackend().aget_all_permissions(loaded),
        )

    # In a thread of its own: the browser tests keep an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        can_log, can_read_referrals, everything = thread.submit(asyncio.run, check()).result()
    assert can_log
    assert not can_read_referrals
    assert everything == role_permissions(Role.OFFICER.value)
