"""The dashboard: figures checked against hand-counted data, drill-down, scoping, bad input."""

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communications.models import Commitment
from communications.services import refresh_last_engaged
from crm.dashboard.selectors import DashboardForm, figures, scope_from
from tests.factories import ConcernFactory, EngagementFactory, FollowUpFactory, OrganizationFactory, RegionFactory

TODAY = timezone.localdate()


def _data(officer, manager):
    kayes, dakar = RegionFactory(name="Kayes"), RegionFactory(name="Dakar")
    broker = OrganizationFactory(type="customs_broker", region=kayes, influence=5)
    bank = OrganizationFactory(type="bank", region=dakar, influence=4)
    OrganizationFactory(type="bank", region=dakar, influence=5)  # a key stakeholder never engaged
    recent = EngagementFactory(
        author=officer,
        occurred_on=TODAY - timedelta(days=3),
        organizations=[broker, bank],
        region=kayes,
        participants=10,
        women_participants=4,
    )
    EngagementFactory(
        author=manager,
        occurred_on=TODAY - timedelta(days=20),
        organizations=[bank],
        region=dakar,
        participants=6,
        women_participants=3,
    )
    EngagementFactory(
        author=officer, occurred_on=TODAY - timedelta(days=100), organizations=[broker], region=kayes
    )  # previous period
    EngagementFactory(
        author=officer, occurred_on=TODAY + timedelta(days=5), organizations=[broker], is_held=False
    )  # planned
    EngagementFactory(author=officer, occurred_on=TODAY - timedelta(days=2), organizations=[broker], is_removed=True)
    FollowUpFactory(engagement=recent, due_on=TODAY - timedelta(days=1))  # overdue
    FollowUpFactory(engagement=recent, due_on=TODAY + timedelta(days=9))
    FollowUpFactory(engagement=recent, status="done")
    Commitment.objects.create(
        type="mou", title="MoU", status="signed", signed_on=TODAY - timedelta(days=3), engagement=recent, author=officer
    )
    ConcernFactory(
        organization=broker,
        raised_on=TODAY - timedelta(days=10),
        resolved_on=TODAY - timedelta(days=4),
        status="resolved",
    )
    ConcernFactory(
        organization=broker,
        raised_on=TODAY - timedelta(days=9),
        resolved_on=TODAY - timedelta(days=1),
        status="resolved",
    )
    ConcernFactory(organization=bank, raised_on=TODAY - timedelta(days=5), status="open")
    ConcernFactory(
        organization=bank,
        raised_on=TODAY - timedelta(days=5),
        referred_to_internal_affairs=True,
        referral_reference="IA-1",
        summary="",
    )
    refresh_last_engaged([broker.pk, bank.pk])


def _request(rf, user):
    request = rf.get("/dashboard/")
    request.user = user
    return request


def test_the_figures_match_the_hand_count(manager, officer, rf):
    _data(officer, manager)
    scope = scope_from(DashboardForm({"period": "30"}), manager)
    now = figures(scope, _request(rf, manager))
    assert now.engagements == 2  # not the planned, the removed or the one 100 days ago
    assert now.organizations == 2
    assert (now.participants, now.women, now.women_share) == (16, 7, 44)
    assert (now.key_engaged, now.key_total, now.key_coverage) == (2, 3, 67)
    assert (now.follow_ups_open, now.follow_ups_overdue) == (2, 1)
    assert now.commitments == 1
    assert now.concerns_open == 1
    assert now.median_days == 7.0  # 6 and 8 days
    assert now.referrals == 1
    before = figures(scope.previous(), _request(rf, manager))
    assert before.engagements == 0
    # The comparison figures, computed with the current ones at hand, are the same numbers.
    compared = figures(scope.previous(), _request(rf, manager), later=now)
    for name in ("engagements", "organizations", "participants", "key_coverage", "commitments", "referrals"):
        assert getattr(compared, name) == getattr(before, name), name
    # And the figures taken from the per-type counts (and key stakeholders counted with them) are the counts.
    from crm.dashboard.selectors import reach

    assert figures(scope, _request(rf, manager), reach_now=reach(scope, _request(rf, manager))) == now


def test_filters_narrow_every_figure(manager, officer, rf):
    _data(officer, manager)
    kayes = figures(scope_from(DashboardForm({"period": "30", "region": "kayes"}), manager), _request(rf, manager))
    assert (kayes.engagements, kayes.participants) == (1, 10)
    banks = figures(scope_from(DashboardForm({"period": "30", "type": "bank"}), manager), _request(rf, manager))
    assert banks.engagements == 2
    assert banks.organizations == 1
    assert banks.key_total == 2


def test_officers_see_their_own_work(manager, officer, rf):
    _data(officer, manager)
    own = figures(scope_from(DashboardForm({"period": "30"}), officer), _request(rf, officer))
    assert own.engagements == 1
    assert own.participants == 10


