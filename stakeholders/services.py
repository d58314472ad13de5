"""Writes to the registry. Views, the importer and commands call these; each records its history,
and its change for what is kept from the registers (crm.lib.changes)."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.lib import changes
from crm.models import User
from stakeholders import extensions
from stakeholders.models import Contact, Organization, Tag
from stakeholders.normalize import fold, name_key, registration_key


class MergeRefused(ValueError):
    """The message is for the user."""


def _check_mergeable(survivor: Organization | Contact, duplicate: Organization | Contact) -> None:
    if survivor.pk == duplicate.pk:
        raise MergeRefused(_("A record cannot be merged into itself."))
    if survivor.is_archived:
        raise MergeRefused(_("The record to keep is archived: restore it first, or keep the other one."))
    if duplicate.merged_into_id:
        raise MergeRefused(_("The other record was already merged into another one."))


def _save(instance: Organization | Contact, reason: str, **kwargs: Any) -> None:
    """Save and say why in the history entry (django-simple-history reads _change_reason)."""
    instance._change_reason = reason
    instance.save(**kwargs)


def similar_organizations(name: str, *, exclude_pk: int | None = None, limit: int = 5) -> list[Organization]:
    """Organizations whose name means the same ("Transit Baobab SARL" ~ "TRANSIT BAOBAB")."""
    matches = Organization.objects.filter(name_key=name_key(name)).select_related("region")
    if exclude_pk:
        matches = matches.exclude(pk=exclude_pk)
    return list(matches.order_by("is_archived", "name")[:limit])


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    """The tags named, matched case- and accent-insensitively; missing ones are created."""
    wanted = {fold(n): n.strip() for n in names if n and n.strip()}
    existing = {tag.key: tag for tag in Tag.objects.filter(key__in=wanted)}
    for key, name in wanted.items():
        if key not in existing:
            tag = Tag(name=name)
            tag.save()
            changes.record()
            existing[key] = tag
    return [existing[key] for key in wanted]


@transaction.atomic
def organization_save(*, organization: Organization, tags: Iterable[Tag] | None = None) -> Organization:
    """Create or update an organization from a form or the API of this module."""
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    organization.full_clean()
    organization.save()
    if tags is not None:
        organization.tags.set(tags)
    extensions.organizations_changed([organization.pk])
    changes.record()
    return organization


@transaction.atomic
def organization_set_archived(*, organization: Organization, archived: bool, reason: str = "") -> Organization:
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    organization.is_archived = archived
    _save(
        organization,
        reason or (_("Archived") if archived else _("Restored")),
        update_fields=["is_archived", "updated_at"],
    )
    extensions.organizations_changed([organization.pk])
    changes.record()
    return organization


@transaction.atomic
def organization_merge(*, survivor: Organization, duplicate: Organization) -> Organization:
    """Fold `duplicate` into `survivor`: contacts, tags and engagements move; the duplicate is archived.

    Nothing is deleted: the duplicate stays, archived and pointing at the survivor, and both
    histories say what happened.
    """
    changes.take_turn()  # first, before any write (crm/lib/changes.py)
    _check_mergeable(survivor, duplicate)
    for contact in Contact.objects.filter(organization=duplicate):
        contact.organization = survivor
        _save(
            contact,
            _("Organization merged into %(name)s") % {"name": survivor.name},
            update_fields=["organization", "updated_at"],
        )
    survivor.tags.add(*duplicate.tags.all())
    for hook in extensions.ORGANIZATION_MERGE_HOOKS:
        hook(survivor=survivor, duplicate=duplicate)

    _fill_blanks(survivor, duplicate)
    # The duplicate is archived first: a registration number moving to the survivor stays unique.
    duplicate.is_archived = True
    duplicate.merged_into = survivor
    # (The survivor's key is compared as it will be saved: _fill_blanks may just have given it the
    # duplicate's number, and save() works the key out again.)
    moved = registration_key(survivor.registration_number) == registration_key(duplicate.registration_number)
    if duplicate.registration_number and moved:
        duplicate.registration_number = ""  # it moved to the survivor (save() clears the key too)
    _save(duplicate, _("Merged into %(name)s (#%(pk)s)") % {"name": survivor.name, "pk": survivor.pk})
    survivor.full_clean()
    _save(survivor, _("Merged with %(name)s (#%(pk)s)") % {"name": duplicate.name, "pk": duplicate.pk})
    extensions.organizations_changed([survivor.pk, duplicate.pk])
    changes.record()  # the merge hooks' writes too: they run in this transaction
    return survivor


# Fields the survivor takes from the duplicate when its own are empty.
_MERGE_FILL_FIELDS = [
    "acronym",
    "sector",
    "region",
    "city",
    "customs_office",
    "address",
    "email",
    "phone",
    "website",
    "registration_number",
    "size",
    "stance",
    "preferred_language",
    "owner",
]


def _fill_blanks(survivor: Organization, duplicate: Organization) -> None:
    for field in _MERGE_FILL_FIELDS:
        if not getattr(survivor, field) and getattr(duplicate, field):
            setattr(survivor, field, getattr(duplicate, field))
    if duplicate.notes:
        survivor.notes = "\n\n".join(part for part in (survivor.notes, duplicate.notes) if part)


@transaction.atomic
def organization_delete(*, organization: Organization) -> None:
    """Administrators only (checked by the caller). The history keeps what was deleted."""
    for hook in extensions.ORGANIZATION_DELETE_HOOKS:
        hook(organization=organization)
    organization.delete()
    changes.record()


@transaction.atomic
def contact_save(*, contact: Contact, changed: Iterable[str] = (), by: User | None = None) -> Contact:
    """Create or update a contact. Consent given or withdrawn is dated (today unless a date was
    typed with it) and its source kept (who recorded it, unless a source was typed)."""
    if "consent" in changed:
        if "consent_date" not in changed or not contact.consent_date:
            contact.consent_date = timezone.localdate()
        if "consent_source" not in changed or not contact.consent_source:
            what = _("Consent given") if contact.consent else _("Consent withdrawn")
            contact.consent_source = (_("%(what)s, recorded by %(name)s") % {"what": what, "name": by} if by else what)[
                :200
            ]
    elif contact.consent and not contact.consent_date:
        contact.consent_date = timezone.localdate()
    contact.full_clean()
    contact.save()
    changes.record()
    return contact


@transaction.atomic
def contact_set_archived(*, contact: Contact, archived: bool) -> Contact:
    contact.is_archived = archived
    contact.full_clean()
    _save(contact, _("Archived") if archived else _("Restored"), update_fields=["is_archived", "updated_at"])
    changes.record()
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact) -> None:
    """The history keeps what was deleted; the engagements the person attended stay."""
    contact.delete()
    changes.record()


@transaction.atomic
def contact_merge(*, survivor: Contact, duplicate: Contact) -> Contact:
    """Fold `duplicate` into `survivor`; the duplicate is archived and points at the survivor."""
    _check_mergeable(survivor, duplicate)
    for field in ["first_name", "organization", "job_title", "phone", "preferred_language", "gender"]:
        if not getattr(survivor, field) and getattr(duplicate, field):
            setattr(survivor, field, getattr(duplicate, field))
    survivor.is_key_contact = survivor.is_key_contact or duplicate.is_key_contact
    for hook in extensions.CONTACT_MERGE_HOOKS:
        hook(survivor=survivor, duplicate=duplicate)
    duplicate.is_archived = True
    duplicate.merged_into = survivor
    _save(duplicate, _("Merged into %(name)s (#%(pk)s)") % {"name": survivor.full_name, "pk": survivor.pk})
    if not survivor.email and duplicate.email:
        survivor.email = duplicate.email
    survivor.full_clean()
    _save(survivor, _("Merged with %(name)s (#%(pk)s)") % {"name": duplicate.full_name, "pk": duplicate.pk})
    changes.record()  # the merge hooks' writes too: they run in this transaction
    return survivor
