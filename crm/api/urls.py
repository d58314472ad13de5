"""/api/v1/ (the resources), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI, and Redoc beside it)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from crm.api import views


class Router(DefaultRouter):
    include_format_suffixes = False


router = Router(use_regex_path=False)
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("engagements", views.EngagementViewSet, basename="engagement")
router.register("follow-ups", views.FollowUpViewSet, basename="follow-up")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("concerns", views.ConcernViewSet, basename="concern")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("regions", views.RegionViewSet, basename="region")
router.register("customs-offices", views.CustomsOfficeViewSet, basename="customs-office")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("key-factors", views.KeyFactorViewSet, basename="key-factor")
router.register("types", views.OrganizationTypeViewSet, basename="type")
router.register("sectors", views.SectorViewSet, basename="sector")

# The documentation's pages run the scripts of drf-spectacular-sidecar, served from here. Swagger UI
# is the split view (its start-up script is a file, not inline). Both libraries style their
# elements from script, which the policy cannot otherwise allow: inline styles are allowed on these two pages
# only, and Redoc's search runs in a worker made from a blob.
DOCS_CSP = {"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}

app_name = "api"

urlpatterns = [
    path("v1/offline/", include("crm.offline.urls")),  # crm/offline/api.py
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        csp_replace(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("docs/redoc/", csp_replace(DOCS_CSP)(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
]
