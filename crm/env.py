"""Tiny typed readers for settings that come from environment variables."""

import os
from urllib.parse import parse_qs, unquote, urlparse


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def cache_from_url(url: str) -> dict:
    """Django CACHES entry from a URL: db://table, locmem://, redis://host:port/db, dummy://."""
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme in {"db", "database", ""}:
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": (parsed.netloc + parsed.path).strip("/") or "crm_cache",
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parsed.netloc}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ValueError(f"CACHE_URL scheme not supported: {scheme!r}")


def email_from_url(url: str) -> dict:
    """EMAIL_* settings from a URL: smtp://user:pass@host:587?tls=1, smtps://…, console://, memory://."""
    parsed = urlparse(url)
    scheme = parsed.scheme
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if scheme not in backends:
        raise ValueError(f"EMAIL_URL scheme not supported: {scheme!r}")
    settings = {"EMAIL_BACKEND": backends[scheme]}
    if scheme.startswith("smtp"):
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        settings.update(
            EMAIL_HOST=parsed.hostname or "localhost",
            EMAIL_PORT=parsed.port or (465 if scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_USE_TLS=query.get("tls", "").lower() in {"1", "true", "yes"},
        )
    return settings