def test_the_page_drills_down_to_the_rows_behind_a_figure(manager_client, manager, officer):
    _data(officer, manager)
    response = manager_client.get("/dashboard/?period=30")
    cards = {card["label"]: card for card in response.context["cards"]}
    listed = manager_client.get(cards["engagements"]["url"]).context["filter"].qs.count()
    assert listed == cards["engagements"]["value"] == 2
    reached = manager_client.get(cards["organizations"]["url"]).context["filter"].qs.count()
    assert reached == cards["organizations"]["value"] == 2
    commitments = manager_client.get(cards["commitments"]["url"]).context["filter"].qs.count()
    assert commitments == 1
    body = response.content.decode()
    assert "<script" not in body.split("<main")[1].split("</main>")[0]  # the SVG charts carry no script
    assert 'href="/communications/engagements/?' in body  # chart bars and table rows link to lists


def test_an_empty_period_shows_empty_states(manager_client):
    response = manager_client.get("/dashboard/?period=custom&date_from=2001-01-01&date_to=2001-01-31")
    assert response.status_code == 200
    assert "No engagement held in this period" in response.content.decode()


def test_an_end_before_the_start_is_refused_with_a_message(manager_client):
    response = manager_client.get("/dashboard/?period=custom&date_from=2026-02-01&date_to=2026-01-01")
    assert "The end of the period is before its start." in response.content.decode()


def test_the_dashboard_costs_the_same_queries_whatever_the_data(manager_client, manager, officer):
    def queries():
        with CaptureQueriesContext(connection) as context:
            manager_client.get("/dashboard/?period=365")
        return len(context)

    small = queries()
    _data(officer, manager)
    for _ in range(20):
        EngagementFactory(occurred_on=TODAY - timedelta(days=40), organizations=[OrganizationFactory()])
    cache.clear()  # written by the factories, which record no change: counted afresh all the same
    assert queries() == small


def test_the_big_counts_read_their_covering_indexes_alone(manager_client, manager, officer):
    """The counts over the reach rows and over every organization (the map) name no id: COUNT(id)
    would send PostgreSQL from the covering index to the table for every row counted."""
    _data(officer, manager)
    with CaptureQueriesContext(connection) as context:
        manager_client.get("/dashboard/")
    reach = [q["sql"] for q in context if 'FROM "communications_organizationreach"' in q["sql"]]
    grouped_map = [
        q["sql"] for q in context if '"stakeholders_organization"."interest"' in q["sql"] and "GROUP BY" in q["sql"]
    ]
    assert len(reach) == 2  # this period by type with its key stakeholders; the period before
    assert len(grouped_map) == 1
    for sql in reach:
        assert '"communications_organizationreach"."id"' not in sql, sql
    assert '"stakeholders_organization"."id"' not in grouped_map[0]


def _listed(client, url):
    response = client.get(url)
    return response.context["filter"].qs.count()


COUNTED = {"engagements", "organizations", "follow_ups", "commitments", "concerns"}


def test_every_figure_opens_a_list_of_exactly_its_rows(client, manager, officer):
    _data(officer, manager)
    for user, query in [
        (manager, "period=30"),
        (manager, "period=30&region=Kayes"),
        (manager, "period=30&type=bank"),
        (manager, f"period=30&officer={officer.email}"),
        (officer, "period=30"),
        (manager, "period=365"),
    ]:
        client.force_login(user)
        response = client.get(f"/dashboard/?{query}")
        assert response.status_code == 200
        for card in response.context["cards"]:
            if card["label"] in COUNTED:
                assert _listed(client, card["url"]) == card["value"], (user.email, query, card["label"])
            if card["label"] == "coverage" and card["detail"][1]:
                for url, n in zip(card["detail_urls"], card["detail"], strict=True):
                    assert _listed(client, url) == n, (query, "coverage")
            if card["label"] == "follow_ups":
                assert _listed(client, card["overdue_url"]) == card["detail"], (query, "overdue")
        for chart in response.context["charts"]:
            if chart.title in ("Engagements by region", "Organizations reached, by stakeholder type"):
                for label, url, values in chart.rows:
                    assert _listed(client, url) == values[0], (query, chart.title, label)


def test_an_unknown_region_or_officer_is_named_and_no_figure_shown(manager_client):
    body = manager_client.get("/dashboard/?period=30&region=Atlantis&officer=nobody@x.test").content.decode()
    assert "No region has this name." in body
    assert "No user has this e-mail address." in body
    assert "Correct the filters above to see the figures." in body


def test_a_period_is_bounded(manager_client):
    body = manager_client.get("/dashboard/?period=custom&date_from=0001-01-01&date_to=2026-01-01").content.decode()
    assert "A period covers at most ten years" in body


def test_a_link_with_filters_but_no_period_shows_the_period_it_counts(manager_client):
    html = manager_client.get("/dashboard/?region=Kayes").content.decode()
    assert '<option value="90" selected>' in html
    assert '<option value="30" selected>' not in html
