"""Who the forms, the API and the imports offer as colleagues."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from crm.accounts.roles import Role


def colleagues() -> QuerySet:
    """Active accounts holding a role: the people an engagement, a follow-up or an organization can
    be given to. An account without one (waiting for it, or whose role was taken away) can open
    nothing in the app, so nothing is given to it, and the pickers stay the size of the team however
    many such accounts there are."""
    User = get_user_model()
    holds_role = User.groups.through.objects.filter(user=OuterRef("pk"), group__name__in=Role.values)
    return User.objects.filter(Exists(holds_role), is_active=True)
