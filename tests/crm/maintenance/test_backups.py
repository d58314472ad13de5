import pytest
from django.core.management import CommandError, call_command

from crm.maintenance.backups import table_counts
from tests.factories import ContactFactory, EngagementFactory, OrganizationFactory


def test_a_backup_restored_brings_back_every_table(transactional_db, tmp_path, capsys):
    EngagementFactory(organizations=[OrganizationFactory(), OrganizationFactory()])
    ContactFactory()
    before = table_counts()
    path = tmp_path / "crm.backup"
    call_command("backup", str(path))
    assert path.stat().st_size > 0
    OrganizationFactory.create_batch(3)  # changes after the backup…
    assert table_counts() != before
    call_command("restore", str(path))  # …are undone by the restore
    assert table_counts() == before
    assert "restored from" in capsys.readouterr().out


def test_restoring_something_that_is_not_a_backup_is_refused(transactional_db, tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_bytes(b"hello, this is not a database")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing"))
