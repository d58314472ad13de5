import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from crm.lib.columns import DateColumn
from stakeholders.models import Contact, Organization

# Columns hidden on narrow screens: the name and one or two key facts stay readable on a phone.
WIDE = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


class OrganizationTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=True)
    type = tables.Column(verbose_name=_("Type"))
    region = tables.Column(verbose_name=_("Region"), order_by=("region__name", "name"))
    city = tables.Column(verbose_name=_("City"), attrs=WIDE)
    aeo_status = tables.Column(verbose_name=_("AEO status"), attrs=WIDE)
    influence = tables.Column(verbose_name=_("Influence"), attrs=WIDE)
    interest = tables.Column(verbose_name=_("Interest"), attrs=WIDE)
    stance = tables.Column(verbose_name=_("Stance"), attrs=WIDE)
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__last_name", "owner__first_name"), attrs=WIDE)
    last_engaged_on = DateColumn(verbose_name=_("Last engaged"), attrs=WIDE)

    class Meta:
        model = Organization
        fields = (
            "name",
            "type",
            "region",
            "city",
            "aeo_status",
            "influence",
            "interest",
            "stance",
            "owner",
            "last_engaged_on",
        )
        attrs = {"class": "table table-hover align-middle table-stack"}
        empty_text = _("No organization matches these filters.")
        row_attrs = {"class": lambda record: "text-body-secondary" if record.is_archived else ""}


class ContactTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Name"), accessor="last_name", order_by=("last_name", "first_name"), linkify=True
    )
    organization = tables.Column(verbose_name=_("Organization"), linkify=True, order_by=("organization__name",))
    job_title = tables.Column(verbose_name=_("Job title"), attrs=WIDE)
    email = tables.EmailColumn(verbose_name=_("E-mail"), attrs=WIDE)
    phone = tables.Column(verbose_name=_("Phone"), attrs=WIDE)
    consent = tables.BooleanColumn(verbose_name=_("Consent"), yesno=(_("yes"), _("no")), attrs=WIDE)
    is_key_contact = tables.BooleanColumn(verbose_name=_("Key contact"), yesno=(_("yes"), _("no")), attrs=WIDE)

    class Meta:
        model = Contact
        fields = ("name", "organization", "job_title", "email", "phone", "consent", "is_key_contact")
        attrs = {"class": "table table-hover align-middle table-stack"}
        empty_text = _("No contact matches these filters.")

    def render_name(self, record):
        return record.full_name
