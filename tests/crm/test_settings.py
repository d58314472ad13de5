import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crm.env import (
    cache_from_url,
    email_from_url,
    env,
    envbool,
    envchoice,
    envint,
    envlist,
    envurl,
    is_allowed_host,
    is_email_address,
    is_origin,
    is_time_zone,
)

ROOT = Path(__file__).resolve().parents[2]


def test_envbool_reads_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "0")
    assert envbool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "yes")
    assert envbool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "")
    assert envbool("FLAG", True) is True
    monkeypatch.setenv("FLAG", "  OFF ")
    assert envbool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "True")
    assert envbool("FLAG", False) is True


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled", "-1", "nope"])
def test_envbool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match=f"^DEBUG='{value}' is not accepted: use 1/0, true/false"):
        envbool("DEBUG", False)


def test_envint_reads_a_whole_number_within_its_range(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", " 587 ")
    assert envint("EMAIL_PORT", 25, min_value=1, max_value=65535) == 587
    monkeypatch.setenv("EMAIL_PORT", "")
    assert envint("EMAIL_PORT", 25, min_value=1, max_value=65535) == 25


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("ten", "a whole number from 1 to 65535"),
        ("1.5", "a whole number from 1 to 65535"),
        ("0", "a whole number from 1 to 65535"),
        ("70000", "a whole number from 1 to 65535"),
    ],
)
def test_envint_refuses_other_numbers_naming_the_variable(monkeypatch, value, accepted):
    monkeypatch.setenv("EMAIL_PORT", value)
    with pytest.raises(ImproperlyConfigured, match=f"^EMAIL_PORT='{value}' is not accepted: {accepted}"):
        envint("EMAIL_PORT", 25, min_value=1, max_value=65535)


def test_envint_says_an_open_range_as_such(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='-1' is not accepted: a whole number of at least 0"):
        envint("CONN_MAX_AGE", 60, min_value=0)


def test_envchoice_matches_any_case_and_returns_the_choice_as_spelt(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", " warning")
    assert envchoice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING"]) == "WARNING"
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL='verbose' is not accepted: one of DEBUG, INFO, WARNING"):
        envchoice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING"])


def test_env_checks_a_value_it_is_given_a_check_for(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Africa/Bamako")
    assert env("TIME_ZONE", "UTC", valid=is_time_zone, accepted="a time zone") == "Africa/Bamako"
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE='Mars/Olympus' is not accepted: a time zone"):
        env("TIME_ZONE", "UTC", valid=is_time_zone, accepted="a time zone")
    monkeypatch.setenv("TIME_ZONE", " ")
    assert env("TIME_ZONE", "UTC", valid=is_time_zone, accepted="a time zone") == "UTC"


def test_an_empty_list_variable_means_an_empty_list(monkeypatch):
    monkeypatch.setenv("MFA_REQUIRED_ROLES", "")
    assert envlist("MFA_REQUIRED_ROLES", "Manager,Administrator") == []
    monkeypatch.delenv("MFA_REQUIRED_ROLES")
    assert envlist("MFA_REQUIRED_ROLES", "Manager,Administrator") == ["Manager", "Administrator"]


def test_envlist_names_the_item_it_refuses(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "crm.example.org, https://crm.example.org")
    with pytest.raises(ImproperlyConfigured, match="^ALLOWED_HOSTS=.* 'https://crm.example.org' is not a host"):
        envlist("ALLOWED_HOSTS", valid=is_allowed_host, accepted="a host name")


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("crm.example.org", True),
        (".example.org", True),
        ("*", True),
        ("127.0.0.1", True),
        ("[::1]", True),
        ("https://crm.example.org", False),
        ("crm.example.org:8000", False),  # Django compares host names without their port
        ("crm.example.org/crm", False),
        ("crm example.org", False),
    ],
)
def test_allowed_hosts_entries(value, allowed):
    assert is_allowed_host(value) is allowed


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://crm.example.org", True),
        ("http://localhost:8000", True),
        ("https://*.example.org", True),
        ("crm.example.org", False),
        ("https://crm.example.org/path", False),
        ("ftp://crm.example.org", False),
        ("https://crm.example.org:port", False),
        ("https://", False),
    ],
)
def test_csrf_trusted_origins_entries(value, origin):
    assert is_origin(value) is origin


