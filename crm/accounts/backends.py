"""Sign-in, and permissions from the role table in memory.

Users hold permissions through their role only (crm/accounts/roles.py; the admin offers no individual
permissions), and sync_role_permissions gives each role group exactly the permissions the table
names. So the set can be worked out from the role without Django's two permission queries on every
request: all permission names are read once per process, then filtered by the role's patterns.

RoleBackend is allauth's backend (sign-in by e-mail) and the only one that gives permissions:
listed alone (beside the object rules of `rules`), no other backend can add what a role lacks,
such as an individual permission to read referrals to Internal Affairs.
"""

from collections.abc import Callable
from functools import lru_cache

from allauth.account.auth_backends import AuthenticationBackend
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When

from crm.accounts.roles import Role, permissions_for


@lru_cache(maxsize=1)
def _all_permissions() -> tuple:
    from django.contrib.auth.models import Permission

    return tuple(Permission.objects.select_related("content_type"))


@lru_cache(maxsize=8)
def role_permissions(role: str) -> frozenset[str]:
    """'app_label.codename' for each permission `role` holds."""
    return frozenset(f"{p.content_type.app_label}.{p.codename}" for p in permissions_for(role, _all_permissions()))


def forget_permissions(**kwargs) -> None:
    """After migrate (new models, new permissions), read them again."""
    _all_permissions.cache_clear()
    role_permissions.cache_clear()


def role_of(user_ref: str = "pk") -> Subquery:
    """The name of the user's role as a subquery (the first of Role's order their groups name, as
    User.role finds it), so that reading a user and their role is one query."""
    from django.contrib.auth.models import Group

    rank = Case(*[When(name=role.value, then=Value(i)) for i, role in enumerate(Role)], output_field=IntegerField())
    return Subquery(
        Group.objects.filter(user=OuterRef(user_ref), name__in=Role.values).order_by(rank).values("name")[:1]
    )


# Figures other rooms want beside the user on every page (the header's badges): name -> a function
# giving the expression, with OuterRef("pk") for the user. Read in the user's own query, so that a page
# pays no query for them. Registered by their room's AppConfig.ready (crm/apps.py).
_USER_FIGURES: dict[str, Callable[[], object]] = {}


def read_with_user(name: str, expression: Callable[[], object]) -> None:
    """Reads `expression()` in the signed-in user's query, as the attribute `name` of the user."""
    _USER_FIGURES[name] = expression


class RoleBackend(AuthenticationBackend):
    """allauth's sign-in (and ModelBackend's is_active checks); permissions from the role."""

    def get_user(self, user_id):
        """The signed-in user, their role and the figures registered by `read_with_user`, in one
        query (every page reads the role). The role is the first of Role's order the user's groups
        name, as User.role would find it."""
        try:
            figures = {name: expression() for name, expression in _USER_FIGURES.items()}
            user = get_user_model()._default_manager.annotate(role_name=role_of(), **figures).get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        user.__dict__["role"] = user.role_name or ""  # User.role is a cached_property: filled here
        return user if self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return {f"{p.content_type.app_label}.{p.codename}" for p in _all_permissions()}
        return set(role_permissions(user_obj.role))

    # The async variants give the same answers (ModelBackend's would read the database's groups).
    async def aget_user(self, user_id):
        return await sync_to_async(self.get_user)(user_id)

    async def aget_user_permissions(self, user_obj, obj=None):
        return set()

    async def aget_group_permissions(self, user_obj, obj=None):
        return await sync_to_async(self.get_group_permissions)(user_obj, obj)

    async def aget_all_permissions(self, user_obj, obj=None):
        return await sync_to_async(self.get_all_permissions)(user_obj, obj)
