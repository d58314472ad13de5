"""The Django admin is a write path too: its model pages record their changes (crm.lib.changes)."""

from typing import Any

from django.contrib import admin

from crm.lib import changes


class RecordsChanges(admin.ModelAdmin):
    """Mixed into every ModelAdmin of the project whose writes reach the registers: each add,
    change (its many-to-many fields included), revert of a history entry, deletion and bulk
    deletion records its change after writing."""

    def save_model(self, request: Any, obj: Any, form: Any, change: Any) -> None:
        super().save_model(request, obj, form, change)
        changes.record()

    def save_related(self, request: Any, form: Any, formsets: Any, change: Any) -> None:
        super().save_related(request, form, formsets, change)
        changes.record()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        changes.record()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        changes.record()
