"""Reads of the registry that views, exports and commands share (scoping and joins live here)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from crm.models import User
from stakeholders.models import Contact, Organization
from stakeholders.normalize import registration_key


def organization_list(*, user: User | AnonymousUser | None = None) -> QuerySet[Organization]:
    """Every organization a signed-in user may see, with what the list shows joined in."""
    return Organization.objects.select_related("region", "owner")


def organizations_registered_as(number: str) -> QuerySet[Organization]:
    """The organization (at most one) registered under `number`, compared once normalized; none
    for a number that normalizes to nothing. The condition of the unique index of registration
    keys (which skips blank keys) is repeated: SQLite reads a partial index only for a query that
    states its condition (else it reads every organization: 20 ms at 100,000)."""
    key = registration_key(number)
    if not key:
        return Organization.objects.none()
    return Organization.objects.filter(registration_key=key).exclude(registration_key="")


def contact_list(*, user: User | AnonymousUser | None = None) -> QuerySet[Contact]:
    return Contact.objects.select_related("organization")


def sees_archived(user: User | AnonymousUser | None, model: type[Organization] | type[Contact]) -> bool:
    """Whether the search shows archived organizations (or contacts) to this user: to those who may
    archive and restore them (managers, administrators); others find the active ones only."""
    return bool(user and user.has_perm(f"stakeholders.archive_{model._meta.model_name}"))
