from django.core.management import call_command

from crm.models import User
from crm.roles import Role


def test_it_creates_the_three_demo_accounts_once(db, capsys):
    call_command("seed_demo", "--password", "demo-password-1")
    call_command("seed_demo", "--password", "demo-password-1")
    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    assert set(users) == {"officer@demo.test", "manager@demo.test", "admin@demo.test"}
    assert users["officer@demo.test"].role == Role.OFFICER
    assert users["manager@demo.test"].role == Role.MANAGER
    assert users["admin@demo.test"].role == Role.ADMINISTRATOR
    assert users["admin@demo.test"].check_password("demo-password-1")
    assert "demo-password-1" in capsys.readouterr().out


def test_without_a_password_it_prints_a_random_one(db, capsys, monkeypatch):
    monkeypatch.delenv("CRM_DEMO_PASSWORD", raising=False)
    call_command("seed_demo")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    assert len(password) >= 10
    assert User.objects.get(email="manager@demo.test").check_password(password)


def test_a_second_run_keeps_what_people_changed_but_resets_the_password(db):
    call_command("seed_demo", "--password", "first-password-1")
    officer = User.objects.get(email="officer@demo.test")
    officer.first_name = "Renamed"
    officer.save()
    call_command("seed_demo", "--password", "second-password-2")
    officer.refresh_from_db()
    assert officer.first_name == "Renamed"
    assert officer.check_password("second-password-2")
