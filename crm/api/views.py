"""The API's resources: reads through the apps' selectors and filters (the list pages' own), writes
through their services (by the serializers), permissions from the role and the object rules."""

from urllib.parse import urlencode

from django.db.models import F, OuterRef, Prefetch, ProtectedError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from communications import exports as log_exports
from communications.filters import CampaignFilter, CommitmentFilter, ConcernFilter, EngagementFilter, FollowUpFilter
from communications.models import Campaign, FollowUp, KeyFactor, Topic
from communications.selectors import commitment_list, concern_list, engagement_list, follow_up_list
from communications.services import engagement_remove
from crm.api import engagement_log, registry
from crm.api.authentication import HasRole
from crm.api.idempotency import IdempotentCreate
from crm.api.rows import JsonRows
from crm.api.schema import annotate_filters
from crm.api.walk_log import walk_page_logged
from crm.lib.garbage import collection_paused
from crm.lib.json_sql import JsonColumn, JsonList
from stakeholders.choices import OrganizationType, Sector
from stakeholders.exports import CONTACTS, ORGANIZATIONS
from stakeholders.filters import ContactFilter, OrganizationFilter
from stakeholders.models import CustomsOffice, Region
from stakeholders.selectors import contact_list, organization_list
from stakeholders.services import contact_delete, organization_delete

# The schema's word for a filter drf-spectacular cannot guess (a topic, by its code): said here, so
# that the app's filter stays free of the API.
extend_schema_field(OpenApiTypes.STR)(EngagementFilter.base_filters["topic"])
for _filterset in (
    OrganizationFilter,
    ContactFilter,
    EngagementFilter,
    FollowUpFilter,
    CommitmentFilter,
    ConcernFilter,
):
    annotate_filters(_filterset)

# Query parameters that change neither which rows a walk reads nor how many (left out of the log).
NOT_FILTERS = {"cursor", "page_size", "ordering"}


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT


class RolePermissions(permissions.DjangoModelPermissions):
    """What the role holds on the model (crm/accounts/roles.py): view to read, add, change, delete;
    then, for writes to one record, the object rule the pages apply (communications/rules.py)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_object_permission(self, request, view, obj):
        rule = getattr(view, "object_rule", None)
        if request.method in permissions.SAFE_METHODS or rule is None:
            return True
        return request.user.has_perm(rule, obj)


class Resource(viewsets.GenericViewSet):
    """A list (filters, ordering, cursor) and its records. A walk through a list is recorded once in
    the export log, made at its first page (no cursor yet) with its filters, and counting the rows
    of each page sent (crm/api/walk_log.py)."""

    permission_classes = [HasRole, RolePermissions]
    lookup_value_converter = "int"
    dataset = None  # crm.lib.exports.Dataset: the export log's name for this list
    object_rule: str | None = None

    def get_object(self):
        # A record is found among those the user may see (the selector's scope: else 404), whatever
        # the list's default filters (active organizations, one's own open follow-ups…).
        record = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, record)
        return record

    def list(self, request, *args, **kwargs):
        with collection_paused():  # thousands of rows that live until the page is written (crm/lib/garbage.py)
            queryset = self.filter_queryset(self.list_queryset())
            page = self.paginate_queryset(queryset)
            if self.dataset is not None:
                filters = [(k, v) for k, values in request.query_params.lists() if k not in NOT_FILTERS for v in values]
                self.paginator.log_entry = walk_page_logged(
                    user=request.user,
                    dataset=self.dataset.name,
                    filters=urlencode(filters),
                    rows=len(page),
                    entry_id=self.paginator.log_entry,
                )
            return self.get_paginated_response(self.represent(page))

    def list_queryset(self):
        """The rows of a list page (the records by default)."""
        return self.get_queryset()

    def represent(self, page: list) -> list:
        return self.get_serializer(page, many=True).data


# Records made (safe to retry under an Idempotency-Key: crm/api/idempotency.py), read and changed.
class Writable(IdempotentCreate, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, Resource):
    pass


class OrganizationViewSet(mixins.DestroyModelMixin, Writable):
    """Organizations. Deleting needs the permission to delete (administrators) and an organization
    nothing refers to: no contacts, engagements, commitments or concerns (else 409: archive or merge it)."""

    serializer_class = registry.OrganizationSerializer
    filterset_class = OrganizationFilter
    dataset = ORGANIZATIONS
    ordering = ["name"]
    ordering_fields = ["name", "created_at", "updated_at", "last_engaged_on", "influence", "interest", "id"]

    def get_queryset(self):
        return organization_list(user=self.request.user).prefetch_related("tags")

    def perform_destroy(self, instance):
        if instance.contacts.exists():
            raise Conflict(_("Move or delete its contacts first, or merge it into another organization."))
        try:
            organization_delete(organization=instance)
        except ProtectedError:
            raise Conflict(
                _(
                    "Other records refer to this organization (engagements, commitments or concerns): archive it, or merge it into another, instead."
                )
            ) from None


class ContactViewSet(mixins.DestroyModelMixin, Writable):
    serializer_class = registry.ContactSerializer
    filterset_class = ContactFilter
    dataset = CONTACTS
    ordering = ["last_name", "first_name"]
    ordering_fields = ["last_name", "first_name", "created_at", "updated_at", "id"]

    def get_queryset(self):
        return contact_list(user=self.request.user)

    def perform_destroy(self, instance):
        contact_delete(contact=instance)


def _keys(column: str) -> JsonColumn:
    """An engagement's related records by id, code or e-mail address, in the order the serializer
    writes them (ascending, by code point): kept by the database with the engagement
    (communications/kept_links.py), one row read instead of a look-up per list."""
    return JsonColumn(F(f"links__{column}"))


FOLLOW_UP_ROWS = JsonRows(engagement_log.FollowUpDraftSerializer, values={"owner": F("owner__email")})
ENGAGEMENT_ROWS = JsonRows(
    engagement_log.EngagementSerializer,
    values={
        "customs_office": F("customs_office_id"),
        "region": F("region_id"),
        "organizations": _keys("organization_ids"),
        "contacts": _keys("contact_ids"),
        "staff": _keys("staff_emails"),
        "topics": _keys("topic_codes"),
        "key_factors": _keys("key_factor_codes"),
        "campaign": F("campaign_id"),
        "author": F("author__email"),
        "follow_ups": JsonList(
            FollowUp.objects.filter(engagement=OuterRef("pk"))
            .order_by("due_on", "pk")
            .values(json_value=FOLLOW_UP_ROWS.object()),
            objects=True,
        ),
    },
    cursor=("occurred_on", "created_at", "updated_at", "title", "id"),
)


class EngagementViewSet(mixins.DestroyModelMixin, Writable):
    """Engagements with their follow-ups. DELETE removes one (managers): hidden everywhere, kept in
    the history, as the page's Remove button does. A list page is one query whose rows the database
    writes as JSON, related keys and follow-ups included (crm/api/rows.py)."""

    serializer_class = engagement_log.EngagementSerializer
    filterset_class = EngagementFilter
    dataset = log_exports.ENGAGEMENTS
    object_rule = "communications.edit_engagement"
    ordering = ["-occurred_on"]
    ordering_fields = list(ENGAGEMENT_ROWS.cursor)

    def get_queryset(self):
        return engagement_list(user=self.request.user).prefetch_related(
            "organizations",
            "contacts",
            "staff",
            "topics",
            "key_factors",
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner").order_by("due_on", "pk")),
        )

    def list_queryset(self):
        return engagement_list(user=self.request.user).values_list(*ENGAGEMENT_ROWS.columns())

    def represent(self, page: list) -> list:
        return ENGAGEMENT_ROWS.write(page)

    def cursor_value(self, row: tuple, field: str):
        return ENGAGEMENT_ROWS.value(row, field)

    def perform_destroy(self, instance):
        engagement_remove(engagement=instance)


class FollowUpViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, Resource):
    """Follow-ups, the user's own open ones unless the filters say otherwise (as the list page).
    They are made with their engagement; the owner, the engagement's author and managers change them."""

    serializer_class = engagement_log.FollowUpSerializer
    filterset_class = FollowUpFilter
    dataset = log_exports.FOLLOW_UPS
    object_rule = "communications.edit_follow_up"
    ordering = ["due_on"]
    ordering_fields = ["due_on", "created_at", "id"]

    def get_queryset(self):
        return follow_up_list(user=self.request.user)


