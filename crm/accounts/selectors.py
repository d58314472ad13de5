"""Who the forms, the API and the imports offer as colleagues."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from crm.accounts.roles import Role


def colleagues(*, keeping: Iterable[int] | QuerySet = ()) -> QuerySet:
    """Active accounts holding a role (or superusers, who hold every permission without one): the
    people an engagement, a follow-up or an organization can be given to. An account without one
    (waiting for it, or whose role was taken away) can open nothing in the app, so nothing is given
    to it, and the pickers stay the size of the team however many such accounts there are.

    `keeping`: the ids of the people already on the record being changed, who stay choosable though
    they have left or lost their role since, so that the record can be saved as it was read."""
    User = get_user_model()
    holds_role = User.groups.through.objects.filter(user=OuterRef("pk"), group__name__in=Role.values)
    working = Q(Exists(holds_role)) | Q(is_superuser=True)
    return User.objects.filter((working & Q(is_active=True)) | Q(pk__in=keeping))
