"""The installable app's two public files: its manifest and its service worker (root scope).

Both answer without sign-in (the contract lists them) and hold nothing about anyone: the service
worker gets the names of the static files it keeps and the pages it may copy for a signed-in user;
which user, and their copies, it learns from that user's own pages (crm/static/crm/js/offline.js).
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

# What any page needs to open with no connection; kept by the service worker once, for everyone.
ASSETS = [
    "bootstrap/css/bootstrap.min.css",
    "crm/app.css",
    "crm/favicon.svg",
    "bootstrap/js/bootstrap.bundle.min.js",
    "django_htmx/htmx-2.min.js",
    "crm/js/forms.js",
    "crm/js/search.js",
    "crm/js/session.js",
    "crm/js/outbox.js",
    "crm/js/offline.js",
    "crm/js/offline-people.js",
]


def offline_pages() -> list[str]:
    """The pages that open offline: the home page, the quick log and "my follow-ups"."""
    return [
        reverse("home"),
        reverse("communications:engagement_create"),
        reverse("communications:followup_list"),
    ]


@login_not_required
@require_safe
@vary_on_headers("Accept-Language", "Cookie")
def manifest(request):
    icons = [
        {"src": static("crm/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("crm/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": static("crm/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": static("crm/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "name": _("Customs stakeholder CRM"),
        "short_name": _("Customs CRM"),
        "description": _("Log meetings and follow-ups with stakeholders, with or without a connection."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d5c",
        "lang": request.LANGUAGE_CODE,
        "icons": icons,
        "shortcuts": [{"name": _("Log an engagement"), "url": reverse("communications:engagement_create")}],
    }
    return JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_safe
@cache_control(no_cache=True)
def service_worker(request):
    """Served from the root so that its scope is the whole site; checked again on every visit
    (no-cache) so that a new release reaches every device."""
    assets = [static(path) for path in ASSETS]
    config = {"assets": assets, "pages": offline_pages(), "core": static("crm/js/sw-core.js")}
    config["version"] = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]
    body = render_to_string("offline/sw.js", {"config": json.dumps(config), "outbox": static("crm/js/outbox.js")})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
