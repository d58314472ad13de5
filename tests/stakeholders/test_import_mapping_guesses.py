"""The columns page's guesses: from this user's memory, else the header, else the values; and
what it refuses (stakeholders/imports/mapping.py)."""

import pytest

from crm.lib.reading import Table
from stakeholders.imports import mapping
from stakeholders.imports.mapping import EMPTY, HEADER, LEAVE_OUT, MEMORY, VALUES, guess_columns, guess_from_values
from stakeholders.models import ImportMapping
from tests.factories import RegionFactory, UserFactory


def table(header, *rows):
    return Table(header=list(header), rows=[(number, list(row)) for number, row in enumerate(rows, start=2)])


def fields_and_sources(guesses):
    return [(guess.header, guess.field, guess.source) for guess in guesses]


OTHER_HEADERS = table(
    ["Raison sociale", "Tél. portable", "Contact principal", "Dénomination"],
    ["Transit Awa SARL", "+223 70 11 22 33", "Awa Diop", "TA"],
    ["Fret du Sahel", "+223 70 44 55 66", "Moussa Keita", "FDS"],
)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Raison sociale", "name"),
        ("Dénomination", "name"),
        ("Nom de l'entreprise", "name"),
        ("Tél. portable", "phone"),
        ("Portable", "phone"),
        ("Mobile", "phone"),
        ("GSM", "phone"),
        ("Adresse e-mail", "email"),
        ("N° RCCM", "registration_number"),
        ("NINEA", "registration_number"),
        ("Site", "website"),
        ("Localité", "city"),
        ("Contact principal", "notes"),
        ("Observations", "notes"),
    ],
)
def test_a_header_others_write_is_recognised(db, header, field):
    guesses = guess_columns(table([header], ["x"]), "organizations")
    assert (guesses[0].field, guesses[0].source) == (field, HEADER)


@pytest.mark.parametrize(
    ("header", "field"),
    [("Prénom(s)", "first_name"), ("Nom de famille", "last_name"), ("Portable", "phone"), ("Poste", "job_title")],
)
def test_a_contacts_header_others_write_is_recognised(db, header, field):
    assert guess_columns(table([header], ["x"]), "contacts")[0].field == field


def test_the_issues_file_is_guessed_from_its_headers_and_a_second_name_column_is_left_to_the_user(db):
    guesses = guess_columns(OTHER_HEADERS, "organizations")
    assert fields_and_sources(guesses) == [
        ("Raison sociale", "name", HEADER),
        ("Tél. portable", "phone", HEADER),
        ("Contact principal", "notes", HEADER),
        ("Dénomination", "", ""),  # also a name: two columns cannot both be the name, the user decides
    ]
    assert guesses[1].samples == ["+223 70 11 22 33", "+223 70 44 55 66"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (["awa@transit.example", "info@fret.example", "moussa@sahel.example"], "email"),
        (["https://transit.example", "www.fret-sahel.example", "sahel.example/contact"], "website"),
        (["SN-DKR-2019-B-12345", "ML-KYS-2012-B-0301", "RC-THI-001000"], "registration_number"),
        (["004512345 2G3", "006789012 2V2"], "registration_number"),  # NINEA with its COFI code
        (["00012345A", "00098765B"], "registration_number"),  # a tax number ending in a letter
        (["+223 70 11 22 33", "+221 77 123 45 67", "00226 25 30 60 70"], "phone"),
        (["76 12 34 56", "20.22.33.44"], "phone"),
        (["Transitaire", "Importateur", "customs_broker"], "type"),
        (["Transport et logistique", "extractives"], "sector"),
        (["OEA certifié", "Candidat OEA", "none"], "aeo_status"),
        (["fr", "en", "Français"], "preferred_language"),
        (["1", "2", "3", "4"], LEAVE_OUT),  # running numbers: nothing to import
        (["Awa Diop", "Moussa Keita"], ""),
        (["76123456", "77123456"], ""),  # digits alone: a phone or a tax number, the user says which
        (["BP 1213, Bamako", "BP 8557, Ségou"], ""),  # an address is no registration number
    ],
)
def test_a_column_nothing_names_is_guessed_from_its_values(db, values, field):
    assert guess_from_values(values, "organizations") == field


def test_known_regions_and_yes_or_no_are_guessed(db):
    RegionFactory(name="Thiès")
    RegionFactory(name="Kayes")
    assert guess_from_values(["THIES", "Kayes", "thiès"], "organizations") == "region"
    assert guess_from_values(["Oui", "non", "yes"], "contacts") == "consent"
    assert guess_from_values(["Oui", "non", "yes"], "organizations") == ""  # no such field


def test_most_values_are_enough_and_a_field_already_taken_is_not_guessed_again(db):
    assert guess_from_values(["a@x.example", "b@x.example", "c@x.example", "d@x.example", "n/a"], "contacts") == "email"
    assert guess_from_values(["a@x.example", "n/a"], "contacts") == ""
    assert guess_from_values(["a@x.example"], "contacts", taken={"email"}) == ""


