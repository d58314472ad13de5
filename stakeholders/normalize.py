"""Keys for matching names the way people mean them: case, spaces, accents and legal forms aside."""

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from crm.lib import search

# Legal forms and filler words that do not tell two organizations apart.
LEGAL_FORMS = {
    "sa",
    "sarl",
    "sas",
    "sasu",
    "suarl",
    "sarlu",
    "gie",
    "snc",
    "scs",
    "eurl",
    "ltd",
    "llc",
    "llp",
    "inc",
    "plc",
    "corp",
    "co",
    "cie",
    "gmbh",
    "bv",
    "nv",
    "pty",
    "limited",
    "incorporated",
    "company",
}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case, accents removed, runs of spaces and punctuation as one space."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _NOT_WORD.sub(" ", plain.replace("&", " and ")).strip()


def name_key(name: str) -> str:
    """ "Transit Baobab SARL" and "TRANSIT  BAOBAB" give the same key."""
    words = [word for word in _join_initials(fold(name).split()) if word not in LEGAL_FORMS]
    return " ".join(words) or fold(name)


def _join_initials(words: list[str]) -> list[str]:
    """ "S.A." folds to "s a": runs of single letters become one word ("sa")."""
    joined: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1:
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        joined.append(word)
    if run:
        joined.append(run)
    return joined


def registration_key(number: str) -> str:
    return re.sub(r"\s+", "", number or "").upper()


# Organization's columns worked out from others, never edited: what organization_keys() gives.
ORGANIZATION_KEYS = ("name_key", "registration_key", "search_text")


def organization_keys(values: Mapping[str, Any]) -> dict[str, str]:
    """An organization's derived columns (ORGANIZATION_KEYS) from its fields: the keys duplicates
    are found by, and the text the search reads (name, acronym, registration number as written and
    with its letters and digits together, city, e-mail). The one rule every writer applies: Organization.save(), the
    import's bulk inserts and updates, the demo data."""
    name, number = values.get("name") or "", values.get("registration_number") or ""
    typed_together = "".join(char for char in number if char.isalnum())  # "SN-DKR 2020" → "SNDKR2020"
    searched = (name, values.get("acronym"), number, typed_together, values.get("city"), values.get("email"))
    return {
        "name_key": name_key(name),
        "registration_key": registration_key(number),
        "search_text": search.fold(*searched),
    }


# Contact's columns worked out from others: what contact_keys() gives.
CONTACT_KEYS = ("search_text",)


def contact_keys(values: Mapping[str, Any]) -> dict[str, str]:
    """A contact's derived column: the text the search reads (names, e-mail, phone with and
    without its spaces, job title). Contact.save() and the import's bulk writes apply it."""
    phone = values.get("phone") or ""
    searched = (
        values.get("first_name"),
        values.get("last_name"),
        values.get("email"),
        phone,
        search.digits(phone),
        values.get("job_title"),
    )
    return {"search_text": search.fold(*searched)}
