import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from crm.accounts.services import is_pending
from crm.models import User


class UserTable(tables.Table):
    name = tables.Column(
        verbose_name=_("Name"),
        accessor="last_name",
        order_by=("last_name", "first_name"),
        linkify=("user_edit", {"pk": tables.A("pk")}),
    )
    email = tables.Column(verbose_name=_("E-mail"))
    role = tables.Column(verbose_name=_("Role"), accessor="role_label", orderable=False)
    status = tables.Column(verbose_name=_("Status"), empty_values=(), orderable=False)
    last_login = tables.DateTimeColumn(verbose_name=_("Last sign-in"), short=True)

    class Meta:
        model = User
        fields = ("name", "email", "role", "status", "last_login")
        attrs = {"class": "table table-hover align-middle table-stack"}
        empty_text = _("No user matches.")

    def render_name(self, record):
        return record.get_full_name() or record.email

    def render_status(self, record):
        if not record.is_active:
            return _("Deactivated")
        if is_pending(record):
            return _("Invitation sent")
        return _("Active")
