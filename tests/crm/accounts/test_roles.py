from django.contrib.auth.models import Group

from crm.accounts.roles import Role


def test_the_three_roles_exist_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Outreach officer", "Manager", "Administrator"}


def _codes(role):
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_only_administrators_manage_users(db):
    assert "crm.manage_users" in _codes(Role.ADMINISTRATOR)
    assert "crm.manage_users" not in _codes(Role.MANAGER)
    assert "crm.manage_users" not in _codes(Role.OFFICER)


def test_officers_never_hold_a_delete_permission(db):
    assert not any(".delete_" in code for code in _codes(Role.OFFICER))


def test_a_user_knows_their_role(officer, manager, administrator):
    assert officer.role == Role.OFFICER
    assert manager.role == Role.MANAGER
    assert administrator.role == Role.ADMINISTRATOR
    assert administrator.is_staff
    assert not manager.is_staff


def test_each_role_sees_a_home_fit_for_it(client, officer, manager, administrator):
    pages = {}
    for user in (officer, manager, administrator):
        client.force_login(user)
        pages[user.role] = client.get("/").content.decode()
    assert "Invite a user" not in pages[Role.OFFICER]
    assert 'href="/users/"' not in pages[Role.OFFICER]
    assert "Open the dashboard" in pages[Role.MANAGER]
    assert "Invite a user" not in pages[Role.MANAGER]
    assert "Invite a user" in pages[Role.ADMINISTRATOR]
    assert 'href="/users/"' in pages[Role.ADMINISTRATOR]
    assert "You are signed in as Outreach officer." in pages[Role.OFFICER]
