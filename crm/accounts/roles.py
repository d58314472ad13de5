"""The three roles (Django groups) and the permissions each holds.

The groups are created by the crm app's first migration (a data migration); their permissions are
kept in step with ROLE_PERMISSIONS after every migrate, so a model added later is covered at once.
Object-level rules (own versus others' records) live in each app's rules.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The values are the group names fixed by the public contract.
    OFFICER = "Outreach officer", _("Outreach officer")
    MANAGER = "Manager", _("Manager")
    ADMINISTRATOR = "Administrator", _("Administrator")


# "app_label.codename" patterns; "app_label.*" is every permission of that app,
# "app_label.view_*" every view permission of that app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [
        "stakeholders.view_*",
        "stakeholders.add_*",
        "stakeholders.change_*",
        "communications.view_*",
        "communications.add_*",
        "communications.change_*",
    ],
    Role.MANAGER: [
        "stakeholders.view_*",
        "stakeholders.add_*",
        "stakeholders.change_*",
        "stakeholders.archive_*",
        "stakeholders.merge_*",
        "communications.*",
        "crm.view_exportlog",
    ],
    Role.ADMINISTRATOR: [
        "crm.*",
        "stakeholders.*",
        "communications.*",
        "auth.view_group",
    ],
}
# Permissions a role never holds even when a pattern above matches them.
ROLE_EXCLUSIONS: dict[str, list[str]] = {
    # Campaigns are planned by managers; officers link their engagements to them.
    Role.OFFICER: [
        "*.delete_*",
        "communications.view_referral",
        "communications.add_campaign",
        "communications.change_campaign",
        "communications.add_surveyresult",
        "communications.change_surveyresult",
    ],
    Role.MANAGER: ["stakeholders.delete_*"],
    # Referrals to Internal Affairs are for managers (need to know), not for IT administrators.
    Role.ADMINISTRATOR: ["communications.view_referral"],
}


def _matches(pattern: str, app_label: str, codename: str) -> bool:
    pattern_app, _dot, pattern_code = pattern.partition(".")
    if pattern_app not in ("*", app_label):
        return False
    if pattern_code.endswith("*"):
        return codename.startswith(pattern_code[:-1])
    return codename == pattern_code


def permissions_for(role: str, permissions) -> list:
    """The subset of `permissions` (Permission objects) that `role` holds."""
    wanted = ROLE_PERMISSIONS.get(role, [])
    excluded = ROLE_EXCLUSIONS.get(role, [])
    chosen = []
    for permission in permissions:
        app_label = permission.content_type.app_label
        if any(_matches(p, app_label, permission.codename) for p in wanted) and not any(
            _matches(p, app_label, permission.codename) for p in excluded
        ):
            chosen.append(permission)
    return chosen


def sync_role_permissions(app_config=None, **kwargs) -> None:
    """Give each role group exactly the permissions ROLE_PERMISSIONS names.

    Runs after migrate (and after a test database flush) once the last app has its permissions;
    also recreates a missing group.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    apps_with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is not None and app_config != apps_with_models[-1]:
        return

    permissions = list(Permission.objects.select_related("content_type"))
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(permissions_for(role.value, permissions))