def test_values_are_read_below_the_header_without_the_totals_and_empty_columns_are_left_out(db):
    guesses = guess_columns(
        table(
            ["N°", "Dénomination", "Courriel du gérant", "Fax"],
            ["1", "Transit Awa", "awa@transit.example", ""],
            ["2", "Fret Sahel", "", ""],
            ["3", "Kayes Cargo", "info@kayes-cargo.example", ""],
            ["TOTAL : 3 entreprises", "", "", ""],
        ),
        "organizations",
    )
    assert fields_and_sources(guesses) == [
        ("N°", LEAVE_OUT, VALUES),
        ("Dénomination", "name", HEADER),
        ("Courriel du gérant", "email", VALUES),
        ("Fax", LEAVE_OUT, EMPTY),
    ]
    assert guesses[2].samples == ["awa@transit.example", "info@kayes-cargo.example"]


def test_a_blank_header_is_named_by_its_letter(db):
    guesses = guess_columns(table(["Nom", "", "Ville"], ["Transit Awa", "x", "Kayes"]), "organizations")
    assert [guess.label for guess in guesses] == ["Nom", "column B", "Ville"]
    assert mapping.column_label(27, "") == "column AB"


# Memory ---------------------------------------------------------------------------------------


def test_a_users_choice_is_offered_again_for_the_same_headers_and_only_to_them(db):
    awa, moussa = UserFactory(), UserFactory()
    chosen = ["name", "phone", LEAVE_OUT, "acronym"]
    mapping.remember(user=awa, kind="organizations", header=OTHER_HEADERS.header, fields=chosen)

    again = guess_columns(OTHER_HEADERS, "organizations", awa)
    assert [(g.field, g.source) for g in again] == [(name, MEMORY) for name in chosen]
    # The same headers written otherwise (case, accents, punctuation) are the same headers.
    respelled = table(["RAISON SOCIALE", "Tel portable", "contact principal", "denomination"], ["A", "", "", ""])
    assert [g.field for g in guess_columns(respelled, "organizations", awa)] == chosen

    assert MEMORY not in {g.source for g in guess_columns(OTHER_HEADERS, "organizations", moussa)}  # another user
    assert MEMORY not in {g.source for g in guess_columns(OTHER_HEADERS, "contacts", awa)}  # another kind
    reordered = table(["Tél. portable", "Raison sociale", "Contact principal", "Dénomination"], ["", "A", "", ""])
    assert MEMORY not in {g.source for g in guess_columns(reordered, "organizations", awa)}  # other headers
    fewer = table(["Raison sociale", "Tél. portable"], ["A", ""])
    assert MEMORY not in {g.source for g in guess_columns(fewer, "organizations", awa)}


def test_remembering_again_replaces_the_choice_and_a_stale_one_is_not_offered(db):
    awa = UserFactory()
    header = OTHER_HEADERS.header
    mapping.remember(user=awa, kind="organizations", header=header, fields=["name", "phone", LEAVE_OUT, "acronym"])
    mapping.remember(user=awa, kind="organizations", header=header, fields=["name", "phone", "notes", "acronym"])
    assert ImportMapping.objects.count() == 1
    assert mapping.remembered(awa, "organizations", header) == ["name", "phone", "notes", "acronym"]
    assert mapping.remembered_kind(awa, header) == "organizations"
    ImportMapping.objects.update(fields=["name", "fax", LEAVE_OUT, "acronym"])  # a field since removed
    assert mapping.remembered(awa, "organizations", header) is None


# Refusals -------------------------------------------------------------------------------------


def test_two_columns_to_one_field_are_refused_naming_both(db):
    problems = mapping.check_mapping(OTHER_HEADERS.header, ["name", "phone", LEAVE_OUT, "name"], "organizations")
    assert [p.message for p in problems] == [
        (
            "The columns «Raison sociale», «Dénomination» all go to Name: keep one, and choose another "
            "field or “Leave out” for the others."
        )
    ]
    assert set(problems[0].per_column) == {0, 3}
    assert "«Dénomination»" in problems[0].per_column[0]


def test_a_required_field_no_column_goes_to_and_an_undecided_column_are_refused(db):
    problems = mapping.check_mapping(OTHER_HEADERS.header, [LEAVE_OUT, "phone", "", "acronym"], "organizations")
    assert [p.message for p in problems] == [
        "Choose a field, or “Leave out”, for the column «Contact principal».",
        "No column goes to Name, which is required: choose the column that holds it.",
    ]
    problems = mapping.check_mapping(["Prénom"], ["first_name"], "contacts")
    assert [p.field for p in problems] == ["last_name"]


def test_a_field_of_the_other_kind_is_refused(db):
    problems = mapping.check_mapping(["Nom", "Poste"], ["name", "job_title"], "organizations")
    assert "«job_title» is not a field of this import" in problems[0].message
