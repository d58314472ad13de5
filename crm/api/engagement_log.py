"""Serializers of the engagement log: engagements (with their follow-ups), follow-ups, commitments,
concerns, campaigns. Writes go through communications.services (and campaigns.campaign_save), with
the rules of the forms and their messages; the acting user is the request's."""

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import serializers

from communications.campaigns import audience_filter, campaign_save
from communications.choices import CampaignStatus, Channel
from communications.forms import MAX_ORGANIZATIONS
from communications.models import Campaign, Commitment, Concern, Engagement, FollowUp, KeyFactor, Topic
from communications.services import (
    FollowUpDraft,
    commitment_save,
    concern_save,
    engagement_save,
    follow_up_update,
)
from crm.api import additions
from crm.api.fields import RecordIds, RecordKeys, StrictSerializer
from crm.api.registry import UserEmail, active_users, keeping_current_people
from stakeholders.models import Contact, CustomsOffice, Organization

MAX_FOLLOW_UPS = 20  # as the quick log's rows


class FollowUpDraftSerializer(StrictSerializer):
    owner = UserEmail()

    class Meta:
        model = FollowUp
        fields = ["id", "description", "owner", "due_on", "status", "completed_on"]
        read_only_fields = ["status", "completed_on"]


class EngagementSerializer(StrictSerializer):
    """An engagement with its follow-ups. Follow-ups are written with the engagement when it is
    logged (as the quick log does); later, each is changed at /api/v1/follow-ups/<id>/."""

    organizations = RecordIds(queryset=Organization.objects.all(), max_length=MAX_ORGANIZATIONS)
    contacts = RecordIds(queryset=Contact.objects.all(), max_length=200)
    staff = RecordKeys(queryset=active_users(), key="email", max_length=100)
    topics = RecordKeys(queryset=Topic.objects.all(), key="code", max_length=50)
    key_factors = RecordKeys(queryset=KeyFactor.objects.all(), key="code", max_length=20)
    customs_office = serializers.PrimaryKeyRelatedField(
        queryset=CustomsOffice.objects.all(), allow_null=True, required=False
    )
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), allow_null=True, required=False)
    author = serializers.SlugRelatedField(slug_field="email", read_only=True)
    follow_ups = FollowUpDraftSerializer(many=True, required=False, max_length=MAX_FOLLOW_UPS)
    # Met, but not in the registry yet (crm/api/additions.py): made with the engagement.
    new_organizations = additions.NewOrganizationSerializer(
        many=True, required=False, write_only=True, max_length=additions.MAX_NEW
    )
    new_contacts = additions.NewContactSerializer(
        many=True, required=False, write_only=True, max_length=additions.MAX_NEW * 2
    )

    class Meta:
        model = Engagement
        fields = [
            "id",
            "occurred_on",
            "kind",
            "title",
            "mode",
            "location",
            "customs_office",
            "region",
            "organizations",
            "contacts",
            "staff",
            "participants",
            "women_participants",
            "topics",
            "key_factors",
            "depth",
            "sentiment",
            "summary",
            "campaign",
            "author",
            "is_held",
            "follow_ups",
            "new_organizations",
            "new_contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["region", "is_held", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keeping_current_people(self, "staff", lambda engagement: engagement.staff.values("pk"))

    def validate_campaign(self, campaign):
        unchanged = self.instance is not None and self.instance.campaign_id == getattr(campaign, "pk", None)
        if campaign is not None and campaign.status == CampaignStatus.CANCELLED and not unchanged:
            raise serializers.ValidationError(_("This campaign was cancelled."))
        return campaign

    def validate_follow_ups(self, drafts):
        if self.instance is not None and drafts:
            raise serializers.ValidationError(
                _("Follow-ups are added when the engagement is logged; change them at /api/v1/follow-ups/.")
            )
        return drafts

    def validate(self, attrs):
        if self.instance is not None and (attrs.get("new_organizations") or attrs.get("new_contacts")):
            raise serializers.ValidationError(
                {"new_organizations": [_("Organizations and people are added by name when the engagement is logged.")]}
            )
        if self.instance is None and not attrs.get("organizations") and not attrs.get("new_organizations"):
            raise serializers.ValidationError({"organizations": [_("This field is required.")]})
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        new_organizations = additions.add_organizations(validated_data.pop("new_organizations", []), self.context)
        organizations = list(dict.fromkeys([*validated_data.get("organizations", []), *new_organizations]))
        new_contacts = additions.add_contacts(validated_data.pop("new_contacts", []), self.context, organizations)
        validated_data["organizations"] = organizations
        validated_data["contacts"] = list(dict.fromkeys([*validated_data.get("contacts", []), *new_contacts]))
        return save_engagement(Engagement(author=self.context["request"].user), validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("follow_ups", None)
        saved = save_engagement(instance, validated_data)
        # The answer shows what was saved, not the related keys joined in when the record was read.
        for field in self.fields.values():
            joined = getattr(field, "joined", None)
            if joined:
                saved.__dict__.pop(joined, None)
        return saved


RELATIONS = ["organizations", "contacts", "staff", "topics", "key_factors"]


@transaction.atomic
def save_engagement(engagement: Engagement, data: dict) -> Engagement:
    """Log an engagement, or save changes to one, through engagement_save (the quick log's service):
    the one place the API writes engagements (a wrapper adding idempotency keys or records made by
    name extends this function)."""
    related = {name: data.pop(name) for name in RELATIONS if name in data}
    for name in RELATIONS:
        if name not in related:
            related[name] = list(getattr(engagement, name).all()) if engagement.pk else []
    drafts = [FollowUpDraft(d["description"], d["owner"], d["due_on"]) for d in data.pop("follow_ups", [])]
    for name, value in data.items():
        setattr(engagement, name, value)
    return engagement_save(engagement=engagement, follow_ups=drafts, **related)


class FollowUpSerializer(StrictSerializer):
    owner = UserEmail(required=False)
    engagement = serializers.PrimaryKeyRelatedField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "engagement", "description", "owner", "due_on", "status", "completed_on", "is_overdue"]
        read_only_fields = ["completed_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keeping_current_people(self, "owner", lambda follow_up: [follow_up.owner_id])

    def update(self, instance, validated_data):
        values = {
            "description": instance.description,
            "owner": instance.owner,
            "due_on": instance.due_on,
            "status": instance.status,
        } | validated_data
        return follow_up_update(follow_up=instance, by=self.context["request"].user, **values)


class CommitmentSerializer(StrictSerializer):
    parties = RecordIds(queryset=Organization.objects.all(), max_length=MAX_ORGANIZATIONS, min_length=1, required=True)
    engagement = serializers.PrimaryKeyRelatedField(
        queryset=Engagement.objects.filter(is_removed=False), allow_null=True, required=False
    )
    author = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "type",
            "title",
            "parties",
            "engagement",
            "status",
            "signed_on",
            "valid_until",
            "review_on",
            "document_reference",
            "notes",
            "author",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        signed = attrs.get("signed_on", getattr(self.instance, "signed_on", None))
        until = attrs.get("valid_until", getattr(self.instance, "valid_until", None))
        if signed and until and until < signed:
            raise serializers.ValidationError({"valid_until": [_("Cannot end before it was signed.")]})
        return attrs

    def _save(self, commitment: Commitment, attrs: dict) -> Commitment:
        parties = attrs.pop("parties", None)
        if parties is None:
            parties = list(commitment.parties.all()) if commitment.pk else []
        for name, value in attrs.items():
            setattr(commitment, name, value)
        return commitment_save(commitment=commitment, parties=parties)

    def create(self, validated_data):
        return self._save(Commitment(author=self.context["request"].user), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class ConcernSerializer(StrictSerializer):
    """A referral to Internal Affairs shows its date, reference and organization only: no summary,
    response or topic (concern_save keeps none)."""

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    engagement = serializers.PrimaryKeyRelatedField(
        queryset=Engagement.objects.filter(is_removed=False), allow_null=True, required=False
    )
    topic = serializers.SlugRelatedField(
        slug_field="code", queryset=Topic.objects.all(), allow_null=True, required=False
    )
    author = serializers.SlugRelatedField(slug_field="email", read_only=True)
    days_to_resolve = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "organization",
            "engagement",
            "raised_on",
            "referred_to_internal_affairs",
            "referral_reference",
            "topic",
            "summary",
            "status",
            "response",
            "resolved_on",
            "days_to_resolve",
            "author",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.referred_to_internal_affairs:
            data.update(summary="", response="", topic=None)
        return data

    def validate(self, attrs):
        referred = attrs.get(
            "referred_to_internal_affairs", getattr(self.instance, "referred_to_internal_affairs", False)
        )
        summary = attrs.get("summary", getattr(self.instance, "summary", ""))
        if not referred and not summary:
            raise serializers.ValidationError({"summary": [_("Say what was raised (or tick the referral box).")]})
        return attrs

    def _save(self, concern: Concern, attrs: dict) -> Concern:
        for name, value in attrs.items():
            setattr(concern, name, value)
        return concern_save(concern=concern)

    def create(self, validated_data):
        return self._save(Concern(author=self.context["request"].user), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class CampaignSerializer(StrictSerializer):
    owner = UserEmail(allow_null=True, required=False)
    key_factors = RecordKeys(queryset=KeyFactor.objects.all(), key="code", max_length=20)
    channels = serializers.ListField(
        source="channel_codes",
        child=serializers.ChoiceField(choices=Channel.choices),
        required=False,
        max_length=len(Channel.choices),
    )
    audience = serializers.CharField(
        source="audience_query",
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="The organizations list's filters as a query string, e.g. type=customs_broker&region=Kayes.",
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "status",
            "objective",
            "key_messages",
            "starts_on",
            "ends_on",
            "owner",
            "key_factors",
            "channels",
            "audience",
            "audience_kept_on",
            "target_reached",
            "target_events",
            "target_commitments",
            "created_at",
        ]
        read_only_fields = ["audience_kept_on", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keeping_current_people(self, "owner", lambda campaign: [campaign.owner_id])

    def validate_audience(self, value):
        filterset = audience_filter(value)
        if not filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            raise serializers.ValidationError(_("Correct the audience filters.") + f" {problems}")
        return value

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": [_("The campaign cannot end before it starts.")]})
        return attrs

    def _save(self, campaign: Campaign, attrs: dict) -> Campaign:
        key_factors = attrs.pop("key_factors", None)
        if key_factors is None:
            key_factors = list(campaign.key_factors.all()) if campaign.pk else []
        channels = attrs.pop("channel_codes", None)
        if channels is None:
            channels = campaign.channel_codes
        for name, value in attrs.items():
            setattr(campaign, name, value)
        return campaign_save(campaign=campaign, key_factors=key_factors, channels=channels)

    def create(self, validated_data):
        validated_data.setdefault("owner", self.context["request"].user)
        return self._save(Campaign(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["id", "code", "name", "name_fr"]


class KeyFactorSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_code_display", read_only=True)

    class Meta:
        model = KeyFactor
        fields = ["id", "code", "label"]
