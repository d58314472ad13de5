"""Options for the type-ahead fields (htmx fills a <datalist>): a handful of matches, never all rows."""

from django.db.models import Q
from django.shortcuts import render

from crm.accounts.selectors import colleagues
from stakeholders.forms import OrganizationChoiceField
from stakeholders.models import CustomsOffice, Organization, Region, Tag

LIMIT = 15


def _typed(request) -> str:
    """The value of whichever field asked (htmx sends the input's own name)."""
    return next((value for value in request.GET.values() if value.strip()), "").strip()


def _options(request, values, labelled=()):
    return render(request, "partials/datalist_options.html", {"values": values, "labelled": labelled})


def suggest_organizations(request):
    """Matches for the last of the names typed (the quick log takes several, separated by ';'),
    each with its type and place: ten "… Acacia SARL" are told apart."""
    text = _typed(request).rpartition(";")[2].strip()
    if len(text) < 2:
        return _options(request, [])
    matches = (
        Organization.objects.filter(is_archived=False)
        .filter(Q(name__icontains=text) | Q(acronym__iexact=text) | Q(registration_number__istartswith=text))
        .select_related("region")
        .order_by("name")[:LIMIT]
    )
    return _options(request, [], [(OrganizationChoiceField.label_for(o), _describe(o)) for o in matches])


def _describe(organization: Organization) -> str:
    place = organization.city or (organization.region.name if organization.region else "")
    return " · ".join(part for part in (organization.get_type_display(), place) if part)


def suggest_tags(request):
    """Completes the last of several tags separated by ';' or ','."""
    text = _typed(request)
    separator = ";" if ";" in text or "," not in text else ","
    done, _sep, last = text.rpartition(separator)
    last = last.strip()
    if not last:
        return _options(request, [])
    prefix = f"{done}{separator} " if done else ""
    names = Tag.objects.filter(name__icontains=last).order_by("name").values_list("name", flat=True)[:LIMIT]
    return _options(request, [prefix + name for name in names])


def suggest_regions(request):
    """Every region when the field is entered (a country has a few dozen at most), then matches."""
    text = _typed(request)
    names = Region.objects.filter(name__icontains=text).order_by("name").values_list("name", flat=True)[:100]
    return _options(request, list(names))


def suggest_customs_offices(request):
    text = _typed(request)
    names = CustomsOffice.objects.filter(name__icontains=text).order_by("name").values_list("name", flat=True)[:LIMIT]
    return _options(request, list(names))


def suggest_owners(request):
    text = _typed(request)
    users = colleagues().filter(Q(email__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text))
    return _options(request, list(users.order_by("email").values_list("email", flat=True)[:LIMIT]))
