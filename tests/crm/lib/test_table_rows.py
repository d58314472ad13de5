"""The fast rows (crm/templatetags/table_rows.py) against django-tables2's own rendering, for every
table of the project.

The fast rows do in Python what django-tables2's template and BoundRow do for each cell, reading
some of django-tables2's internals; pyproject.toml pins django-tables2 to the minor release these
tests ran on. Each list is shown with rows in every state a row can be in (archived, overdue, done,
cancelled, planned, referred to Internal Affairs, an unknown code, empty optional fields, several
organizations, long text, text that must be escaped), in English and in French, in a time zone
that is not UTC. The same table is then rendered by django-tables2's stock template
(django_tables2/table.html), and the two tbodies are compared cell by cell: the same rows, the same
attributes (in any order) and the same content, character references as written (a missing escape
shows), whitespace aside. The project's additions, the ARIA roles and each cell's data-label (its
column's name, shown above the value when a phone shows rows as cards), are checked apart.
"""

import re
import tomllib
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import django_tables2
import pytest
from django.urls import get_resolver
from django.utils import timezone, translation
from packaging.requirements import Requirement
from packaging.version import Version

from communications.models import Campaign, Commitment, Concern, Topic
from crm.accounts.roles import Role
from tests.crm.test_hostile_input import LISTS  # every list page, named once
from tests.factories import (
    ContactFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    RegionFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[3]
ESCAPE = "<script>alert('x')</script> Diallo & Fils \"SARL\""
LONG = "Groupement interprofessionnel des transitaires et commissionnaires agréés en douane " * 2

# Each list page, the filters that show every row the fixture makes, and who may see it. The users
# list is not a ListPage (a search box, no filters, no export) but renders its table the same way.
PAGES = {
    "/stakeholders/organizations/": "?archived=all",
    "/stakeholders/contacts/": "?archived=all",
    "/communications/engagements/": "?held=all",
    "/communications/follow-ups/": "?owner=all&status=open&status=in_progress&status=done&status=cancelled",
    "/communications/commitments/": "",
    "/communications/concerns/": "",
    "/communications/campaigns/": "",
    "/users/": "",
}
ADMINISTRATOR_PAGES = {"/users/"}  # the rest as a manager, who sees referrals


# Reading a tbody ----------------------------------------------------------------------------------


class Rows(HTMLParser):
    """The rows of the first <tbody>: [(row attributes, [(cell attributes, content)])]. Content is
    the cell's markup as tokens: tags with their attributes as a dict, text with its character
    references as written and each run of whitespace made one space."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.rows: list = []
        self.state = "before"  # before, in, after the tbody
        self.cell = None  # the open cell's tokens
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if self.state == "before" and tag == "tbody":
            self.state = "in"
        elif self.state != "in":
            return
        elif self.cell is not None:
            self.cell.append(("<", tag, dict(attrs)))
        elif tag == "tr":
            self.rows.append((dict(attrs), []))
        elif tag == "td":
            self.cell = []
            self.rows[-1][1].append((dict(attrs), self.cell))
        else:
            raise AssertionError(f"<{tag}> in a row, outside any cell")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self.state != "in":
            return
        if tag == "tbody":
            self.state = "after"
        elif tag == "td" and self.cell is not None:
            self.cell[:] = _merged(self.cell)
            self.cell = None
        elif self.cell is not None:
            self.cell.append(("/", tag))

    def handle_data(self, data):
        if self.state != "in":
            return
        if self.cell is not None:
            self.cell.append(("text", data))
        else:
            assert not data.strip(), f"text in a row, outside any cell: {data!r}"

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


def _merged(tokens: list) -> list:
    """Adjacent text joined, whitespace runs made one space, blank text dropped; a CSRF token (a new
    mask at each rendering) made a placeholder."""
    merged: list = []
    for token in tokens:
        if token[0] == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + token[1])
        else:
            merged.append(token)
    out = []
    for token in merged:
        if token[0] == "text":
            text = re.sub(r"\s+", " ", token[1]).strip()
            if text:
                out.append(("text", text))
        elif token[0] == "<" and token[2].get("name") == "csrfmiddlewaretoken":
            out.append(("<", token[1], token[2] | {"value": "…"}))
        else:
            out.append(token)
    return out


def rendered_rows(table, request, template_name: str) -> list:
    """The table's rows as this template renders them (django-tables2 counts rows from 0 again, for
    their odd and even classes)."""
    table.template_name = template_name
    return Rows(table.as_html(request)).rows


def without_own_additions(rows: list, headers: list[str]) -> list:
    """The fast rows without what the project adds to django-tables2's (checked here): role="row"
    and role="cell", and each cell's column name as data-label, but the first's (the card's title)."""
    plain = []
    for attrs, cells in rows:
        attrs = dict(attrs)
        if len(cells) == len(headers) and attrs.pop("role", None) != "row":
            raise AssertionError(f"a row without role=row: {attrs}")
        plain_cells = []
        for i, (cell_attrs, content) in enumerate(cells):
            cell_attrs = dict(cell_attrs)
            if len(cells) == len(headers):
                assert cell_attrs.pop("role", None) == "cell", cell_attrs
                assert cell_attrs.pop("data-label", None) == (headers[i] if i else None), (i, cell_attrs)
            plain_cells.append((cell_attrs, content))
        plain.append((attrs, plain_cells))
    return plain


def compare(response, *, language: str) -> list:
    """The page's table rendered by the project's template (its rows by the fast rows) and by
    django-tables2's own, compared; the rows. Both after the page, so that what a table keeps from
    its first rendering (a campaign's progress, counted for the page) is kept for both."""
    table = response.context["table"]
    assert table.template_name == "crm/table.html"  # the page's {% render_table %} uses it
    with translation.override(language):
        headers = [str(column.header) for column in table.columns]
        fast = without_own_additions(rendered_rows(table, response.wsgi_request, "crm/table.html"), headers)
        stock = rendered_rows(table, response.wsgi_request, "django_tables2/table.html")
    assert len(fast) == len(stock)
    for number, (mine, theirs) in enumerate(zip(fast, stock, strict=True), start=1):
        assert mine[0] == theirs[0], f"row {number}: attributes"
        assert len(mine[1]) == len(theirs[1]), f"row {number}: cells"
        for column, (cell, theirs_cell) in zip(headers, zip(mine[1], theirs[1], strict=True), strict=False):
            assert cell == theirs_cell, f"row {number}, column {column!r}"
    return fast


# Rows in every state -------------------------------------------------------------------------------


@pytest.fixture
def every_state(settings, manager, administrator):
    """A few rows of each list, between them in every state a row can be in."""
    settings.TIME_ZONE = "Asia/Kolkata"  # +05:30: a time shown in UTC would show
    today = timezone.localdate()
    officer = UserFactory(role=Role.OFFICER, first_name=ESCAPE, last_name="Traoré")
    kayes = RegionFactory(name="Kayes")
    full = OrganizationFactory(
        name="Comptoir Kapok",
        type="customs_broker",
        region=kayes,
        city="Kayes",
        aeo_status="certified",
        stance="supportive",
        influence=5,
        interest=1,
        owner=manager,
        last_engaged_on=today - timedelta(days=3),
    )
    full.tags.create(name="AEO pilot")
    full.tags.create(name="Border")
    hostile = OrganizationFactory(name=ESCAPE, region=None, city="Saint-Louis & Dakar", owner=officer)
    archived = OrganizationFactory(name=LONG[:200], is_archived=True, aeo_status="revoked", stance="resistant")
    OrganizationFactory(name="Ancien code", type="legacy_code", region=kayes)  # no longer among the choices

    ContactFactory(
        first_name="Awa",
        last_name="Keïta",
        organization=full,
        job_title="Directrice",
        phone="+223 20 22 33 44",
        consent=True,
        is_key_contact=True,
    )
    ContactFactory(first_name="", last_name=ESCAPE, organization=None, email="", job_title=LONG[:150])
    ContactFactory(last_name="Archivée", organization=hostile, is_archived=True)

    held = EngagementFactory(
        title=ESCAPE,
        organizations=[full, hostile, archived],
        region=kayes,
        depth="consult",
        sentiment="positive",
        author=manager,
        occurred_on=today - timedelta(days=10),
    )
    planned = EngagementFactory(
        title=LONG[:200], organizations=[full], is_held=False, occurred_on=today + timedelta(days=5), author=officer
    )
    EngagementFactory(title="Sans organisation & co", organizations=[hostile], kind="legacy_kind", author=officer)

    FollowUpFactory(engagement=held, owner=manager, description=ESCAPE, due_on=today - timedelta(days=2))  # overdue
    FollowUpFactory(engagement=held, owner=manager, status="done", completed_on=today - timedelta(days=1), due_on=today)
    FollowUpFactory(engagement=held, owner=officer, status="in_progress", due_on=today + timedelta(days=9))
    FollowUpFactory(engagement=planned, owner=officer, status="cancelled", description=LONG[:300], due_on=today)

    soon = Commitment.objects.create(
        type="mou", title=ESCAPE, status="active", review_on=today + timedelta(days=10), author=manager
    )
    soon.parties.set([full, hostile])
    Commitment.objects.create(
        type="integrity_charter",
        title=LONG[:200],
        status="expired",
        signed_on=today - timedelta(days=400),
        valid_until=today - timedelta(days=30),
        author=manager,
    )
    Commitment.objects.create(type="action_plan", title="Brouillon", status="draft", author=officer)

    topic = Topic.objects.order_by("pk").first()
    Concern.objects.create(
        organization=hostile, summary=ESCAPE, referred_to_internal_affairs=True, author=manager, topic=topic
    )
    Concern.objects.create(
        organization=full,
        topic=topic,
        status="resolved",
        raised_on=today - timedelta(days=20),
        resolved_on=today - timedelta(days=4),
        author=officer,
    )
    Concern.objects.create(organization=archived, author=officer)  # no topic

    Campaign.objects.create(
        name=ESCAPE,
        status="active",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=10),
        audience_query="type=customs_broker&region=Kayes",
        owner=manager,
    )
    Campaign.objects.create(name="Sans dates", status="planned")
    Campaign.objects.create(name=LONG[:200], status="completed", starts_on=today - timedelta(days=90), owner=officer)

    UserFactory(first_name="", last_name="", email="nameless&co@example.test")  # shown by e-mail
    UserFactory(is_active=False, last_login=datetime(2026, 3, 9, 23, 50, tzinfo=UTC))
    pending = UserFactory(last_name="Invitée")
    pending.set_unusable_password()
    pending.save()


