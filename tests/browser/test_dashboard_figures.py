"""Every figure and sub-figure of the dashboard opens exactly its own rows: each link is clicked at
its centre (what is really under the pointer), and the list it opens holds as many rows as the
figure says."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from communications.models import Commitment
from communications.services import refresh_last_engaged
from crm.accounts.roles import Role
from tests.browser.conftest import PHONE
from tests.factories import (
    PASSWORD,
    ConcernFactory,
    EngagementFactory,
    FollowUpFactory,
    OrganizationFactory,
    RegionFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser
TODAY = timezone.localdate()

# What is under the pointer at the centre of the link (the link itself or something inside it).
UNDER_POINTER = """(link) => {
  const box = link.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return link === hit || link.contains(hit);
}"""


def _data():
    manager = UserFactory(role=Role.MANAGER, email="moussa@example.test")
    kayes = RegionFactory(name="Kayes")
    key = [OrganizationFactory(region=kayes, influence=5) for _ in range(4)]
    others = [OrganizationFactory(region=kayes, influence=2) for _ in range(3)]
    first = EngagementFactory(author=manager, occurred_on=TODAY - timedelta(days=4), organizations=key[:2] + others)
    EngagementFactory(author=manager, occurred_on=TODAY - timedelta(days=12), organizations=[key[2]])
    EngagementFactory(author=manager, occurred_on=TODAY - timedelta(days=40), organizations=others[:1])
    for days in (3, 9, 20):  # overdue
        FollowUpFactory(engagement=first, due_on=TODAY - timedelta(days=days))
    for days in (2, 30):
        FollowUpFactory(engagement=first, due_on=TODAY + timedelta(days=days))
    FollowUpFactory(engagement=first, due_on=TODAY - timedelta(days=1), status="done")
    Commitment.objects.create(
        type="mou", title="MoU", status="signed", signed_on=TODAY - timedelta(days=4), engagement=first, author=manager
    )
    for organization in others:
        ConcernFactory(organization=organization, raised_on=TODAY - timedelta(days=5), status="open", engagement=first)
    refresh_last_engaged([o.pk for o in key + others])


def _rows_shown(page) -> int:
    """How many rows the list says it holds (the engagements list gives no total: its rows, one page)."""
    status = page.locator("#results [role=status]").first.inner_text()
    number = re.match(r"\s*([\d\s,\u202f\u00a0]+)\b", status)
    if number:
        return int(re.sub(r"\D", "", number.group(1)))
    return page.locator("#results table tbody tr:not(:has(td[colspan]))").count()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_figure_opens_exactly_its_own_rows(visit, transactional_db, viewport):
    _data()
    tab = visit(**({"viewport": viewport} if viewport else {}))
    page = tab.page
    tab.sign_in("moussa@example.test", PASSWORD)
    tab.goto("/dashboard/")
    links = page.locator(".figure-card a")
    count = links.count()
    # engagements, organizations, key stakeholders engaged and all of them, open follow-ups and
    # overdue ones, commitments, concerns: each a count of rows; the others (a percentage, a sum of
    # participants, a median, referrals as a count only) open nothing
    assert count == 8
    opened = {}
    for index in range(count):
        tab.goto("/dashboard/")
        link = page.locator(".figure-card a").nth(index)
        link.scroll_into_view_if_needed()
        text = link.inner_text()
        figure = int(re.sub(r"\D", "", text))
        assert link.evaluate(UNDER_POINTER), f"{text!r}: another element is under the pointer at its centre"
        href = link.get_attribute("href")
        link.click(timeout=3000)  # at its centre, as a user would: fails if something else would take it
        page.wait_for_url(lambda url, href=href: url.endswith(href.replace("&amp;", "&")))
        page.locator("#results").wait_for()
        assert _rows_shown(page) == figure, f"{text!r} opened {page.url}"
        opened[text.strip()] = figure
    assert opened["3 overdue"] == 3
    assert opened["5"] == 5  # open follow-ups: 5, of which 3 overdue
    assert tab.errors == []
