"""Reads of the registry that views, exports and commands share (scoping and joins live here)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from crm.models import User
from stakeholders.models import Contact, Organization


def organization_list(*, user: User | AnonymousUser | None = None) -> QuerySet[Organization]:
    """Every organization a signed-in user may see, with what the list shows joined in."""
    return Organization.objects.select_related("region", "owner")


def contact_list(*, user: User | AnonymousUser | None = None) -> QuerySet[Contact]:
    return Contact.objects.select_related("organization")


def sees_archived(user: User | AnonymousUser | None, model: type[Organization] | type[Contact]) -> bool:
    """Whether the search shows archived organizations (or contacts) to this user: to those who may
    archive and restore them (managers, administrators); others find the active ones only."""
    return bool(user and user.has_perm(f"stakeholders.archive_{model._meta.model_name}"))
