"""Typed readers for the settings that come from environment variables.

Each reader returns the variable's value, or the default when the variable is unset or blank, and
raises ImproperlyConfigured naming the variable, the value given and what is accepted for anything
else: a typo in a deployment stops the app at start-up instead of quietly turning a setting off.

DATABASE_URL is parsed by dj-database-url. The cache and e-mail URLs have their own small parsers
here, because the libraries for them guess where this module refuses: dj-email-url has had no
release since 2022 and ignores an unknown scheme or a misspelt `tls` value; django-environ reads
`tls=false` as on, `smtps://` as STARTTLS and names the database cache `dbcache://`;
django-cache-url drops the user name of a Redis URL (Redis ACL users) and copies a misspelt query
key into the cache settings unnoticed.
"""

import importlib.util
import ipaddress
import os
import re
import zoneinfo
from collections.abc import Callable, Sequence
from email.utils import parseaddr
from typing import TypeVar
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

T = TypeVar("T")

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
BOOLEAN_WORDS = "1/0, true/false, yes/no or on/off (any case)"


def refuse(name: str, value: str, accepted: str) -> ImproperlyConfigured:
    """The error every reader raises: `NAME='value' is not accepted: what is`."""
    return ImproperlyConfigured(f"{name}={value!r} is not accepted: {accepted}.")


def _given(name: str) -> str | None:
    """The variable's raw value, or None when it is unset or blank (then the default applies)."""
    value = os.environ.get(name, "")
    return value if value.strip() else None


def env(name: str, default: str = "", *, valid: Callable[[str], bool] | None = None, accepted: str = "") -> str:
    """A string; `valid`, when given, must accept it (`accepted` says what it accepts)."""
    value = _given(name)
    if value is None:
        return default
    if valid is not None and not valid(value):
        raise refuse(name, value, accepted)
    return value


def boolean(word: str) -> bool:
    """1/0, true/false, yes/no, on/off in any case, surrounding spaces ignored; ValueError otherwise."""
    word = word.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"use {BOOLEAN_WORDS}")


def envbool(name: str, default: bool) -> bool:
    value = _given(name)
    if value is None:
        return default
    try:
        return boolean(value)
    except ValueError:
        raise refuse(name, value, f"use {BOOLEAN_WORDS}, or leave it empty for the default") from None


