"""Organizations and people met, added by name with the engagement that met them: the API's quick
log. Offline, a client has no ids for what its user added in the field; it sends them by name in
the same request, and they are made in the engagement's transaction (all or nothing).

An organization named as the registry already knows it is the one meant (as the quick log resolves a
typed name); a person whose e-mail address an active contact has is that contact. Anything new goes
through the registry's own serializers (crm/api/registry.py): the same rules and messages as a
create of its own, the messages under `new_organizations.<n>.<field>` / `new_contacts.<n>.<field>`.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers

from communications.forms import resolve_organization
from crm.api.errors import flatten
from crm.api.registry import ContactSerializer, OrganizationSerializer
from stakeholders.models import Contact, Organization
from stakeholders.normalize import name_key

MAX_NEW = 10


class NewOrganizationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    type = serializers.CharField(max_length=30, required=False)
    registration_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    region = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    confirm_similar = serializers.BooleanField(required=False)


class NewContactSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100)
    organization = serializers.CharField(
        max_length=200,
        required=False,
        help_text="The id of an organization met, or the name of one in new_organizations.",
    )
    job_title = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


def _made(serializer_class, data: dict, context: dict, where: str):
    record = serializer_class(data=data, context=context)
    if not record.is_valid():
        raise exceptions.ValidationError(
            {f"{where}.{field}": messages for field, messages in flatten(record.errors).items()}
        )
    return record.save()


def add_organizations(items: list[dict], context: dict) -> list[Organization]:
    user = context["request"].user
    if items and not user.has_perm("stakeholders.add_organization"):
        raise exceptions.PermissionDenied(_("Your role may not add organizations."))
    added = []
    for index, item in enumerate(items):
        known = resolve_organization(item["name"])
        added.append(known or _made(OrganizationSerializer, dict(item), context, f"new_organizations.{index}"))
    return added


def add_contacts(items: list[dict], context: dict, organizations: list[Organization]) -> list[Contact]:
    user = context["request"].user
    if items and not user.has_perm("stakeholders.add_contact"):
        raise exceptions.PermissionDenied(_("Your role may not add contacts."))
    by_name = {name_key(organization.name): organization for organization in organizations}
    added = []
    for index, item in enumerate(items):
        data, where = dict(item), f"new_contacts.{index}"
        named = data.get("organization", "")
        if named.isdigit():
            data["organization"] = int(named)  # an id, as the contact's own serializer takes it
        elif named:
            if name_key(named) not in by_name:
                raise exceptions.ValidationError(
                    {f"{where}.organization": [_("Give the id of an organization met, or the name of a new one.")]}
                )
            data["organization"] = by_name[name_key(named)].pk
        email = (data.get("email") or "").strip()
        known = Contact.objects.filter(email__iexact=email, is_archived=False).first() if email else None
        added.append(known or _made(ContactSerializer, data, context, where))
    return added
