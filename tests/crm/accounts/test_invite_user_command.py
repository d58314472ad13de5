import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from crm.accounts.roles import Role
from crm.models import User


def test_it_creates_the_first_administrator_and_prints_the_link(db, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite_user", "Chief@Customs.example", "--role", "Administrator", "--base-url", "https://crm.example"
        )
    user = User.objects.get(email="chief@customs.example")
    assert user.role == Role.ADMINISTRATOR
    assert user.is_staff
    assert "https://crm.example/accounts/invitation/" in capsys.readouterr().out
    assert mail.outbox[0].to == ["chief@customs.example"]


def test_it_refuses_an_address_already_in_use(officer):
    with pytest.raises(CommandError, match="already exists"):
        call_command("invite_user", officer.email)
