"""What every signed-in page tells the offline code (crm/static/crm/js/offline.js): whose page it is."""

from crm.offline.keys import offline_key


def offline(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"offline_user": offline_key(user)}