def _client_for(client, path, manager, administrator):
    client.force_login(administrator if path in ADMINISTRATOR_PAGES else manager)
    return client


def test_every_list_page_is_compared():
    """A list added to the hostile-input tests' list (every list page) must be added here too."""
    assert set(LISTS) | ADMINISTRATOR_PAGES == set(PAGES)


def project_tables() -> set[type]:
    """Every django-tables2 table of the project a view can show."""
    get_resolver().url_patterns  # noqa: B018  (every view module imported, with the tables it shows)
    ours, todo = set(), [django_tables2.Table]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] in ("crm", "stakeholders", "communications"):
            ours.add(cls)
    return ours


def test_every_table_of_the_project_is_shown_by_a_compared_page(client, manager, administrator):
    shown = set()
    for path in PAGES:
        response = _client_for(client, path, manager, administrator).get(path)
        shown.add(type(response.context["table"]))
    assert project_tables() == shown


def test_no_column_needs_what_the_fast_rows_work_out_once_per_table(db):
    """The fast rows write each column's <td> attributes once per table, and every cell as {{ cell }}
    does: no column's <td> attributes may depend on the cell, nor any column set `localize`."""
    for cls in project_tables():
        table = cls(cls._meta.model.objects.none())
        for column in table.columns:
            attrs = dict(table.attrs) | dict(column.column.attrs)
            td = attrs.get("td", attrs.get("cell", {}))
            assert not any(callable(value) for value in td.values()), (cls.__name__, column.name)
            assert column.localize is None, (cls.__name__, column.name)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("path", PAGES)
