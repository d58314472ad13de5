"""What schemathesis (tests/api/test_schema.py) found the schema and the API disagreeing on, each
pinned by a plain example: the error statuses, the vocabularies' shape, the ordering and yes/no
filters, closed request bodies, and JSON values of the wrong type, refused by name."""

import json

import pytest

from stakeholders.models import Contact
from tests.factories import OrganizationFactory


@pytest.fixture
def schema(officer_api):
    return officer_api.get("/api/schema/?format=json").json()


def test_every_operation_documents_its_refusals_as_problem_details(schema):
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "403", "429"} <= statuses, (method, path)
            assert ("404" in statuses) == ("{id}" in path), (method, path)
            if method in ("post", "put", "patch"):
                assert "400" in statuses
                problem = operation["responses"]["400"]["content"]["application/problem+json"]["schema"]
                assert problem == {"$ref": "#/components/schemas/Problem"}


def test_the_vocabularies_of_codes_answer_in_the_shape_documented(officer_api, schema):
    documented = schema["paths"]["/api/v1/types/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert documented["schema"] == {"$ref": "#/components/schemas/ChoiceList"}
    body = officer_api.get("/api/v1/types/").json()
    assert body["next"] is None
    assert {"code": "customs_broker", "label": "Customs broker"} in body["results"]


def test_the_ordering_and_yes_no_filters_list_their_values(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert parameters["consent"] == {"type": "string", "enum": ["no", "yes"]}
    assert "-last_name" in parameters["ordering"]["enum"]
    organizations = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/organizations/"]["get"]["parameters"]}
    assert organizations["influence"] == {"type": "number", "minimum": 1, "maximum": 5}


def test_request_bodies_are_closed_and_lists_bounded(schema):
    engagement = schema["components"]["schemas"]["EngagementRequest"]
    assert engagement["additionalProperties"] is False
    assert "minItems" not in engagement["properties"]["organizations"]  # or new_organizations, by name
    assert engagement["properties"]["organizations"]["items"]["maximum"] == 2**63 - 1
    assert engagement["properties"]["staff"]["items"]["format"] == "email"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("job_title", 5),
        ("is_key_contact", "yes"),
        ("consent", 1),
        ("organization", "1"),
        ("organization", True),
        ("gender", 1),
        ("consent_date", 20260101),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_by_name(officer_api, field, value):
    OrganizationFactory()
    body = {"last_name": "Diallo", field: value}
    response = officer_api.post("/api/v1/contacts/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {field}
    assert not Contact.objects.exists()


def test_an_empty_text_for_a_colleague_is_refused_not_taken_for_null(manager_api):
    body = {"name": "Integrity week", "owner": ""}
    response = manager_api.post("/api/v1/campaigns/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner": ["Give a value, or null."]}


def test_a_nested_follow_up_of_the_wrong_type_is_named_by_its_path(officer_api, officer):
    organization = OrganizationFactory()
    body = {
        "title": "T",
        "organizations": [organization.pk],
        "follow_ups": [{"description": 7, "owner": officer.email, "due_on": "2026-01-20"}],
    }
    response = officer_api.post("/api/v1/engagements/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"follow_ups.0.description"}
