"""What the header search finds: organizations, people and engagements whose words hold the query's,
each group read from its text index (crm/lib/search.py), newest first, scoped to what the user may
see. A group costs one query (organizations two: names that start with the query come first).

People and engagements are found here by their own words; their lists' search looks in the words
of their organizations too, so the list a group links to may hold more."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from communications.models import Engagement
from communications.selectors import engagement_list
from crm.lib import search
from crm.models import User
from stakeholders.models import Contact, Organization
from stakeholders.normalize import fold
from stakeholders.selectors import contact_list, organization_list, sees_archived

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # the type of a lazy translation (a dev-only package)

AnyUser = User | AnonymousUser


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""
    archived: bool = False


@dataclass
class Group:
    key: str
    label: "StrOrPromise"
    hits: list[Hit]
    more: bool  # more than shown: the list page has them
    list_url: str
    more_label: "StrOrPromise"
    needs_longer_query: bool = False


def _list_url(name: str, query: str, **params: str) -> str:
    return f"{reverse(name)}?{urlencode({'q': query, **params})}"


def _scoped(rows: QuerySet, user: AnyUser, model: type[Organization] | type[Contact]) -> tuple[QuerySet, dict]:
    """The rows the user may find (archived ones only for those who may restore them), and the
    list's parameter that shows the same."""
    if sees_archived(user, model):
        return rows, {"archived": "all"}
    return rows.filter(is_archived=False), {}


def _organizations(rows: QuerySet, query: str, limit: int) -> tuple[list[Organization], bool]:
    """Names that start with the query first (read along the name index: "trans" ≤ key < "trant"),
    kept only where the search text holds every word too, as the list's search would find them;
    then the others, newest first."""
    start, query_words = fold(query), search.words(query)
    found: list[Organization] = []
    if start:
        following = start[:-1] + chr(ord(start[-1]) + 1)
        starting = rows.filter(name_key__gte=start, name_key__lt=following).order_by("name_key")[: limit + 1]
        found = [o for o in starting if all(word in o.search_text for word in query_words)]
    if len(found) <= limit:
        seen = {organization.pk for organization in found}
        more = search.first_matches(rows, query, limit + 1 + len(seen))
        found += [organization for organization in more if organization.pk not in seen]
    return found[:limit], len(found) > limit


def _organization_hit(organization: Organization) -> Hit:
    parts = [organization.acronym, organization.get_type_display(), organization.city, organization.registration_number]
    return Hit(
        organization.name,
        organization.get_absolute_url(),
        " · ".join(str(p) for p in parts if p),
        organization.is_archived,
    )


def _contact_hit(contact: Contact) -> Hit:
    parts = [contact.job_title, contact.organization.name if contact.organization else "", contact.email, contact.phone]
    return Hit(contact.full_name, contact.get_absolute_url(), " · ".join(p for p in parts if p), contact.is_archived)


def _engagement_hit(engagement: Engagement) -> Hit:
    when = date_format(engagement.occurred_on, "SHORT_DATE_FORMAT")
    parts = [engagement.get_kind_display(), when, engagement.location]
    return Hit(engagement.title, engagement.get_absolute_url(), " · ".join(p for p in parts if p))


def find(user: AnyUser, query: str, limit: int) -> list[Group]:
    """Each group's first `limit` matches, and whether there are more; a group the user may not
    read is left out."""
    query_words = search.words(query)
    short = bool(query_words) and not search.indexed(query_words)  # only names can answer
    groups = []
    if user.has_perm("stakeholders.view_organization"):
        groups.append(_organization_group(user, query, limit))
    if user.has_perm("stakeholders.view_contact"):
        groups.append(_people_group(user, query, limit, short=short))
    if user.has_perm("communications.view_engagement"):
        groups.append(_engagement_group(user, query, limit, short=short))
    return groups


def _organization_group(user: AnyUser, query: str, limit: int) -> Group:
    rows, shown = _scoped(organization_list(user=user), user, Organization)
    organizations, more = _organizations(rows, query, limit)
    return Group(
        key="organizations",
        label=_("Organizations"),
        hits=[_organization_hit(o) for o in organizations],
        more=more,
        list_url=_list_url("stakeholders:organization_list", query, **shown),
        more_label=_("All the organizations found, in their list"),
    )


def _people_group(user: AnyUser, query: str, limit: int, *, short: bool) -> Group:
    rows, shown = _scoped(contact_list(user=user), user, Contact)
    people = search.first_matches(rows, query, limit + 1)
    return Group(
        key="people",
        label=_("People"),
        hits=[_contact_hit(c) for c in people[:limit]],
        more=len(people) > limit,
        list_url=_list_url("stakeholders:contact_list", query, **shown),
        more_label=_("All the people found, in the contact list"),
        needs_longer_query=short,
    )


def _engagement_group(user: AnyUser, query: str, limit: int, *, short: bool) -> Group:
    engagements = search.first_matches(engagement_list(user=user), query, limit + 1)
    return Group(
        key="engagements",
        label=_("Engagements"),
        hits=[_engagement_hit(e) for e in engagements[:limit]],
        more=len(engagements) > limit,
        list_url=_list_url("communications:engagement_list", query, held="all"),
        more_label=_("All the engagements found, in their list"),
        needs_longer_query=short,
    )
