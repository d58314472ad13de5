"""An officer on a phone imports a spreadsheet whose headers the registry does not use: the columns
page guesses what it can, refuses to go on while a column is undecided, and takes the choice made
with the keyboard alone. At 360 px, in English and in French."""

import pytest

from crm.accounts.roles import Role
from stakeholders.models import ImportMapping, Organization
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import violations
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

SHEET = (
    "Raison sociale;Tél. portable;Contact principal;Zone;Adresse électronique du gérant de la société\n"
    "Établissements Ténéré Import-Export SARL;+223 70 11 22 33;Awa Diop;Nord;"
    "direction.generale@etablissements-tenere-import-export.example\n"
    "Fret du Sahel;+223 70 44 55 66;Moussa Keita;Sud;info@fret-sahel.example\n"
    "Kayes Cargo;+223 21 52 10 10;;Nord;kayes@cargo.example\n"
)
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
WORDS = {
    "en-GB": {"check": "Check the file", "ready": "Ready: 3 to create", "import": "Import", "done": "Import done"},
    "fr-FR": {
        "check": "Vérifier le fichier",
        "ready": "Prêt : 3 à créer",
        "import": "Importer",
        "done": "Importation terminée",
    },
}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_a_spreadsheet_with_other_headers_is_mapped_with_the_keyboard_on_a_phone(
    visit,
    transactional_db,
    settings,
    tmp_path,
    locale,
    axe_source,  # noqa: F811
):
    settings.VAR_DIR = tmp_path
    sheet = tmp_path / "entreprises.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    UserFactory(role=Role.OFFICER, email="awa@example.test")
    words = WORDS[locale]
    tab = visit(viewport=PHONE, locale=locale)
    page = tab.page
    tab.sign_in_with_keys("awa@example.test", PASSWORD)

    tab.goto("/stakeholders/import/")
    page.set_input_files("input[type=file]", str(sheet))
    tab.tab_to(page.get_by_role("button", name=words["check"]))
    tab.press_and_wait()
    assert page.url.endswith("/columns/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the columns page scrolls sideways at 360 px"
    assert violations(page, axe_source) == []
    tab.shot(f"columns-{locale}")

    # Each select is named by its column's header, which is how a screen reader announces it.
    selects = {
        header: page.get_by_role("combobox", name=header, exact=True) for header in SHEET.split("\n")[0].split(";")
    }
    assert [select.input_value() for select in selects.values()] == ["name", "phone", "notes", "", "email"]

    # Going on with the column "Zone" undecided is refused, with what was chosen kept.
    submit = page.locator("#import-columns button[type=submit]")
    tab.tab_to(submit)
    tab.press_and_wait()
    assert page.locator("[data-error-summary] a[href='#id_column_3']").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert violations(page, axe_source) == []
    tab.shot(f"columns-refused-{locale}")

    # Every select is reached with Tab, its focus seen; "Zone" is left out with the arrow key.
    for select in selects.values():
        tab.tab_to(select)
    tab.tab_to(selects["Zone"])
    page.keyboard.press("ArrowDown")  # from "Choose…" to "Leave out"
    assert selects["Zone"].input_value() == "-"
    tab.tab_to(submit)
    tab.press_and_wait()

    assert page.get_by_text(words["ready"]).is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    tab.tab_to(page.get_by_role("button", name=words["import"], exact=True))
    tab.press_and_wait()
    assert page.get_by_role("heading", name=words["done"]).is_visible()
    tenere = Organization.objects.get(name="Établissements Ténéré Import-Export SARL")
    assert (tenere.phone, tenere.notes) == ("+223 70 11 22 33", "Contact principal: Awa Diop")
    assert ImportMapping.objects.get().fields == ["name", "phone", "notes", "-", "email"]
    assert tab.errors == []
    assert tab.external_requests == []
