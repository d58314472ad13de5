"""A planner imports a spreadsheet (errors first), filters the registry and exports it; a manager
merges two duplicates. In French, at phone width for the first."""

import csv
import shutil

import pytest
from openpyxl import load_workbook

from crm.accounts.roles import Role
from stakeholders.models import Organization
from tests.browser.conftest import SAMPLE_WITH_ERRORS, corrected_sample
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.browser


def take_the_columns(page):
    """The columns step, its guesses kept (every column of the sample is recognised)."""
    page.locator("#import-columns button[type=submit]").click()
    page.wait_for_load_state()


def test_an_import_with_errors_is_previewed_corrected_and_confirmed(visit, transactional_db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    UserFactory(role=Role.OFFICER, email="awa@example.test")
    tab = visit(viewport={"width": 360, "height": 780}, locale="fr-FR")
    page = tab.page
    tab.sign_in("awa@example.test", PASSWORD)

    tab.goto("/stakeholders/import/")
    page.set_input_files("input[type=file]", str(SAMPLE_WITH_ERRORS))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_load_state()
    take_the_columns(page)
    assert page.get_by_text("3 problèmes à corriger").is_visible()
    assert page.get_by_role("button", name="Importer").count() == 0
    tab.shot("preview-errors")

    corrected = corrected_sample(tmp_path)
    tab.goto("/stakeholders/import/")
    page.set_input_files("input[type=file]", str(corrected))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.wait_for_load_state()
    take_the_columns(page)
    assert page.get_by_text("Prêt : 10 à créer").is_visible()
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Importation terminée").is_visible()
    tab.shot("import-done")
    assert Organization.objects.count() == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert tab.errors == []
    assert tab.external_requests == []


def test_a_planner_filters_organizations_and_exports_csv_and_xlsx(visit, transactional_db, tmp_path):
    UserFactory(role=Role.MANAGER, email="planner@example.test")
    for i in range(3):
        OrganizationFactory(name=f"Transit Kayes {i}", type="freight_forwarder")
    OrganizationFactory(name="Banque Sahel", type="bank")
    tab = visit()
    page = tab.page
    tab.sign_in("planner@example.test", PASSWORD)
    tab.goto("/stakeholders/organizations/")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Type").select_option("freight_forwarder")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**type=freight_forwarder**")
    assert page.get_by_text("3 organizations").is_visible()
    tab.shot("filtered")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Export CSV (codes)").click()
    with open(csv_download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert sorted(r["name"] for r in rows) == ["Transit Kayes 0", "Transit Kayes 1", "Transit Kayes 2"]
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Export Excel").click()
    target = tmp_path / xlsx_download.value.suggested_filename
    shutil.copy(xlsx_download.value.path(), target)
    assert len(list(load_workbook(target).active.iter_rows())) == 4
    assert tab.errors == []


def test_a_manager_merges_two_duplicates(visit, transactional_db):
    UserFactory(role=Role.MANAGER, email="moussa@example.test")
    kept = OrganizationFactory(name="Transit Baobab SARL")
    duplicate = OrganizationFactory(name="TRANSIT BAOBAB")
    tab = visit(locale="fr-FR")
    page = tab.page
    tab.sign_in("moussa@example.test", PASSWORD)
    tab.goto(f"/stakeholders/organizations/{kept.pk}/")
    page.get_by_role("link", name="comparer et fusionner").click()
    page.wait_for_load_state()
    tab.shot("compare")
    page.get_by_role("button", name="Fusionner").click()
    page.wait_for_load_state()
    duplicate.refresh_from_db()
    assert duplicate.is_archived
    assert duplicate.merged_into_id == kept.pk
    assert (
        page.get_by_text("a été fusionnée", exact=False).count() + page.get_by_text("fusionné", exact=False).count() > 0
    )
    assert tab.errors == []
