"""Permissions worked out from the role in memory are exactly those the role groups hold in the
database, and cost no query per request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.auth_backends import RoleBackend, role_permissions
from crm.models import User
from crm.roles import Role
from tests.factories import UserFactory


@pytest.mark.parametrize("role", list(Role))
def test_the_role_holds_what_its_group_holds(db, role):
    stored = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role.value).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert stored and role_permissions(role.value) == stored
    user = UserFactory(role=role)
    assert user.get_all_permissions() == stored


def test_permissions_cost_no_query_once_the_role_is_known(db):
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
