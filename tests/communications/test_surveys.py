"""CIPS survey results: all-or-nothing import, the 5-respondent rule, the dashboard panel."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from communications.models import Engagement, SurveyResult
from communications.surveys import check_survey_file, survey_panel

HEADER = "wave,year,respondent_group,key_factor,score,respondents"
GOOD = [
    "CIPS 2022,2022,brokers,transparency,48,40",
    "CIPS 2022,2022,importers,transparency,52,60",
    "CIPS 2024,2024,brokers,transparency,58,50",
    "CIPS 2024,2024,importers,Transparence,62,50",
    "CIPS 2024,2024,brokers,code_of_conduct,70.5,30",
]


def upload(client, lines):
    content = ("\n".join([HEADER, *lines]) + "\n").encode()
    return client.post("/dashboard/survey/", {"file": SimpleUploadedFile("cips.csv", content)})


def test_a_manager_imports_survey_results_and_the_dashboard_compares_waves(manager_client):
    response = upload(manager_client, GOOD)
    assert response.status_code == 302
    assert SurveyResult.objects.count() == 5
    waves, lines = survey_panel(Engagement.objects.none())
    assert waves == ["CIPS 2022", "CIPS 2024"]
    transparency = next(line for line in lines if line.code == "transparency")
    assert transparency.scores == [50.4, 60.0]  # (48×40 + 52×60) / 100, then (58×50 + 62×50) / 100
    assert transparency.change == 9.6
    body = manager_client.get("/dashboard/").content.decode()
    assert "CIPS 2024" in body
    assert "+9.6" in body


def test_a_group_under_5_respondents_or_a_score_over_100_refuses_the_whole_file(manager_client):
    response = upload(
        manager_client,
        [GOOD[0], "CIPS 2024,2024,carriers,transparency,55,3", "CIPS 2024,2024,brokers,automation,120,30"],
    )
    body = response.content.decode()
    assert "row 3: respondents: 3 respondents: a group under 5 is never stored or shown" in body
    assert "row 4: score: «120» must be a number from 0 to 100." in body
    assert SurveyResult.objects.count() == 0


def test_importing_a_wave_again_replaces_its_figures(db, tmp_path):
    path = tmp_path / "cips.csv"
    path.write_text("\n".join([HEADER, GOOD[0]]))
    call_command("import_survey", str(path))
    path.write_text("\n".join([HEADER, GOOD[0].replace(",48,", ",49,")]))
    call_command("import_survey", str(path))
    assert SurveyResult.objects.get().score == Decimal("49")
    path.write_text("\n".join([HEADER, "w,2024,g,not_a_factor,50,10"]))
    with pytest.raises(CommandError, match="key_factor"):
        call_command("import_survey", str(path))


def test_officers_do_not_import_survey_results(officer_client):
    assert officer_client.get("/dashboard/survey/").status_code == 403


def test_duplicates_two_years_for_one_wave_and_odd_years_are_refused(manager_client):
    body = upload(
        manager_client,
        [
            GOOD[0],
            GOOD[0].replace(",48,", ",90,"),
            "CIPS 2022,2023,importers,automation,50,10",
            "CIPS 2030,-1,importers,automation,50,10",
        ],
    ).content.decode()
    assert "the same wave, group and key factor as row 2" in body
    assert "a wave has one year" in body
    assert "«-1» is not a year." in body
    assert SurveyResult.objects.count() == 0


def test_a_wave_imported_again_is_replaced_whole(manager_client):
    upload(manager_client, GOOD)
    upload(manager_client, [GOOD[2]])  # CIPS 2024 again, brokers/transparency only
    assert list(SurveyResult.objects.filter(wave="CIPS 2024").values_list("respondent_group", "key_factor")) == [
        ("brokers", "transparency")
    ]
    assert SurveyResult.objects.filter(wave="CIPS 2022").count() == 2  # other waves untouched


def check(lines, header=HEADER):
    return check_survey_file(("\n".join([header, *lines]) + "\n").encode(), "cips.csv")


def test_the_columns_are_read_as_the_stakeholder_import_reads_them():
    """Headers in any case or spacing, key factors by code or English or French label."""
    checked = check(
        ["CIPS 2024,2024,brokers,TRANSPARENCE,58,50", "CIPS 2024,2024,brokers,Code of conduct,70,30"],
        header="Wave, Year, Respondent group, KEY FACTOR, Score, Respondents",
    )
    assert checked.problems == []
    assert [row["key_factor"] for row in checked.rows] == ["transparency", "code_of_conduct"]
    assert check([GOOD[0]], header=HEADER.replace(",respondents", "")).problems == ["Missing columns: respondents."]
    assert check([GOOD[0] + ",2023"], header=HEADER + ",Year").problems == ["Two columns mean year: «year» and «Year»."]


def test_a_year_that_cannot_be_read_is_told_once_and_does_not_become_its_waves_year():
    checked = check(["CIPS 2024,1989,brokers,transparency,58,50", "CIPS 2024,2024,importers,transparency,62,50"])
    assert checked.problems == ["row 2: year: «1989» is not a year."]
    checked = check(["CIPS 2024,2024,brokers,transparency,58,50", "CIPS 2024,-1,importers,transparency,62,50"])
    assert checked.problems == ["row 3: year: «-1» is not a year."]
