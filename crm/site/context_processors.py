from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import Role

# Each entry: (label, url name or a list of (url name, label) for a menu, roles allowed or None for all).
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Dashboard"), "dashboard", None),
    (
        _("Stakeholders"),
        [
            ("stakeholders:organization_list", _("Organizations")),
            ("stakeholders:contact_list", _("Contacts")),
            ("stakeholders:import", _("Import a spreadsheet")),
        ],
        None,
    ),
    (
        _("Engagements"),
        [
            ("communications:engagement_list", _("Engagements")),
            ("communications:followup_list", _("Follow-ups")),
            ("communications:commitment_list", _("Commitments")),
            ("communications:concern_list", _("Concerns")),
        ],
        None,
    ),
    (_("Campaigns"), "communications:campaign_list", None),
    (
        _("Administration"),
        [
            ("user_list", _("Users")),
            ("jobs", _("Background jobs")),
            ("webhooks:endpoint_list", _("Webhooks")),
        ],
        (Role.ADMINISTRATOR,),
    ),
]


def _is_active(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def navigation(request):
    """The main menu for the signed-in user, with the current area marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for label, target, roles in NAVIGATION:
        if roles is not None and user.role not in roles:
            continue
        if isinstance(target, str):
            url = reverse(target)
            items.append({"label": label, "url": url, "active": _is_active(request.path, url)})
            continue
        children = [
            {"label": child_label, "url": (url := reverse(name)), "active": _is_active(request.path, url)}
            for name, child_label in target
        ]
        items.append(
            {
                "label": label,
                "url": children[0]["url"],
                "children": children,
                "active": any(child["active"] for child in children),
            }
        )
    return {"navigation": items}