class CommitmentViewSet(Writable):
    serializer_class = engagement_log.CommitmentSerializer
    filterset_class = CommitmentFilter
    dataset = log_exports.COMMITMENTS
    object_rule = "communications.edit_commitment"
    ordering = ["-signed_on"]
    ordering_fields = ["signed_on", "valid_until", "review_on", "created_at", "title", "id"]

    def get_queryset(self):
        return commitment_list(user=self.request.user).prefetch_related("parties")


class ConcernViewSet(Writable):
    """Concerns, referrals to Internal Affairs included only for their author and those allowed
    (concern_list), and never with a narrative."""

    serializer_class = engagement_log.ConcernSerializer
    filterset_class = ConcernFilter
    dataset = log_exports.CONCERNS
    object_rule = "communications.edit_concern"
    ordering = ["-raised_on"]
    ordering_fields = ["raised_on", "resolved_on", "created_at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks without a user
            return concern_list(user=None).none()
        return concern_list(user=self.request.user)


class CampaignViewSet(Writable):
    """Campaigns: every role reads them; managers plan them (add and change permissions)."""

    serializer_class = engagement_log.CampaignSerializer
    filterset_class = CampaignFilter
    dataset = log_exports.CAMPAIGNS
    ordering = ["-starts_on", "name"]
    ordering_fields = ["starts_on", "ends_on", "name", "created_at", "id"]

    def get_queryset(self):
        return Campaign.objects.select_related("owner").prefetch_related("key_factors")


class Vocabulary(mixins.RetrieveModelMixin, Resource):
    """A managed list, read by every role (changed in the back office)."""

    permission_classes = [HasRole]
    ordering = ["name"]
    ordering_fields = ["name", "id"]


class RegionViewSet(Vocabulary):
    serializer_class = registry.RegionSerializer
    queryset = Region.objects.all()


class CustomsOfficeViewSet(Vocabulary):
    serializer_class = registry.CustomsOfficeSerializer
    queryset = CustomsOffice.objects.all()


class TopicViewSet(Vocabulary):
    serializer_class = engagement_log.TopicSerializer
    queryset = Topic.objects.all()


class KeyFactorViewSet(Vocabulary):
    serializer_class = engagement_log.KeyFactorSerializer
    queryset = KeyFactor.objects.all()
    ordering = ["id"]
    ordering_fields = ["code", "id"]


class Choices(viewsets.ViewSet):
    """Codes and their labels in the request's language (a fixed list: no paging)."""

    permission_classes = [HasRole]
    choices: list = []
    serializer_class = registry.ChoiceSerializer

    @extend_schema(responses=registry.ChoiceListSerializer)
    def list(self, request):
        rows = [{"code": code, "label": str(label)} for code, label in self.choices]
        return Response({"next": None, "results": registry.ChoiceSerializer(rows, many=True).data})


class OrganizationTypeViewSet(Choices):
    choices = OrganizationType.choices


class SectorViewSet(Choices):
    choices = Sector.choices
