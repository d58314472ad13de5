"""Serializers of the registry: organizations, contacts and the vocabularies. Writes go through
stakeholders.services, with the rules of the forms (the same messages)."""

from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from crm.accounts.selectors import colleagues
from crm.api.fields import StrictSerializer
from stakeholders.models import Contact, CustomsOffice, Organization, Region
from stakeholders.selectors import organizations_registered_as
from stakeholders.services import contact_save, organization_save, similar_organizations, tags_from_names


def active_users():
    return colleagues()


def keeping_current_people(serializer, field: str, people) -> None:
    """On a change of one record, the people it has now (`people(record)`: their ids) stay
    acceptable in `field`, though they have left or lost their role since: the record can be sent
    back as it was read."""
    if isinstance(serializer.instance, models.Model):
        serializer.fields[field].queryset = colleagues(keeping=people(serializer.instance))


class UserEmail(serializers.SlugRelatedField):
    """A colleague, by e-mail address (any case)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", active_users())
        super().__init__(slug_field="email", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().lower() if isinstance(data, str) else data)


class TagNames(serializers.ListField):
    child = serializers.CharField(max_length=80)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance):
        return [tag.name for tag in instance.tags.all()]


class OrganizationSerializer(StrictSerializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)
    customs_office = serializers.PrimaryKeyRelatedField(
        queryset=CustomsOffice.objects.all(), allow_null=True, required=False
    )
    owner = UserEmail(allow_null=True, required=False)
    tags = TagNames(required=False, max_length=50)
    confirm_similar = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="Create or rename despite similar names."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "acronym",
            "type",
            "sector",
            "registration_number",
            "region",
            "city",
            "customs_office",
            "address",
            "email",
            "phone",
            "website",
            "size",
            "aeo_status",
            "influence",
            "interest",
            "stance",
            "preferred_language",
            "owner",
            "tags",
            "notes",
            "is_archived",
            "merged_into",
            "last_engaged_on",
            "created_at",
            "updated_at",
            "confirm_similar",
        ]
        read_only_fields = ["is_archived", "merged_into", "last_engaged_on", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keeping_current_people(self, "owner", lambda organization: [organization.owner_id])

    def validate_registration_number(self, value):
        number = " ".join(value.split())
        if number:
            clash = organizations_registered_as(number)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            clash = clash.first()
            if clash:
                raise serializers.ValidationError(
                    f"{_('This registration number is already used by')} {clash.name} (#{clash.pk})"
                )
        return number

    def validate(self, attrs):
        name = attrs.get("name")
        renamed = name is not None and (self.instance is None or name != self.instance.name)
        if renamed and not attrs.get("confirm_similar"):
            similar = similar_organizations(name, exclude_pk=self.instance.pk if self.instance else None)
            if similar:
                names = "; ".join(f"{o.name} (#{o.pk})" for o in similar)
                raise serializers.ValidationError(
                    {
                        "name": [
                            _("Similar organizations exist: %(names)s. Send confirm_similar: true to save anyway.")
                            % {"names": names}
                        ]
                    }
                )
        return attrs

    def save_organization(self, organization: Organization, attrs: dict) -> Organization:
        attrs.pop("confirm_similar", None)
        tags = attrs.pop("tags", None)
        for name, value in attrs.items():
            setattr(organization, name, value)
        return organization_save(organization=organization, tags=tags_from_names(tags) if tags is not None else None)

    def create(self, validated_data):
        validated_data.setdefault("owner", self.context["request"].user)
        return self.save_organization(Organization(), validated_data)

    def update(self, instance, validated_data):
        return self.save_organization(instance, validated_data)


class ContactSerializer(StrictSerializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "organization",
            "job_title",
            "email",
            "phone",
            "preferred_language",
            "gender",
            "consent",
            "consent_date",
            "consent_source",
            "is_key_contact",
            "is_archived",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_archived", "merged_into", "created_at", "updated_at"]

    def _save(self, contact: Contact, attrs: dict) -> Contact:
        changed = [name for name, value in attrs.items() if getattr(contact, name) != value]
        for name, value in attrs.items():
            setattr(contact, name, value)
        return contact_save(contact=contact, changed=changed, by=self.context["request"].user)

    def create(self, validated_data):
        return self._save(Contact(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name"]


class CustomsOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomsOffice
        fields = ["id", "name", "kind", "region"]


class ChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


@extend_schema_serializer(many=False)  # one object, not a list of them, though the action is "list"
class ChoiceListSerializer(serializers.Serializer):
    """A fixed vocabulary, in the shape of a list's page (it has one)."""

    next = serializers.CharField(allow_null=True)
    results = ChoiceSerializer(many=True)
