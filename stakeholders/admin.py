from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stakeholders.models import CustomsOffice, Region, Tag


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]


@admin.register(CustomsOffice)
class CustomsOfficeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["region"]


@admin.register(Tag)
class TagAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]
