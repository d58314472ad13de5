from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from crm.lib.admin import RecordsChanges
from crm.models import User


@admin.register(User)
class UserAdmin(RecordsChanges, BaseUserAdmin):
    """Back office only; day-to-day user management is at /users/. Deleting a user here empties
    the owner of their organizations and campaigns: the registers change (RecordsChanges)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "preferred_language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_readonly_fields(self, request, obj=None):
        # Roles are given at /users/ (which keeps a record); only a superuser changes them here,
        # so an Administrator cannot grant themselves, say, the right to see referrals.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "is_staff", "groups", "last_login", "date_joined"]
