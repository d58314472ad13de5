"""Whose things a browser keeps: each signed-in user has an opaque key that names their outbox, their
cached pages and their copy of the pickers' records in the browser (crm/static/crm/js/outbox.js).

It is derived from the user's id with the site's secret, so that one user cannot name another's
storage, and it never says who the user is."""

from django.utils.crypto import salted_hmac


def offline_key(user) -> str:
    return salted_hmac("crm.offline.key", str(user.pk), algorithm="sha256").hexdigest()[:24]