@pytest.mark.parametrize(
    ("value", "address"),
    [("crm@localhost", True), ("Customs CRM <crm@customs.example>", True), ("crm", False), ("crm@", False)],
)
def test_sender_addresses(value, address):
    assert is_email_address(value) is address


def test_cache_urls():
    assert cache_from_url("db://crm_cache") == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "crm_cache",
    }
    assert cache_from_url("db://")["LOCATION"] == "crm_cache"
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    assert cache_from_url("dummy://") == {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    # Redis URLs reach redis-py whole: user name (ACL), password, database number, options.
    for url in ("redis://127.0.0.1:6379/1", "rediss://crm:p%40ss@cache.example.org:6380/0?socket_timeout=5"):
        assert cache_from_url(url) == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    assert cache_from_url("redis://a:6379/0,redis://b:6379/0")["LOCATION"] == "redis://a:6379/0,redis://b:6379/0"


def test_email_urls():
    smtp = email_from_url("smtp://user%40x:p%2Fw@mail.example.org:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.example.org"
    assert smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@x"
    assert smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_TLS"] is True
    assert smtp["EMAIL_USE_SSL"] is False
    assert email_from_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_from_url("memory://")["EMAIL_BACKEND"].endswith("locmem.EmailBackend")
    smtps = email_from_url("smtps://mail.example.org")
    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"], smtps["EMAIL_USE_TLS"]) == (465, True, False)
    plain = email_from_url("smtp://")
    assert (plain["EMAIL_HOST"], plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"]) == ("localhost", 25, False)
    assert email_from_url("smtp://mail.example.org?tls=off")["EMAIL_USE_TLS"] is False


@pytest.mark.parametrize(
    ("name", "parse", "url", "reason"),
    [
        ("CACHE_URL", cache_from_url, "memcached://x", "the scheme must be one of db://, locmem://, redis://"),
        ("CACHE_URL", cache_from_url, "crm_cache", "the scheme must be one of"),
        ("CACHE_URL", cache_from_url, "db://crm-cache", "the table name 'crm-cache'"),
        ("CACHE_URL", cache_from_url, "db://crm_cache?timeout=60", "takes a name only"),
        ("CACHE_URL", cache_from_url, "dummy://x", "dummy:// takes no name"),
        ("CACHE_URL", cache_from_url, "redis://cache:63x9/0", "the port must be a number"),
        ("CACHE_URL", cache_from_url, "redis://cache:6379/zero", "the path is the database number"),
        ("CACHE_URL", cache_from_url, "redis:///0", "names no host"),
        ("EMAIL_URL", email_from_url, "smpt://mail.example.org", "the scheme must be one of console://"),
        ("EMAIL_URL", email_from_url, "mail.example.org", "the scheme must be one of"),
        ("EMAIL_URL", email_from_url, "smtp://mail.example.org?tls=ture", "tls='ture': use 1/0"),
        ("EMAIL_URL", email_from_url, "smtp://mail.example.org?tsl=1", "unknown option 'tsl'"),
        ("EMAIL_URL", email_from_url, "smtps://mail.example.org?tls=1", "smtps:// is TLS from the start"),
        ("EMAIL_URL", email_from_url, "smtp://mail.example.org:0", "the port must be a number from 1 to 65535"),
        ("EMAIL_URL", email_from_url, "smtp://mail example.org", "is not a host name"),
        ("EMAIL_URL", email_from_url, "smtp://mail.example.org/inbox", "an SMTP URL has no path"),
        ("EMAIL_URL", email_from_url, "console://mail.example.org", "console:// takes nothing"),
    ],
)
def test_malformed_urls_are_refused_naming_the_variable(monkeypatch, name, parse, url, reason):
    monkeypatch.setenv(name, url)
    with pytest.raises(ImproperlyConfigured, match=f"^{name}=.* is not accepted: ") as error:
        envurl(name, "dummy://", parse)
    assert reason in str(error.value)
    assert repr(url) in str(error.value)


def test_a_refused_url_keeps_its_password_out_of_the_message(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://crm:s3cret@mail.example.org:25x")
    with pytest.raises(ImproperlyConfigured) as error:
        envurl("EMAIL_URL", "console://", email_from_url)
    assert "s3cret" not in str(error.value)
    assert "EMAIL_URL='smtp://crm:***@mail.example.org:25x'" in str(error.value)
    monkeypatch.setenv("EMAIL_URL", "smtp://crm:pa#ss@mail.example.org")  # an unencoded # in the password
    with pytest.raises(ImproperlyConfigured, match="%23") as error:
        envurl("EMAIL_URL", "console://", email_from_url)
    assert "pa#ss" not in str(error.value)


def _settings(monkeypatch, tmp_path, **variables):
    """crm/settings.py run afresh under these variables only (the configured settings stay as they are)."""
    for name in READ_BY_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CRM_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 50)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "crm" / "settings.py"))


# One malformed value for each variable settings.py reads (but free text); each must stop start-up naming it.
FREE_TEXT = {"CRM_VAR_DIR", "SECRET_KEY", "MFA_TOTP_ISSUER", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"}
MALFORMED = [
    ("DEBUG", "ture"),
    ("ALLOWED_HOSTS", "https://crm.example.org"),
    ("CSRF_TRUSTED_ORIGINS", "crm.example.org"),
    ("DATABASE_URL", "postgress://crm:crm@127.0.0.1/crm"),
    ("CONN_MAX_AGE", "-5"),
    ("POSTGRES_JIT", "sometimes"),
    ("API_RATE", "fast"),
    ("CACHE_URL", "memcached://127.0.0.1"),
    ("INVITATION_VALID_SECONDS", "3600"),  # the invitation e-mail counts in whole days
    ("MFA_REQUIRED_ROLES", "Manager,Admin"),
    ("EMAIL_URL", "smtp://mail.example.org?tls=ture"),
    ("EMAIL_BACKEND", "console"),
    ("EMAIL_HOST", "smtp://mail.example.org"),
    ("EMAIL_PORT", "twenty-five"),
    ("EMAIL_USE_TLS", "maybe"),
    ("EMAIL_USE_SSL", "maybe"),
    ("EMAIL_TIMEOUT", "0"),
    ("DEFAULT_FROM_EMAIL", "crm"),
    ("LANGUAGE_CODE", "de"),
    ("TIME_ZONE", "Africa/Atlantis"),
    ("SECURE_SSL_REDIRECT", "sometimes"),
    ("SESSION_COOKIE_SECURE", "2"),
    ("CSRF_COOKIE_SECURE", "y"),
    ("SECURE_HSTS_SECONDS", "a year"),
    ("SECURE_HSTS_PRELOAD", "preload"),
    ("SESSION_MAX_AGE_SECONDS", "12h"),
    ("SESSION_IDLE_SECONDS", "30"),  # shorter than the keep-alive and "last seen" rhythm
    ("LOG_LEVEL", "verbose"),
    ("REMINDERS_AT", "7h"),
    ("DIGEST_DAY", "lundi"),
    ("DIGEST_AT", "25:00"),
    ("SITE_URL", "crm.customs.example"),
    ("JOBS_URL", "amqp://queue.example"),
    ("JOBS_WORKER_SILENCE", "5"),
    ("WEBHOOKS_ALLOW_LOCAL_HTTP", "perhaps"),
    ("WEBHOOKS_TIMEOUT", "0"),
    ("IMPORT_MAX_ROWS", "lots"),
    ("IMPORT_JOB_ROWS", "0"),
    ("IMPORT_WRITE_SLICE_MS", "-1"),
    ("EXPORT_JOB_ROWS", "many"),
    ("EXPORT_KEEP_HOURS", "0"),
]


READ_BY_SETTINGS = FREE_TEXT | {name for name, value in MALFORMED}


def test_every_variable_settings_reads_is_in_the_table():
    source = (ROOT / "crm" / "settings.py").read_text()
    assert set(re.findall(r"\benv\w*\(\s*\"([A-Z_]+)\"", source)) == READ_BY_SETTINGS


@pytest.mark.parametrize(("name", "value"), MALFORMED)
def test_settings_refuse_a_malformed_value(monkeypatch, tmp_path, name, value):
    with pytest.raises(ImproperlyConfigured, match=f"^{name}="):
        _settings(monkeypatch, tmp_path, **{name: value})


def test_settings_refuse_tls_and_ssl_together(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_USE_TLS and EMAIL_USE_SSL are both on"):
        _settings(monkeypatch, tmp_path, EMAIL_URL="smtps://mail.example.org", EMAIL_USE_TLS="1")


def test_settings_refuse_a_var_dir_that_cannot_be_made(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ImproperlyConfigured, match="^CRM_VAR_DIR='.*file/var' cannot be made"):
        _settings(monkeypatch, tmp_path, CRM_VAR_DIR=str(tmp_path / "file" / "var"))


def test_settings_read_good_values_as_given(monkeypatch, tmp_path):
    settings = _settings(
        monkeypatch,
        tmp_path,
        DEBUG=" Yes ",
        ALLOWED_HOSTS="crm.example.org, .customs.example",
        CSRF_TRUSTED_ORIGINS="https://crm.example.org",
        MFA_REQUIRED_ROLES="Outreach officer,Manager",
        EMAIL_URL="smtp://crm:pw@mail.example.org:587?tls=yes",
        EMAIL_PORT="2525",
        DEFAULT_FROM_EMAIL="Customs CRM <crm@customs.example>",
        LOG_LEVEL="warning",
        LANGUAGE_CODE="FR",
        TIME_ZONE="Africa/Bamako",
        SESSION_IDLE_SECONDS="600",
        CACHE_URL="locmem://",
    )
    assert settings["DEBUG"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["ALLOWED_HOSTS"] == ["crm.example.org", ".customs.example"]
    assert settings["MFA_REQUIRED_ROLES"] == ["Outreach officer", "Manager"]
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"], settings["EMAIL_USE_TLS"]) == (
        "mail.example.org",
        2525,
        True,
    )
    assert settings["LOGGING"]["root"]["level"] == "WARNING"
    assert (settings["LANGUAGE_CODE"], settings["TIME_ZONE"]) == ("fr", "Africa/Bamako")
    assert settings["SESSION_IDLE_SECONDS"] == 600
    assert settings["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_settings_defaults(monkeypatch, tmp_path):
    settings = _settings(monkeypatch, tmp_path)
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "crm_cache",
    }
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert settings["DATABASES"]["default"]["NAME"] == str(tmp_path / "crm.sqlite3")
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 60  # kept between requests, SQLite too
    assert (settings["SESSION_COOKIE_AGE"], settings["SESSION_IDLE_SECONDS"]) == (12 * 3600, 30 * 60)
    assert settings["MFA_REQUIRED_ROLES"] == ["Manager", "Administrator"]


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


@pytest.mark.parametrize(
    ("url", "options"),
    [
        ("postgres://crm:pw@db.example.org/crm", "-c jit=off"),
        (
            "postgres://crm:pw@db.example.org/crm?options=-c%20statement_timeout%3D5000",
            "-c statement_timeout=5000 -c jit=off",
        ),
        ("postgres://crm:pw@db.example.org/crm?options=-c%20jit%3Don", "-c jit=on"),
        ("postgres://crm:pw@db.example.org/crm?options=-c%20jit_above_cost%3D1", "-c jit_above_cost=1 -c jit=off"),
    ],
)
def test_postgresql_connections_run_without_jit_unless_the_url_says(monkeypatch, tmp_path, url, options):
    settings = _settings(monkeypatch, tmp_path, DATABASE_URL=url)
    assert settings["DATABASES"]["default"]["OPTIONS"]["options"] == options


def test_postgres_jit_on_sends_no_option(monkeypatch, tmp_path):
    """For a pooler that refuses connection options (jit is then set on the server's role)."""
    settings = _settings(monkeypatch, tmp_path, DATABASE_URL="postgres://crm:pw@db.example.org/crm", POSTGRES_JIT="on")
    assert "options" not in settings["DATABASES"]["default"].get("OPTIONS", {})


def test_the_apps_postgresql_connection_has_jit_off(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


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


def test_manage_py_stops_on_a_misspelt_debug_naming_it(tmp_path):
    result = _manage("check", DEBUG="ture", CRM_VAR_DIR=str(tmp_path), SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG='ture' is not accepted" in result.stderr
