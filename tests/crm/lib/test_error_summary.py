"""A refused form opens with an error summary at the top of the page: a heading, and a link per
problem to the field concerned (the GOV.UK pattern), on every form page, in English and French."""

import re

from django.utils.html import strip_tags

from tests.form_pages import formset_management, page_forms

SUMMARY = re.compile(r"<div[^>]*data-error-summary[^>]*>(.*?)</ul>", re.S)
LINK = re.compile(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', re.S)


def summary_links(html: str) -> list[tuple[str, str]]:
    found = SUMMARY.search(html)
    assert found, "no error summary"
    return [(target, strip_tags(text)) for target, text in LINK.findall(found.group(1))]


def element_exists(html: str, element_id: str) -> bool:
    return re.search(rf'<[a-z]+\b[^>]*\bid="{re.escape(element_id)}"', html) is not None


def test_every_refused_form_page_opens_with_a_summary_linking_to_each_problem(form_pages):
    for name, url, client in form_pages:
        page = client.get(url)
        assert "data-error-summary" not in page.content.decode(), f"{name}: a summary before anything was sent"
        response = client.post(
            url, {"csrfmiddlewaretoken": "-", **formset_management(page.context)}
        )  # as a browser would
        assert response.status_code == 200, name
        html = response.content.decode()
        tag = re.search(r"<div[^>]*data-error-summary[^>]*>", html).group(0)
        assert 'role="alert"' in tag, name
        assert 'tabindex="-1"' in tag, name
        assert "There is a problem" in html, name
        assert "<title>Error:" in html, name
        links = summary_links(html)
        for target, _text in links:
            assert element_exists(html, target), f"{name}: the summary links to #{target}, not on the page"
        problems = 0
        for form in page_forms(response.context):
            for field_name, errors in form.errors.items():
                problems += len(errors)
                if field_name == "__all__" or form[field_name].is_hidden:
                    for error in errors:
                        assert any(strip_tags(error) in text for _t, text in links), f"{name}: {error}"
                    continue
                bound = form[field_name]
                targets = [t for t, _text in links if t == bound.auto_id or t.startswith(f"{bound.auto_id}_")]
                assert targets, f"{name}: no link to {bound.auto_id}"
        assert problems, f"{name}: nothing was refused"
        assert len(links) == problems, name


def test_the_summary_speaks_french(client, manager):
    client.force_login(manager)
    client.cookies["django_language"] = "fr"
    response = client.post(
        "/communications/engagements/new/",
        {"follow_ups-TOTAL_FORMS": "1", "follow_ups-INITIAL_FORMS": "0", "follow_ups-0-description": "Rappeler"},
    )
    html = response.content.decode()
    assert "Il y a un problème" in html
    assert "<title>Erreur :" in html
    texts = [text for _target, text in summary_links(html)]
    assert any(text.startswith("Qui (ligne 1)") for text in texts), texts


def test_the_summary_is_not_shown_for_a_list_filter(manager_client):
    response = manager_client.get("/stakeholders/organizations/", {"influence": "99999999999999999999"})
    assert "data-error-summary" not in response.content.decode()


def test_the_problems_are_listed_in_the_order_of_the_fields(manager_client):
    from tests.factories import OrganizationFactory

    OrganizationFactory(name="Transit Acacia")  # a similar name: refused by clean(), after the fields
    response = manager_client.post(
        "/stakeholders/organizations/new/", {"name": "TRANSIT ACACIA", "email": "nope", "influence": "9"}
    )
    texts = [text for _target, text in summary_links(response.content.decode())]
    shown = [text.split(":")[0] for text in texts]
    order = [str(bound.label) for bound in response.context["form"]]
    assert {"Name", "E-mail", "Influence"} <= set(shown)
    assert shown == sorted(shown, key=order.index)
