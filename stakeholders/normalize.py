"""Keys for matching names the way people mean them: case, spaces, accents and legal forms aside."""

import re
import unicodedata

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
ORGANIZATION_KEYS = ("name_key", "registration_key")


def organization_keys(name: str, registration_number: str) -> dict[str, str]:
    """An organization's derived columns (ORGANIZATION_KEYS) from its name and registration
    number: what duplicates are found by. The one rule every writer applies: Organization.save(),
    the import's bulk inserts and updates, the demo data."""
    return {"name_key": name_key(name), "registration_key": registration_key(registration_number)}
