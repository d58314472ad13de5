import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm.env import cache_from_url, email_from_url, envbool, envlist

ROOT = Path(__file__).resolve().parents[2]


def test_envbool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "0")
    assert envbool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "yes")
    assert envbool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "")
    assert envbool("FLAG", True) is True


def test_an_empty_list_variable_means_an_empty_list(monkeypatch):
    monkeypatch.setenv("MFA_REQUIRED_ROLES", "")
    assert envlist("MFA_REQUIRED_ROLES", "Manager,Administrator") == []
    monkeypatch.delenv("MFA_REQUIRED_ROLES")
    assert envlist("MFA_REQUIRED_ROLES", "Manager,Administrator") == ["Manager", "Administrator"]


def test_cache_urls():
    assert cache_from_url("db://crm_cache")["LOCATION"] == "crm_cache"
    assert cache_from_url("redis://127.0.0.1:6379/1")["BACKEND"].endswith("RedisCache")
    with pytest.raises(ValueError, match="CACHE_URL scheme not supported"):
        cache_from_url("memcached://x")


def test_email_urls():
    smtp = email_from_url("smtp://user%40x:p%2Fw@mail.example.org:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.example.org"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@x"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_from_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def _manage(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    } | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_health_answers_plain_http_probes_with_debug_off(tmp_path):
    code = (
        "from django.test import Client; r = Client().get('/health/', HTTP_HOST='localhost'); "
        "print(r.status_code, r.content.decode())"
    )
    result = _manage(
        "shell", "--no-imports", "-c", code, DEBUG="0", SECRET_KEY="k" * 60, CRM_VAR_DIR=str(tmp_path), DATABASE_URL=""
    )
    assert result.stdout.split()[:2] == ["200", "ok"], result.stderr


def test_the_deployment_check_is_clean_with_debug_off(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="crm.example.org",
        CRM_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_with_no_secret_key_one_is_made_once_and_kept_out_of_git(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _manage("shell", "-c", code, CRM_VAR_DIR=str(tmp_path), SECRET_KEY="")
    second = _manage("shell", "-c", code, CRM_VAR_DIR=str(tmp_path), SECRET_KEY="")
    deploy = _manage("check", "--deploy", CRM_VAR_DIR=str(tmp_path), SECRET_KEY="", DEBUG="0")
    assert "crm.W001" in deploy.stderr + deploy.stdout  # several servers need one key
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) > 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0], "
        "connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = _manage("shell", "--no-imports", "-c", code, CRM_VAR_DIR=str(tmp_path), DATABASE_URL="")
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"], result.stderr
