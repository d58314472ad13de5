from django.core.management import call_command

from crm.models import ExportLog
from tests.factories import OrganizationFactory


def test_exports_are_logged_and_managers_read_the_log(client, officer, manager, capsys):
    OrganizationFactory.create_batch(3, type="bank")
    OrganizationFactory(type="media")
    client.force_login(officer)
    b"".join(client.get("/stakeholders/organizations/?type=bank&_export=csv").streaming_content)
    call_command("export", "organizations")
    capsys.readouterr()
    first, second = ExportLog.objects.order_by("pk")
    assert (first.user, first.dataset, first.format, first.rows, first.filters) == (
        officer,
        "organizations",
        "csv",
        3,
        "type=bank",
    )
    assert second.user is None and second.rows == 4
    assert client.get("/exports/").status_code == 403  # officers do not read the log
    client.force_login(manager)
    body = client.get("/exports/").content.decode()
    assert "type=bank" in body and str(officer) in body
