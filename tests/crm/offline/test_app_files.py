"""The installable app's manifest and service worker: public, about nobody, the worker at the root."""

import json

import pytest

from crm.accounts.roles import Role
from tests.factories import UserFactory


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js"])
def test_it_answers_without_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 200


def test_the_manifest_names_the_app_in_the_visitors_language(client, db):
    client.cookies["django_language"] = "fr"
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert manifest["lang"] == "fr"
    assert manifest["short_name"] == "CRM Douane"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]


def test_the_worker_lists_the_files_and_pages_it_keeps_and_nobody(client, officer):
    client.force_login(officer)
    response = client.get("/sw.js")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert '"/communications/engagements/new/"' in text
    assert '"/communications/follow-ups/"' in text
    assert "importScripts(" in text
    assert officer.email not in text


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js"])
def test_a_signed_in_account_without_role_or_after_its_session_ended_still_gets_it(client, db, settings, path):
    client.force_login(UserFactory(role=""))
    assert client.get(path).status_code == 200
    session = client.session
    session["crm_session_last_seen"] = 0
    session.save()
    assert client.get(path).status_code == 200  # not a redirect to sign in: the worker would fail to update


def test_signed_in_pages_name_their_user_by_an_opaque_key(client, officer):
    other = UserFactory(role=Role.OFFICER)
    client.force_login(officer)
    mine = client.get("/").content.decode()
    client.force_login(other)
    theirs = client.get("/").content.decode()
    key = mine.split('data-offline-user="')[1].split('"')[0]
    assert len(key) == 24
    assert str(officer.pk) != key
    assert key not in theirs
    assert 'rel="manifest"' in mine
