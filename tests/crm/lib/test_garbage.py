"""The cycle collector held off while a page is built, and running again after."""

import gc

import pytest

from crm.lib.garbage import collection_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


class PageFailed(Exception):
    pass


def fail_while_paused():
    with collection_paused():
        assert not gc.isenabled()
        raise PageFailed


def test_the_collector_runs_again_after_a_pause_even_a_failed_one():
    with pytest.raises(PageFailed):
        fail_while_paused()
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outermost():
    with collection_paused():
        with collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
