"""The private calendar feed at /calendar/<secret>.ics: what it holds, in which language, and who
reaches it (anyone with the secret, no sign-in; nobody without it)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from crm.accounts.roles import Role
from crm.calendar.services import secret_hash
from crm.models import CalendarFeed
from tests.crm.calendar.helpers import events, make_feed, parse
from tests.factories import ContactFactory, EngagementFactory, FollowUpFactory, OrganizationFactory, UserFactory

TODAY = timezone.localdate


def _later(days):
    return TODAY() + timedelta(days=days)


@pytest.fixture
def work(officer):
    """The officer's follow-ups and engagements, and others' that their feed must leave out."""
    engagement = EngagementFactory(author=officer, title="Brokers' consultative committee", occurred_on=TODAY())
    someone = UserFactory(role=Role.OFFICER)
    return {
        "open": FollowUpFactory(engagement=engagement, owner=officer, due_on=_later(3), status="open"),
        "in_progress": FollowUpFactory(engagement=engagement, owner=officer, due_on=_later(-5), status="in_progress"),
        "done": FollowUpFactory(engagement=engagement, owner=officer, due_on=_later(4), status="done"),
        "cancelled": FollowUpFactory(engagement=engagement, owner=officer, due_on=_later(4), status="cancelled"),
        "someone's": FollowUpFactory(engagement=engagement, owner=someone, due_on=_later(3)),
        "too old": FollowUpFactory(engagement=engagement, owner=officer, due_on=_later(-31)),
        "removed engagement's": FollowUpFactory(
            engagement=EngagementFactory(author=officer, is_removed=True), owner=officer, due_on=_later(2)
        ),
        "planned": EngagementFactory(
            author=officer,
            is_held=False,
            occurred_on=_later(10),
            title="Workshop on release times",
            location="Kayes customs office",
            organizations=[OrganizationFactory(name="Sahel Transit SARL")],
        ),
        "held": EngagementFactory(author=officer, is_held=True, occurred_on=_later(-1)),
        "removed plan": EngagementFactory(author=officer, is_held=False, is_removed=True, occurred_on=_later(5)),
        "someone's plan": EngagementFactory(author=someone, is_held=False, occurred_on=_later(5)),
        "plan too far": EngagementFactory(author=officer, is_held=False, occurred_on=_later(366)),
    }


def test_it_holds_open_follow_ups_and_planned_engagements_only(client, officer, work):
    calendar = parse(client.get(make_feed(officer)))

    assert set(events(calendar)) == {
        f"followup-{work['open'].pk}@testserver",
        f"followup-{work['in_progress'].pk}@testserver",
        f"engagement-{work['planned'].pk}@testserver",
    }


def test_each_item_is_an_all_day_event_linking_back_to_its_page(client, officer, work):
    found = events(parse(client.get(make_feed(officer))))

    follow_up = found[f"followup-{work['open'].pk}@testserver"]
    assert follow_up.decoded("DTSTART") == work["open"].due_on  # a date, not a time: all day
    assert follow_up.decoded("DTEND") == work["open"].due_on + timedelta(days=1)
    assert str(follow_up["SUMMARY"]) == f"Follow-up: {work['open'].description}"
    assert "Brokers' consultative committee" in str(follow_up["DESCRIPTION"])
    engagement_url = f"http://testserver/communications/engagements/{work['open'].engagement.pk}/"
    assert str(follow_up["URL"]) == engagement_url + "#follow-ups"
    assert follow_up.decoded("DTSTAMP")
    assert follow_up.decoded("LAST-MODIFIED")
    assert str(follow_up["TRANSP"]) == "TRANSPARENT"

    plan = found[f"engagement-{work['planned'].pk}@testserver"]
    assert plan.decoded("DTSTART") == work["planned"].occurred_on
    assert str(plan["SUMMARY"]) == "Workshop on release times"
    assert str(plan["LOCATION"]) == "Kayes customs office"
    assert "Sahel Transit SARL" in str(plan["DESCRIPTION"])
    assert str(plan["URL"]) == f"http://testserver/communications/engagements/{work['planned'].pk}/"
    assert plan.decoded("LAST-MODIFIED") == work["planned"].updated_at.replace(microsecond=0)


def test_the_calendar_names_itself_and_asks_to_be_read_again_hourly(client, officer, work):
    calendar = parse(client.get(make_feed(officer)))

    assert str(calendar["X-WR-CALNAME"]) == "Customs CRM"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    assert str(calendar["VERSION"]) == "2.0"


def test_a_french_user_gets_it_in_french(client, officer, work):
    officer.preferred_language = "fr"
    officer.save()

    calendar = parse(client.get(make_feed(officer), HTTP_ACCEPT_LANGUAGE="en"))

    assert str(calendar["X-WR-CALNAME"]) == "CRM Douane"
    found = events(calendar)
    assert "En cours" in str(found[f"followup-{work['in_progress'].pk}@testserver"]["DESCRIPTION"])
    assert "Atelier" not in str(found[f"engagement-{work['planned'].pk}@testserver"]["DESCRIPTION"])
    assert "Réunion" in str(found[f"engagement-{work['planned'].pk}@testserver"]["DESCRIPTION"])  # its kind


def test_without_a_preferred_language_it_speaks_the_language_it_was_made_in(client, officer, work):
    calendar = parse(client.get(make_feed(officer, language="fr")))

    assert str(calendar["X-WR-CALNAME"]) == "CRM Douane"


def test_it_tells_nothing_the_pages_do_not_show(client, officer):
    contact = ContactFactory(first_name="Mariam", last_name="Keïta")
    engagement = EngagementFactory(
        author=officer, is_held=False, occurred_on=_later(2), summary="Confidential notes on the broker"
    )
    engagement.contacts.set([contact])

    body = client.get(make_feed(officer)).content.decode()

    assert "Confidential notes" not in body
    assert "Keïta" not in body
    assert officer.email not in body


def test_its_headers_keep_it_out_of_shared_caches_and_search_engines(client, officer, work):
    response = client.get(make_feed(officer))

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "sessionid" not in response.cookies


def test_the_same_content_answers_not_modified(client, officer, work):
    path = make_feed(officer)
    first = client.get(path)

    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


def test_a_compressed_answer_is_not_modified_either(client, officer, work):
    path = make_feed(officer)
    first = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"

    again = client.get(path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_an_unknown_or_revoked_secret_answers_404_alike(client, officer, work):
    old = make_feed(officer)
    current = make_feed(officer)  # making a new one revokes the old one

    revoked, unknown = client.get(old), client.get("/calendar/" + "x" * 43 + ".ics")

    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content
    assert "csrftoken" not in revoked.cookies
    assert client.get(current).status_code == 200


def test_a_deactivated_user_s_feed_answers_404(client, officer, work):
    path = make_feed(officer)
    officer.is_active = False
    officer.save()

    assert client.get(path).status_code == 404


def test_a_user_without_a_role_has_no_feed(client, db):
    path = make_feed(UserFactory())

    assert client.get(path).status_code == 404


def test_only_a_hash_of_the_secret_is_kept(officer):
    path = make_feed(officer)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")

    feed = CalendarFeed.objects.get(user=officer)
    assert feed.secret_hash == secret_hash(secret)
    assert secret not in feed.secret_hash
    assert len(secret) >= 40


def test_the_secret_opens_the_feed_and_nothing_else(client, officer, work):
    path = make_feed(officer)
    secret = path.removeprefix("/calendar/").removesuffix(".ics")

    assert client.post(path).status_code == 405
    for other in (
        f"/calendar/{secret}",
        f"/calendar/{secret}/",
        f"/calendar/{secret}.ics/x",
        f"/calendar/{secret}.json",
    ):
        assert client.get(other).status_code == 404, other
    assert client.get(f"/?secret={secret}").status_code == 302  # still sent to sign in
    assert client.get("/").status_code == 302


def test_no_sign_in_is_needed_and_a_signed_in_browser_is_not_redirected(client, manager, officer):
    path = make_feed(manager)
    assert client.get(path).status_code == 200  # a calendar app: no session

    client.force_login(UserFactory())  # no role: every app page is refused
    assert client.get(path).status_code == 200

    client.force_login(officer)
    with override_settings(MFA_REQUIRED_ROLES=[Role.OFFICER]):  # must enrol before any app page
        assert client.get("/").status_code == 302
        assert client.get(path).status_code == 200


def test_an_owner_who_must_enrol_two_factor_and_has_not_gets_404(client, officer):
    path = make_feed(officer)

    with override_settings(MFA_REQUIRED_ROLES=[Role.OFFICER]):
        assert client.get(path).status_code == 404


def test_a_read_is_noted_at_most_once_an_hour(client, officer, work):
    path = make_feed(officer)
    feed = CalendarFeed.objects.get(user=officer)

    client.get(path)
    first = CalendarFeed.objects.get(pk=feed.pk).last_fetched_at
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    assert CalendarFeed.objects.get(pk=feed.pk).last_fetched_at == first
    assert not [query for query in queries if query["sql"].startswith("UPDATE")]

    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=first - timedelta(hours=2))
    client.get(path)
    assert CalendarFeed.objects.get(pk=feed.pk).last_fetched_at > first


def _queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_events(client, officer):
    path = make_feed(officer)
    client.get(path)  # the first read notes it (an UPDATE the next hour's reads do not make)

    def add(count):
        for day in range(count):
            engagement = EngagementFactory(author=officer, is_held=False, occurred_on=_later(day + 1))
            FollowUpFactory(engagement=engagement, owner=officer, due_on=_later(day + 2))

    add(2)
    few = _queries_for(client, path)
    add(18)
    many = _queries_for(client, path)

    assert few == many
    assert len(events(parse(client.get(path)))) == 40
