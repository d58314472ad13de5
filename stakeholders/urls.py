from django.urls import path
from django.utils.translation import gettext_lazy as _

from crm.views import area_pending

app_name = "stakeholders"

# Filled by the stakeholder-registry issue.
urlpatterns = [
    path("organizations/", area_pending, {"title": _("Organizations")}, name="organization_list"),
    path("contacts/", area_pending, {"title": _("Contacts")}, name="contact_list"),
    path("import/", area_pending, {"title": _("Import")}, name="import"),
]
