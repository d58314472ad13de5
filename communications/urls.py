from django.urls import path
from django.utils.translation import gettext_lazy as _

from crm.views import area_pending

app_name = "communications"

# Filled by the engagement-log and campaign issues.
urlpatterns = [
    path("engagements/", area_pending, {"title": _("Engagements")}, name="engagement_list"),
    path("follow-ups/", area_pending, {"title": _("Follow-ups")}, name="followup_list"),
    path("commitments/", area_pending, {"title": _("Commitments")}, name="commitment_list"),
    path("concerns/", area_pending, {"title": _("Concerns")}, name="concern_list"),
    path("campaigns/", area_pending, {"title": _("Campaigns")}, name="campaign_list"),
]
