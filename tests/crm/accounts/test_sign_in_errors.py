"""A refused sign-in (or any allauth form) says what is wrong once: in the error summary at the top,
which links to the field, not a second time in an alert inside the form."""

import re

import pytest
from django import forms
from django.template import RequestContext, Template
from django.template.base import Origin
from django.test import RequestFactory

from tests.factories import PASSWORD

WRONG = {
    "en": "The email address and/or password you specified are not correct.",
    "fr": "L’adresse e-mail ou le mot de passe sont incorrects.",
}
SUMMARY = re.compile(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", re.S)


def _sign_in(client, password, language="en"):
    return client.post(
        "/accounts/login/", {"login": "officer@example.test", "password": password}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_wrong_password_is_said_once_in_the_summary(client, officer, language):
    html = _sign_in(client, "wrong-password", language)
    assert html.count(WRONG[language]) == 1
    assert WRONG[language] in SUMMARY.search(html).group(1)
    assert 'href="#id_login"' in SUMMARY.search(html).group(1)
    assert 'value="officer@example.test"' in html  # what was typed stays


def test_too_many_failures_are_said_once(client, officer):
    for _ in range(5):
        _sign_in(client, "wrong-password")
    html = _sign_in(client, PASSWORD)
    assert html.count("Too many failed login attempts") == 1
    assert "Too many failed login attempts" in SUMMARY.search(html).group(1)


class _Refused(forms.Form):
    code = forms.CharField()

    def clean(self):
        raise forms.ValidationError("Refused as a whole.")


def _render_fields(request_method: str) -> str:
    """What every allauth form page renders: {% element fields %} inside base.html, which summarises."""
    template = Template(
        "{% load allauth form_problems %}{% form_problems as error_summary %}"
        "{% for problem in error_summary %}[summary: {{ problem.text }}]{% endfor %}"
        "{% element fields form=form %}{% endelement %}",
        origin=Origin(name="test", template_name="test.html"),  # allauth's element tag reads it
    )
    request = getattr(RequestFactory(), request_method.lower())("/")
    return template.render(RequestContext(request, {"form": _Refused({"code": "x"})}))


def test_every_allauth_form_shows_its_own_problems_once_under_the_summary():
    html = _render_fields("POST")
    assert html.count("Refused as a whole.") == 1
    assert "[summary: Refused as a whole.]" in html


def test_without_a_summary_the_form_still_shows_its_problems():
    html = _render_fields("GET")  # base.html summarises only a POST
    assert html.count("Refused as a whole.") == 1
    assert "[summary:" not in html
    assert 'class="alert alert-danger"' in html
