"""Random and hostile JSON posted to every create and update of the API, and hostile values in every
list's query: never a server error, a refusal is a 4xx naming what it refuses, and a refused create
writes nothing (tests/crm/test_hostile_input.py does the same to the pages)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from communications.models import Campaign, Commitment, Concern, Engagement, FollowUp
from stakeholders.models import Contact, Organization
from tests.api.conftest import bearer
from tests.crm.test_hostile_input import HYPOTHESIS, PAYLOADS, TRIED
from tests.factories import ConcernFactory, ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory

# JSON values of every kind, hostile texts and numbers no database holds among them.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(PAYLOADS),
    st.text(max_size=60),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)

CREATES = {
    "/api/v1/organizations/": Organization,
    "/api/v1/contacts/": Contact,
    "/api/v1/engagements/": Engagement,
    "/api/v1/commitments/": Commitment,
    "/api/v1/concerns/": Concern,
    "/api/v1/campaigns/": Campaign,
}
LISTS = [*CREATES, "/api/v1/follow-ups/", "/api/v1/regions/", "/api/v1/topics/", "/api/v1/key-factors/"]
RECORDS = {Organization, Contact, Engagement, FollowUp, Commitment, Concern, Campaign}


def fields_of(client, path: str, method: str) -> list[str]:
    """The request body's fields as the schema lists them."""
    schema = client.get("/api/schema/?format=json").json()
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return list(schema["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"])


def counts() -> dict:
    return {model: model.objects.count() for model in RECORDS}


def assert_refused_by_name(response, body) -> None:
    assert response.status_code < 500, response.content
    if response.status_code == 400:
        problem = response.json()
        assert problem["status"] == 400
        assert problem["errors"], problem
        if isinstance(body, dict):  # each refusal names a field sent, a field missing, or the record as a whole
            for name in problem["errors"]:
                assert name.split(".")[0] in {*map(str, body), "non_field_errors", "body"} or name in problem["detail"]


@pytest.fixture
def some_records(manager):
    organization = OrganizationFactory()
    ContactFactory(organization=organization)
    engagement = EngagementFactory(author=manager, organizations=[organization])
    FollowUpFactory(engagement=engagement, owner=manager)
    ConcernFactory(organization=organization, author=manager)
    return engagement


@pytest.mark.parametrize("path", CREATES)
def test_creates_survive_hostile_json_and_write_all_or_nothing(manager, some_records, path):
    client = bearer(manager)
    names = fields_of(client, path, "post")

    @HYPOTHESIS
    @given(st.dictionaries(st.sampled_from([*names, "colour", "id", "author"]), values, max_size=6))
    def check(body):
        TRIED["api creates"] += 1
        before = counts()
        response = client.post(path, json.dumps(body), content_type="application/json")
        assert_refused_by_name(response, body)
        after = counts()
        if response.status_code == 201:
            assert after[CREATES[path]] == before[CREATES[path]] + 1
        else:
            assert after == before, "a refused create wrote something"

    check()


@pytest.mark.parametrize(
    ("path", "records"),
    [
        ("/api/v1/organizations/{}/", Organization),
        ("/api/v1/engagements/{}/", Engagement),
        ("/api/v1/follow-ups/{}/", FollowUp),
        ("/api/v1/concerns/{}/", Concern),
    ],
)
def test_updates_survive_hostile_json(manager, some_records, path, records):
    client = bearer(manager)
    url = path.format(records.objects.order_by("pk").first().pk)
    names = fields_of(client, path.format("{id}"), "patch")

    @HYPOTHESIS
    @given(st.dictionaries(st.sampled_from([*names, "colour"]), values, min_size=1, max_size=4))
    def check(body):
        TRIED["api updates"] += 1
        before = counts()
        response = client.patch(url, json.dumps(body), content_type="application/json")
        assert_refused_by_name(response, body)
        assert counts() == before  # an update makes no record (follow-ups come with their engagement)

    check()


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"[]", b"null", b'"text"', b"1e999", b'{"name": NaN}'])
def test_malformed_json_is_a_400_naming_the_body(manager, some_records, body):
    response = bearer(manager).post("/api/v1/organizations/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) & {"body", "non_field_errors"}
    assert Organization.objects.count() == 1


@pytest.mark.parametrize("path", LISTS)
def test_list_queries_survive_hostile_values(manager, some_records, path):
    client = bearer(manager)
    parameters = client.get("/api/schema/?format=json").json()["paths"][path]["get"].get("parameters", [])
    names = [parameter["name"] for parameter in parameters]
    hostile = st.one_of(st.sampled_from([*PAYLOADS, "1001", "0", "-name", "id,id", str(2**70)]), st.text(max_size=40))

    @HYPOTHESIS
    @given(st.dictionaries(st.sampled_from(names), hostile, min_size=1, max_size=4))
    def check(query):
        TRIED["api lists"] += 1
        response = client.get(path, query)
        assert response.status_code in (200, 400), response.content
        if response.status_code == 400:
            assert set(response.json()["errors"]) <= set(query), response.json()

    check()


@pytest.mark.parametrize("value", ["json", "yaml", "-4092815935116317", "null", ""])
def test_a_format_in_the_query_never_turns_a_list_into_a_404(manager, value):
    """`?format=` that names no renderer of the view is ignored (DRF answered 404, which the schema
    does not document); the schema's own `?format=json` still chooses its JSON."""
    response = bearer(manager).get(f"/api/v1/key-factors/?format={value}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    assert (
        bearer(manager).get("/api/schema/?format=json")["Content-Type"].startswith("application/vnd.oai.openapi+json")
    )
