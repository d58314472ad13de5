from hypothesis import given
from hypothesis import strategies as st

from stakeholders.normalize import fold, name_key, registration_key


def test_names_that_mean_the_same_share_a_key():
    assert name_key("Transit Baobab SARL") == name_key("TRANSIT  BAOBAB") == "transit baobab"
    assert name_key("Société Néré S.A.") == name_key("societe nere") == "societe nere"
    assert name_key("Groupe Karité & Fils") == name_key("groupe karite and fils")
    assert name_key("SARL") == "sarl"  # a name made only of a legal form keeps it
    assert name_key("Trans Bani") != name_key("Trans Baní Cargo")


@given(st.text(max_size=60))
def test_the_key_ignores_case_and_is_stable(text):
    assert name_key(text) == name_key(text.upper()) == name_key(text.lower())
    assert fold(fold(text)) == fold(text)


def test_registration_numbers_compare_without_case_or_spaces():
    assert registration_key(" rc-thi 001000 ") == registration_key("RC-THI001000")
