"""JSON written by the database (crm/lib/json_sql.py), on SQLite and PostgreSQL alike: every kind of
value reads back as Python wrote it, lists keep their order (texts by code point, as sorted() does),
an empty list is [], and what cannot be written safely is refused before any SQL runs."""

import json
from datetime import UTC, date, datetime

import pytest
from django.db.models import BooleanField, DateTimeField, F, OuterRef, Value
from rest_framework import serializers

from communications.models import Engagement, FollowUp
from crm.api.rendering import Renderer
from crm.api.rows import JsonRows, WrittenRows
from crm.lib.json_sql import Bytewise, JsonList, JsonObject, JsonText, UtcIso
from tests.factories import EngagementFactory, FollowUpFactory, UserFactory

AWKWARD = 'Quote " backslash \\ tab \t newline \n bell \x07 · é 中文 😀 </script>'


def written(queryset, expression):
    [text] = queryset.values_list(JsonText(expression), flat=True)
    assert isinstance(text, str)  # the text itself, not a value the driver read
    return json.loads(text)


@pytest.mark.django_db
def test_an_object_holds_each_value_as_python_wrote_it():
    engagement = EngagementFactory(
        title=AWKWARD, occurred_on=date(2026, 2, 28), participants=None, women_participants=0, is_held=False
    )
    row = written(
        Engagement.objects.filter(pk=engagement.pk),
        JsonObject(
            {
                "id": F("id"),
                "title": F("title"),
                "occurred_on": F("occurred_on"),
                "participants": F("participants"),
                "women_participants": F("women_participants"),
                "is_held": F("is_held"),
                "held_too": Value(True, output_field=BooleanField()),
                "unknown": Value(None, output_field=BooleanField()),
                "author": F("author__email"),
            }
        ),
    )
    assert row == {
        "id": engagement.pk,
        "title": AWKWARD,
        "occurred_on": "2026-02-28",
        "participants": None,
        "women_participants": 0,
        "is_held": False,
        "held_too": True,
        "unknown": None,
        "author": engagement.author.email,
    }
    assert list(row) == ["id", "title", "occurred_on", "participants", "women_participants", "is_held"] + [
        "held_too",
        "unknown",
        "author",
    ]


@pytest.mark.django_db
def test_lists_keep_their_order_and_texts_go_by_code_point():
    # A language's collation (PostgreSQL's en_US, say) skips punctuation: "ab" would come first.
    emails = ["ab@example.test", "a.c@example.test", "zed@example.test", "a-b@example.test"]
    engagement = EngagementFactory()
    engagement.staff.set([UserFactory(email=email) for email in emails])
    links = Engagement.staff.through.objects.filter(engagement=OuterRef("pk"))
    staff = JsonList(links.order_by(Bytewise("user__email")).values(json_value=F("user__email")))
    ids = JsonList(links.order_by("-user_id").values(json_value=F("user_id")))
    row = written(Engagement.objects.filter(pk=engagement.pk), JsonObject({"staff": staff, "ids": ids}))
    assert row["staff"] == sorted(emails)
    assert row["ids"] == sorted(engagement.staff.values_list("pk", flat=True), reverse=True)


@pytest.mark.django_db
def test_a_list_of_objects_and_an_empty_list():
    busy, quiet = EngagementFactory(), EngagementFactory()
    later = FollowUpFactory(engagement=busy, description=AWKWARD, due_on=date(2026, 3, 2))
    sooner = FollowUpFactory(engagement=busy, due_on=date(2026, 3, 1))
    follow_ups = JsonList(
        FollowUp.objects.filter(engagement=OuterRef("pk"))
        .order_by("due_on")
        .values(json_value=JsonObject({"id": F("id"), "description": F("description"), "due_on": F("due_on")})),
        objects=True,
    )
    rows = Engagement.objects.filter(pk__in=[busy.pk, quiet.pk]).order_by("pk")
    assert [json.loads(text) for text in rows.values_list(JsonText(follow_ups), flat=True)] == [
        [
            {"id": sooner.pk, "description": sooner.description, "due_on": "2026-03-01"},
            {"id": later.pk, "description": AWKWARD, "due_on": "2026-03-02"},
        ],
        [],
    ]


@pytest.mark.django_db
def test_date_times_are_left_to_python():
    with pytest.raises(ValueError, match="date-times"):
        list(Engagement.objects.values_list(JsonText(JsonObject({"created_at": F("created_at")}))))


def test_a_key_written_into_sql_must_be_a_plain_name():
    for key in ["title'); DROP TABLE x; --", "Title", "a b", ""]:
        with pytest.raises(ValueError, match="plain name"):
            JsonObject({key: F("title")})


def test_a_list_reads_one_column_named_json_value():
    with pytest.raises(ValueError, match="json_value"):
        JsonList(FollowUp.objects.values("id"))


def test_the_renderer_puts_written_rows_in_place_as_they_are():
    rows = WrittenRows(['{"id":1,"title":"written-rows-x \\"quoted\\""}', '{"id":2,"title":"é"}'])
    body = Renderer().render({"next": None, "results": rows, "count": 2})
    assert json.loads(body) == {
        "next": None,
        "results": [{"id": 1, "title": 'written-rows-x "quoted"'}, {"id": 2, "title": "é"}],
        "count": 2,
    }
    assert Renderer().render({"next": None, "results": WrittenRows()}) == b'{"next":null,"results":[]}'


def test_a_field_that_would_change_its_value_needs_its_own_expression():
    class Odd(serializers.Serializer):
        id = serializers.IntegerField()
        ratio = serializers.DecimalField(max_digits=5, decimal_places=2)  # written as a text "1.50"

    with pytest.raises(ValueError, match="ratio: a DecimalField needs its expression"):
        JsonRows(Odd).object()
    assert JsonRows(Odd, values={"ratio": F("participants")}).object()


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [0, 120000, 7])
def test_a_date_time_in_utc_is_written_as_the_serializer_writes_it(settings, microsecond):
    settings.TIME_ZONE = "UTC"
    engagement = EngagementFactory()
    when = datetime(2026, 2, 26, 10, 20, 30, microsecond, tzinfo=UTC)
    Engagement.objects.filter(pk=engagement.pk).update(updated_at=when)
    row = written(Engagement.objects.filter(pk=engagement.pk), JsonObject({"updated_at": UtcIso(F("updated_at"))}))
    assert row == {"updated_at": serializers.DateTimeField().to_representation(when)}


@pytest.mark.django_db
def test_no_date_time_is_written_as_null():
    EngagementFactory()
    rows = Engagement.objects.annotate(never=Value(None, output_field=DateTimeField()))
    assert written(rows, JsonObject({"never": UtcIso(F("never"))})) == {"never": None}


@pytest.mark.django_db
def test_a_column_holding_json_is_written_as_that_value_not_as_a_string():
    from crm.lib.json_sql import JsonColumn

    engagement = EngagementFactory()
    engagement.staff.add(UserFactory(email="b@customs.example"), UserFactory(email="A@customs.example"))
    row = written(
        Engagement.objects.filter(pk=engagement.pk),
        JsonObject(
            {"organizations": JsonColumn(F("links__organization_ids")), "staff": JsonColumn(F("links__staff_emails"))}
        ),
    )
    assert row == {
        "organizations": [organization.pk for organization in engagement.organizations.all()],
        "staff": ["A@customs.example", "b@customs.example"],
    }
