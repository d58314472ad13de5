from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.lib.admin import RecordsChanges
from stakeholders.models import CustomsOffice, Region, Tag


@admin.register(Region)
class RegionAdmin(RecordsChanges, SimpleHistoryAdmin):
    search_fields = ["name"]


@admin.register(CustomsOffice)
class CustomsOfficeAdmin(RecordsChanges, SimpleHistoryAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]


@admin.register(Tag)
class TagAdmin(RecordsChanges, SimpleHistoryAdmin):
    search_fields = ["name"]
