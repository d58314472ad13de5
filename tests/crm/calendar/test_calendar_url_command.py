"""`python manage.py calendar_url EMAIL`: a new calendar URL for that user, printed once."""

import pytest
from django.core.management import CommandError, call_command

from crm.models import CalendarFeed
from tests.crm.calendar.helpers import make_feed, parse
from tests.factories import UserFactory


def test_it_prints_a_new_url_that_works_and_revokes_the_previous_one(officer, client, capsys):
    previous = make_feed(officer)

    call_command("calendar_url", "Officer@Example.test", "--base-url", "https://crm.customs.example/")

    url = capsys.readouterr().out.strip()
    assert url.startswith("https://crm.customs.example/calendar/")
    assert url.endswith(".ics")
    parse(client.get(url.removeprefix("https://crm.customs.example")))
    assert client.get(previous).status_code == 404
    assert CalendarFeed.objects.filter(user=officer, revoked_at__isnull=True).count() == 1


def test_it_refuses_an_unknown_address(db):
    with pytest.raises(CommandError, match="No user has the e-mail address 'nobody@example.test'"):
        call_command("calendar_url", "nobody@example.test")


def test_it_refuses_a_base_url_without_a_scheme(officer):
    with pytest.raises(CommandError, match="--base-url must start with http:// or https://"):
        call_command("calendar_url", officer.email, "--base-url", "crm.customs.example")
    assert not CalendarFeed.objects.exists()


def test_it_warns_when_the_user_could_not_read_it(db, capsys):
    user = UserFactory(email="left@example.test", is_active=False)

    call_command("calendar_url", user.email)

    output = capsys.readouterr()
    assert output.out.startswith("http://127.0.0.1:8000/calendar/")
    assert "the feed answers 404 until they can" in output.err