def test_every_list_renders_its_rows_as_django_tables2_does(
    client, every_state, manager, administrator, path, language
):
    response = _client_for(client, path, manager, administrator).get(path + PAGES[path], HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    rows = compare(response, language=language)
    assert len(rows) >= 3, "the fixture shows every state"
    body = response.content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(" in body


@pytest.mark.parametrize("path", PAGES)
def test_an_empty_list_says_so_as_django_tables2_does(client, manager, administrator, path):
    response = _client_for(client, path, manager, administrator).get(path, {"q": "nothing-matches-this"})
    (row,) = compare(response, language="en")
    assert row[0] == {}
    assert len(row[1]) == 1
    assert "colspan" in row[1][0][0]


def test_pyproject_pins_the_django_tables2_release_the_fast_paths_were_compared_with():
    """The fast rows and the paginator read django-tables2's internals: pyproject.toml allows one
    minor release, the one installed; moving the pin means running these tests on the new one."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = [
        Requirement(text) for text in pyproject["project"]["dependencies"] if Requirement(text).name == "django-tables2"
    ]
    installed = Version(metadata.version("django-tables2"))
    assert requirement.specifier.contains(installed)
    next_minor = Version(f"{installed.major}.{installed.minor + 1}")
    assert not requirement.specifier.contains(next_minor), f"{requirement} allows {next_minor}, never compared"
