"""The median time to resolve a concern is counted by the database as days per concern, grouped; the
median is then read from those counts."""

import statistics
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from crm.dashboard.selectors import median_of_counts


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_the_median_of_counts_is_the_median_of_the_values(values):
    assert median_of_counts(Counter(values).items()) == statistics.median(values)


def test_no_value_has_no_median():
    assert median_of_counts([]) is None
    assert median_of_counts([(3, 0)]) is None


def test_the_two_middle_values_are_averaged():
    assert median_of_counts([(10, 1), (2, 1)]) == 6
    assert median_of_counts([(1, 2), (9, 2)]) == 5
    assert median_of_counts([(4, 3), (100, 1)]) == 4
