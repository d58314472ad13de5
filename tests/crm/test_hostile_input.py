"""Random and hostile values posted to every create form and every list filter, and random bytes
to the importer: never a server error, never a reflected script, never a partial write.

The test client raises any exception a view lets escape, so a server error fails the test. The
number of inputs tried is printed at the end of the run (tests/conftest.py)."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communications.models import Campaign, Commitment, Concern, Engagement
from stakeholders.models import Contact, Organization
from tests.factories import EngagementFactory, OrganizationFactory

TRIED: Counter = Counter()

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
PAYLOADS = [
    SCRIPT,
    IMAGE,
    '=HYPERLINK("http://evil.example")',
    "'; DROP TABLE stakeholders_organization; --",
    "\x00",
    "a" * 5000,
    "../../../etc/passwd",
    "%00%0d%0a",
    "\u202egnp.exe",
    "99999999999999999999999",
    "-1",
    "2026-02-30",
    "NaN",
    "",
    " ",
    "𝕯𝖔𝖚𝖆𝖓𝖊 🚚",
]
hostile = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=200))
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LISTS = [
    "/stakeholders/organizations/",
    "/stakeholders/contacts/",
    "/communications/engagements/",
    "/communications/follow-ups/",
    "/communications/commitments/",
    "/communications/concerns/",
    "/communications/campaigns/",
]
FORMS = {
    "/stakeholders/organizations/new/": Organization,
    "/stakeholders/contacts/new/": Contact,
    "/communications/engagements/new/": Engagement,
    "/communications/commitments/new/": Commitment,
    "/communications/concerns/new/": Concern,
    "/communications/campaigns/new/": Campaign,
}


def assert_safe(response):
    assert response.status_code < 500
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        body = response.content.decode()
        assert SCRIPT not in body, "a value came back unescaped"
        assert IMAGE not in body, "a value came back unescaped"


@pytest.fixture
def some_records(db):
    EngagementFactory(organizations=[OrganizationFactory(), OrganizationFactory()])


@pytest.mark.parametrize("url", LISTS)
def test_list_filters_survive_hostile_values(manager_client, some_records, url):
    names = [*manager_client.get(url).context["filter"].form.fields, "sort", "page", "_export"]

    @HYPOTHESIS
    @given(st.dictionaries(st.sampled_from(names), hostile, min_size=1, max_size=4))
    def check(params):
        TRIED["list filters"] += 1
        response = manager_client.get(url, params)
        assert_safe(response)

    check()


@pytest.mark.parametrize("url", FORMS)
def test_create_forms_survive_hostile_values_and_write_all_or_nothing(manager_client, some_records, url):
    model = FORMS[url]
    page = manager_client.get(url)
    names = [field.html_name for field in page.context["form"]]

    @HYPOTHESIS
    @given(st.fixed_dictionaries(dict.fromkeys(names, hostile)))
    def check(data):
        TRIED["forms"] += 1
        before = model.objects.count()
        response = manager_client.post(url, data)
        assert_safe(response)
        after = model.objects.count()
        # Saved (a redirect) means exactly one new record; shown again means none.
        assert after - before == (1 if response.status_code == 302 else 0)

    check()


@pytest.mark.parametrize("extension", ["csv", "xlsx", "txt"])
def test_the_importer_survives_random_bytes(manager_client, some_records, extension):
    from django.core.files.uploadedfile import SimpleUploadedFile

    @HYPOTHESIS
    @given(st.binary(max_size=4000), st.sampled_from(["", "organizations", "contacts", "<b>"]))
    def check(data, kind):
        TRIED["importer"] += 1
        before = (Organization.objects.count(), Contact.objects.count())
        upload = SimpleUploadedFile(f"random.{extension}", data)
        response = manager_client.post("/stakeholders/import/", {"file": upload, "kind": kind})
        assert_safe(response)
        if response.status_code == 302:  # read as a table: its preview must show, not crash
            assert_safe(manager_client.get(response.url))
        assert (Organization.objects.count(), Contact.objects.count()) == before  # nothing written before confirming

    check()


# Ids no record can have: 20 digits (past SQLite's and PostgreSQL's 64-bit integers), negative,
# not a number, huge. Every choice field of every form must answer a form error, never a 500.
HOSTILE_IDS = ["99999999999999999999", "-99999999999999999999", "-1", "abc", "1.5", "9" * 400]


def _choice_fields(form):
    from django import forms

    return [bound for bound in form if isinstance(bound.field, forms.ChoiceField)]


def test_every_choice_field_of_every_form_refuses_hostile_ids(form_pages):
    from tests.form_pages import formset_management, page_forms

    tried = 0
    for name, url, client in form_pages:
        page = client.get(url)
        assert page.status_code == 200, name
        for form in page_forms(page.context):
            for bound in _choice_fields(form):
                for value in HOSTILE_IDS:
                    data = {**formset_management(page.context), bound.html_name: [value]}
                    response = client.post(url, data)
                    tried += 1
                    assert response.status_code == 200, f"{name}: {bound.html_name}={value[:25]}"
                    refused = [f for f in page_forms(response.context) if f.prefix == form.prefix]
                    assert any(bound.name in f.errors for f in refused), f"{name}: {bound.html_name}={value[:25]}"
    TRIED["hostile ids"] += tried
    assert tried > 100


@pytest.mark.parametrize("owner", ["²", "٣", "9" * 25])
def test_an_owner_typed_as_digits_that_are_no_id_is_refused_as_a_form_error(manager_client, owner):
    """Found by the property tests: "²" passes str.isdigit() but is no number (a 500 before)."""
    response = manager_client.post("/stakeholders/organizations/new/", {"name": "Transit Sahel", "owner": owner})
    assert response.status_code == 200
    assert "No active user with a role has this e-mail address." in response.content.decode()