def envint(name: str, default: int, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """A whole number within [min_value, max_value] (either bound may be left open)."""
    value = _given(name)
    if value is None:
        return default
    accepted = "a whole number"
    if min_value is not None and max_value is not None:
        accepted += f" from {min_value} to {max_value}"
    elif min_value is not None:
        accepted += f" of at least {min_value}"
    elif max_value is not None:
        accepted += f" of at most {max_value}"
    try:
        number = int(value)
    except ValueError:
        raise refuse(name, value, accepted) from None
    if (min_value is not None and number < min_value) or (max_value is not None and number > max_value):
        raise refuse(name, value, accepted)
    return number


def envchoice(name: str, default: str, choices: Sequence[str]) -> str:
    """One of `choices`, matched in any case and returned as the choice is spelt."""
    value = _given(name)
    if value is None:
        return default
    for choice in choices:
        if value.strip().lower() == choice.lower():
            return choice
    raise refuse(name, value, "one of " + ", ".join(choices))


def envlist(
    name: str, default: str = "", *, valid: Callable[[str], bool] | None = None, accepted: str = ""
) -> list[str]:
    """Comma-separated items, each stripped; set but empty is an empty list, unset is the default."""
    value = os.environ.get(name, default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if valid is not None and not valid(item):
            raise refuse(name, value, f"{item!r} is not {accepted}")
    return items


def envurl(name: str, default: str, parse: Callable[[str], T]) -> T:
    """What `parse` makes of the URL; its ValueError becomes ImproperlyConfigured (password hidden)."""
    url = (_given(name) or default).strip()
    try:
        return parse(url)
    except ValueError as error:
        raise refuse(name, hide_password(url), str(error).rstrip(".")) from None


def hide_password(url: str) -> str:
    """The URL with its password replaced by ***, for messages that end up in logs."""
    scheme, separator, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


# Values of single settings.

HOST_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?")
DOTTED_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def is_host_name(value: str) -> bool:
    """A host name or an IP address (IPv6 in brackets or not); no scheme, port or path."""
    if HOST_NAME.fullmatch(value):
        return True
    try:
        ipaddress.ip_address(value.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def is_allowed_host(value: str) -> bool:
    """An ALLOWED_HOSTS entry: `*`, a host name, `.example.org` (it and its subdomains), `[::1]`."""
    return value == "*" or is_host_name(value.removeprefix("."))


def is_origin(value: str) -> bool:
    """A CSRF_TRUSTED_ORIGINS entry: http(s)://host[:port], the host may start with `*.`."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a malformed port)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and value.startswith(f"{parts.scheme}://")
        and is_host_name((parts.hostname or "").removeprefix("*."))
        and not (parts.path or parts.query or parts.fragment or parts.username)
    )


def is_email_address(value: str) -> bool:
    """`crm@example.org` or `Customs CRM <crm@example.org>`."""
    address = parseaddr(value)[1]
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def is_dotted_path(value: str) -> bool:
    return bool(DOTTED_PATH.fullmatch(value))


def is_time_of_day(value: str) -> bool:
    """`07:00`: hours 00–23 and minutes, on the 24-hour clock."""
    return bool(re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value.strip()))


def is_site_url(value: str) -> bool:
    """The app's address as its users reach it: http(s)://host[:port][/path], no query."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a malformed port)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and is_host_name(parts.hostname or "")
        and not (parts.query or parts.fragment or parts.username)
    )


def is_time_zone(value: str) -> bool:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


# Cache and e-mail URLs: each raises ValueError saying what is wrong; envurl names the variable.


def _split(url: str, schemes: Sequence[str]) -> SplitResult:
    """The URL's parts, its scheme one of `schemes`, its port (if any) a real one, no fragment."""
    parts = urlsplit(url)
    if parts.scheme not in schemes or not url.lower().startswith(f"{parts.scheme}://"):
        raise ValueError("the scheme must be one of " + ", ".join(f"{scheme}://" for scheme in schemes))
    if parts.fragment or url.endswith("#"):
        raise ValueError("'#' starts nothing in this URL: write it %23 (in a password, for example)")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError("the port must be a number from 1 to 65535 (in a password, write / as %2F and : as %3A)")
    if parts.hostname and not is_host_name(parts.hostname):
        raise ValueError(f"{parts.hostname!r} is not a host name")
    return parts


CACHE_BACKENDS = {
    "db": "django.core.cache.backends.db.DatabaseCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def cache_from_url(url: str) -> dict:  # noqa: C901 (one branch per cache scheme)
    """A CACHES entry from db://table, locmem://[name], redis[s]://[user:password@]host[:port][/db]
    (several, comma-separated, for replicas; query options go to redis-py) or dummy://."""
    if url.lower().startswith(("redis://", "rediss://")):
        if importlib.util.find_spec("redis") is None:
            raise ValueError("a Redis cache needs the redis package (install the project's redis extra)")
        for server in re.split("[;,]", url):  # Django's RedisCache splits its LOCATION the same way
            parts = _split(server, ("redis", "rediss"))
            if not parts.hostname:
                raise ValueError(f"{hide_password(server)!r} names no host")
            if not re.fullmatch(r"/?\d*", parts.path):
                raise ValueError(f"{hide_password(server)!r}: the path is the database number, e.g. /0")
        return {"BACKEND": CACHE_BACKENDS["redis"], "LOCATION": url}
    parts = _split(url, list(CACHE_BACKENDS))
    backend = CACHE_BACKENDS[parts.scheme]
    if parts.username or parts.password or parts.port or parts.query:
        raise ValueError(f"{parts.scheme}:// takes a name only, e.g. {parts.scheme}://crm_cache")
    name = (parts.netloc + parts.path).strip("/")
    if parts.scheme == "db":
        name = name or "crm_cache"
        if not TABLE_NAME.fullmatch(name):
            raise ValueError(f"the table name {name!r} must be letters, digits and underscores")
        return {"BACKEND": backend, "LOCATION": name}
    if parts.scheme == "dummy":
        if name:
            raise ValueError("dummy:// takes no name")
        return {"BACKEND": backend}
    return {"BACKEND": backend, "LOCATION": name}


JOB_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "rediss": "django_tasks_rq.RQBackend",
}


def jobs_from_url(url: str) -> dict:
    """Where jobs wait (crm/jobs/): db:// (in the database, the default: nothing more to run but
    the worker) or redis[s]://[user:password@]host[:port][/db] (several app servers; the redis
    extra). Gives {"TASKS": …, "RQ_QUEUES": …} for the settings."""
    parts = _split(url, list(JOB_BACKENDS))
    backend = {"BACKEND": JOB_BACKENDS[parts.scheme], "QUEUES": ["default"]}
    if parts.scheme == "db":
        if parts.netloc or parts.path or parts.query:
            raise ValueError("db:// takes nothing after the scheme")
        return {"TASKS": {"default": backend}, "RQ_QUEUES": {}}
    if importlib.util.find_spec("django_tasks_rq") is None:
        raise ValueError("jobs in Redis need django-tasks-rq (install the project's redis extra)")
    if not parts.hostname:
        raise ValueError(f"{hide_password(url)!r} names no host")
    if not re.fullmatch(r"/?\d*", parts.path):
        raise ValueError(f"{hide_password(url)!r}: the path is the database number, e.g. /0")
    return {"TASKS": {"default": backend}, "RQ_QUEUES": {"default": {"URL": url}}}


EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}


def email_from_url(url: str) -> dict:
    """EMAIL_* settings from smtp://[user:password@]host[:port][?tls=1] (STARTTLS, port 25 unless
    given), smtps://… (TLS from the start, port 465 unless given), console://, memory://, dummy://."""
    parts = _split(url, list(EMAIL_BACKENDS))
    scheme = parts.scheme
    settings = {"EMAIL_BACKEND": EMAIL_BACKENDS[scheme]}
    if scheme not in ("smtp", "smtps"):
        if parts.netloc or parts.path or parts.query:
            raise ValueError(f"{scheme}:// takes nothing after the scheme")
        return settings
    if parts.path not in ("", "/"):
        raise ValueError("an SMTP URL has no path: smtp://user:password@host:587?tls=1")
    query = parse_qs(parts.query, keep_blank_values=True)
    if unknown := sorted(set(query) - {"tls"}):
        raise ValueError(f"unknown option {unknown[0]!r}: the only option is tls ({BOOLEAN_WORDS})")
    try:
        tls = boolean(query["tls"][-1]) if "tls" in query else False
    except ValueError:
        raise ValueError(f"tls={query['tls'][-1]!r}: use {BOOLEAN_WORDS}") from None
    if tls and scheme == "smtps":
        raise ValueError("smtps:// is TLS from the start; tls=1 (STARTTLS) goes with smtp://")
    settings.update(
        EMAIL_HOST=parts.hostname or "localhost",
        EMAIL_PORT=parts.port or (465 if scheme == "smtps" else 25),
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_SSL=scheme == "smtps",
        EMAIL_USE_TLS=tls,
    )
    return settings
