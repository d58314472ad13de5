from unittest import mock

from django.db import OperationalError


def test_it_answers_ok_without_sign_in(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_it_reports_an_unreachable_database(client, db):
    with mock.patch("crm.site.views.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/health/")
    assert response.status_code == 503
