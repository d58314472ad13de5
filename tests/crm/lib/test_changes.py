"""The mark of the last commit that wrote to the registers (crm/lib/changes.py): it moves once per
transaction that recorded a change, when it commits; at once outside a transaction; never for what
was rolled back. Real commits here (transactional_db), savepoints included."""

import weakref

import pytest
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from communications.surveys import import_survey
from crm.lib import changes
from stakeholders.models import Organization
from stakeholders.services import organization_save
from tests.factories import EngagementFactory, OrganizationFactory

PROJECT = ("crm", "stakeholders", "communications")


def _receivers(signal):
    """The functions connected to a signal (Django keeps weak references to most)."""
    for _key, receiver, *_rest in signal.receivers:
        if isinstance(receiver, weakref.ReferenceType):
            receiver = receiver()
        if receiver is not None:
            yield receiver


@pytest.fixture
def moves(transactional_db, monkeypatch):
    """The marks written, in order."""
    written = []
    cache_set = changes.cache.set

    def spy(key, value, *args, **kwargs):
        if key == changes.MARK:
            written.append(value)
        return cache_set(key, value, *args, **kwargs)

    monkeypatch.setattr(changes.cache, "set", spy)
    return written


def test_outside_a_transaction_the_mark_moves_at_once(moves):
    before = changes.mark()
    changes.record()
    assert len(moves) == 1
    assert changes.mark() == moves[0] != before
    changes.record()
    assert len(moves) == 2
    assert changes.mark() == moves[1] != moves[0]


def test_a_transaction_moves_it_once_when_it_commits(moves):
    before = changes.mark()
    with transaction.atomic():
        for _ in range(5):
            changes.record()
        with transaction.atomic():  # a savepoint that is kept
            changes.record()
        assert moves == []
        assert changes.mark() == before
    assert len(moves) == 1
    assert changes.mark() != before
    with transaction.atomic():
        changes.record()
    assert len(moves) == 2  # the next transaction moves it again


def test_several_writers_in_one_transaction_move_it_once(moves):
    with transaction.atomic():
        for n in range(3):
            organization_save(organization=Organization(name=f"Transit {n}", type="bank"))
        survey = b"wave,year,respondent_group,key_factor,score,respondents\nW1,2026,b,transparency,61,12\n"
        assert not import_survey(survey, "s.csv").problems
    assert len(moves) == 1


def test_a_transaction_rolled_back_leaves_it_and_the_next_one_moves_it(moves):
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 (the change and the rollback are the point)
        changes.record()
        raise RuntimeError
    assert moves == []
    with transaction.atomic():
        changes.record()
    assert len(moves) == 1


def test_a_savepoint_rolled_back_takes_its_change_with_it(moves):
    with transaction.atomic(), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 (the change and the rollback are the point)
        changes.record()
        raise RuntimeError
    assert moves == []  # what it recorded was undone with it


def test_a_change_recorded_after_a_savepoint_rolled_back_still_moves_it(moves):
    """The case a flag set when the callback was queued would get wrong: the callback queued in the
    savepoint is gone, the change recorded after it must queue its own."""
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 (the change and the rollback are the point)  # noqa: PT012 (the change and the rollback are the point)
            changes.record()
            raise RuntimeError
        changes.record()
    assert len(moves) == 1


def test_a_change_recorded_before_a_savepoint_rolled_back_still_moves_it(moves):
    with transaction.atomic():
        changes.record()
        with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 (the change and the rollback are the point)  # noqa: PT012 (the change and the rollback are the point)
            changes.record()
            raise RuntimeError
    assert len(moves) == 1


def test_a_cache_that_cannot_be_written_never_fails_the_write(transactional_db, monkeypatch, caplog):
    """As during `migrate`, before `createcachetable`: the write is kept, the failure logged."""

    def broken(*args, **kwargs):
        raise RuntimeError("no such table: crm_cache")

    monkeypatch.setattr(changes.cache, "set", broken)
    organization_save(organization=Organization(name="Written anyway", type="bank"))
    assert Organization.objects.filter(name="Written anyway").exists()
    assert "no such table: crm_cache" in caplog.text


def test_no_model_signal_tracks_changes_behind_the_writers_back(moves):
    """Writes say what they changed themselves: the project connects nothing to the model signals
    (django-simple-history's own receivers write the history), and a model saved directly, as the
    test factories do, records nothing."""
    for signal in (pre_save, post_save, pre_delete, post_delete, m2m_changed):
        for receiver in _receivers(signal):
            module = getattr(receiver, "__module__", None) or ""
            assert module.split(".")[0] not in PROJECT, f"{module}.{receiver.__qualname__} receives {signal}"
    EngagementFactory(organizations=[OrganizationFactory()])
    assert moves == []
