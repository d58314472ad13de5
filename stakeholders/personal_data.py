"""Data-protection requests about one person (a contact), found by e-mail address.

export: everything held on them, as JSON-ready data (their record, its history, the engagements
they attended). erase: they are anonymised (name, e-mail, phone, job title, gender, consent) in
their record and in its history; the engagements stay, so counts do not change.
"""

from django.db import transaction
from django.utils import timezone

from crm.lib import changes, search
from stakeholders.extensions import PERSON_ERASURE_HOOKS
from stakeholders.models import Contact

PERSONAL_FIELDS = [
    "first_name",
    "last_name",
    "job_title",
    "email",
    "phone",
    "preferred_language",
    "gender",
    "consent",
    "consent_date",
    "consent_source",
    "is_key_contact",
]


def contacts_for(email: str):
    return Contact.objects.filter(email__iexact=email.strip()).select_related("organization").order_by("pk")


def person_of(contact: Contact):
    """The records of the person behind a contact: every contact with the same e-mail address
    (duplicates included), or this contact alone when it has none."""
    if contact.email:
        return contacts_for(contact.email)
    return Contact.objects.filter(pk=contact.pk).select_related("organization")


def export_person(email: str) -> dict:
    return export_contacts(contacts_for(email), email=email)


def export_contacts(contacts, *, email: str) -> dict:
    people = [_person(contact) for contact in contacts]
    return {"email": email, "exported": _json_value(timezone.now()), "contacts": people}


def _person(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        **{field: _json_value(getattr(contact, field)) for field in PERSONAL_FIELDS},
        "organization": contact.organization.name if contact.organization else None,
        "archived": contact.is_archived,
        "created": _json_value(contact.created_at),
        "history": [
            {
                "when": _json_value(entry.history_date),
                "type": entry.history_type,
                "by": str(entry.history_user or ""),
                "reason": entry.history_change_reason or "",
                **{field: _json_value(getattr(entry, field)) for field in PERSONAL_FIELDS},
            }
            for entry in contact.history.select_related("history_user").order_by("history_date")
        ],
        "engagements": [
            {"date": _json_value(e.occurred_on), "kind": e.kind, "title": e.title}
            for e in contact.engagements.filter(is_removed=False).order_by("occurred_on")
        ],
    }


def _json_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _words_naming(contact: Contact) -> list[str]:
    """What named the person before the erasure: whole name (both orders), last name, address, phone."""
    first, last = contact.first_name.strip(), contact.last_name.strip()
    words = [f"{first} {last}", f"{last} {first}", last, contact.email, contact.phone]
    return [word.strip() for word in words if word and word.strip()]


def erase_person(email: str) -> dict:
    """Anonymise every contact with this address, and their history. Returns what was done."""
    return erase_contacts(contacts_for(email))


@transaction.atomic
def erase_contacts(contacts) -> dict:
    """Anonymise these contacts and their history; their engagements stay. Returns what was done."""
    today = timezone.localdate().isoformat()
    done = {"contacts": 0, "history_entries": 0, "engagements_kept": 0}
    erased, words = [], []
    for contact in contacts:
        words += _words_naming(contact)
        anonymous = {
            "first_name": "",
            "last_name": f"Erased person {contact.pk}",
            "job_title": "",
            "email": "",
            "phone": "",
            "gender": "",
            "consent": False,
            "consent_date": None,
            "is_key_contact": False,
            "consent_source": f"Erased on request, {today}",
        }
        done["history_entries"] += contact.history.update(**anonymous)
        for field, value in anonymous.items():
            setattr(contact, field, value)
        contact.is_archived = True
        contact._change_reason = f"Personal data erased on request, {today}"
        contact.save()
        # The entry just written for the erasure holds no personal data either.
        done["contacts"] += 1
        done["engagements_kept"] += contact.engagements.count()
        erased.append(contact.pk)
    if erased:
        search.forget_removed_text(Contact)  # the names, out of the index's storage too
        for hook in PERSON_ERASURE_HOOKS:
            hook(contact_ids=erased, words=words)
        changes.record()
    return done
