"""The pickers' records kept in the browser for offline use: the organizations a user may pick in
the quick log (every active one: the registry is shared by all roles) and their active people,
in a compact shape, and what changed since the browser's last copy.

A record that changed since then and may no longer be picked (archived, merged — merging archives
the duplicate —, erased — erasure archives the person —, or of an organization that left) is
named among the removals, so that it leaves the device. The counts let the browser tell that its
copy drifted anyway (a record deleted outright) and fetch it whole again.
"""

from datetime import datetime

from django.db.models import Q

from stakeholders.selectors import contact_list, organization_list


def _organizations(user):
    return organization_list(user=user).select_related(None).filter(is_archived=False)


def _contacts(user):
    return (
        contact_list(user=user)
        .select_related(None)
        .filter(is_archived=False, organization__isnull=False, organization__is_archived=False)
    )


def directory(*, user, since: datetime | None, now: datetime) -> dict:
    organizations = organization_list(user=user).select_related(None)
    contacts = contact_list(user=user).select_related(None)
    if since is not None:
        organizations = organizations.filter(updated_at__gte=since)
        # A person whose organization changed may have left with it.
        contacts = contacts.filter(Q(updated_at__gte=since) | Q(organization__updated_at__gte=since))
    else:
        organizations = _organizations(user)
        contacts = _contacts(user)
    kept_organizations, removed_organizations = [], []
    for pk, name, number, archived in organizations.values_list("pk", "name", "registration_number", "is_archived"):
        if archived:
            removed_organizations.append(pk)
        else:
            kept_organizations.append([pk, name, number])
    kept_contacts, removed_contacts = [], []
    rows = contacts.values_list(
        "pk", "organization_id", "first_name", "last_name", "job_title", "is_archived", "organization__is_archived"
    )
    for pk, organization, first, last, job, archived, organization_archived in rows:
        if archived or organization is None or organization_archived:
            removed_contacts.append(pk)
        else:
            kept_contacts.append([pk, organization, first, last, job])
    return {
        "as_of": now.isoformat(),
        "full": since is None,
        "organizations": kept_organizations,
        "contacts": kept_contacts,
        "removed": {"organizations": removed_organizations, "contacts": removed_contacts},
        "counts": {"organizations": _organizations(user).count(), "contacts": _contacts(user).count()},
    }
