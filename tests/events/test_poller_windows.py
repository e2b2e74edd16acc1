"""The poller reads each stretch of event time once, however many test clocks point at it.

A test-mode account can hold many test clocks; each poll reads, per clock, the events
created in the window its frozen time moved through. Windows that overlap or touch
are read as one list, so the cost follows the distinct stretches of time, not the
number of clocks, and no event outside the given windows is read.
"""

from __future__ import annotations

from services.payments.poller import Window, _union


def test_overlapping_and_touching_windows_are_read_as_one() -> None:
    clocks = [Window(1_000, 1_300), Window(1_200, 1_500), Window(1_501, 1_600)]
    assert _union(clocks) == [Window(1_000, 1_600)]


def test_windows_apart_stay_apart_oldest_first() -> None:
    assert _union([Window(5_000, 5_300), Window(1_000, 1_300)]) == [
        Window(1_000, 1_300), Window(5_000, 5_300)]


def test_a_window_inside_another_adds_nothing() -> None:
    assert _union([Window(1_000, 9_000), Window(2_000, 2_300)]) == [Window(1_000, 9_000)]


def test_the_open_cursor_window_swallows_the_clocks_frozen_after_it() -> None:
    cursor = Window(10_000, None)  # every event since the cursor
    clocks = [Window(9_800, 10_100), Window(20_000, 20_300), Window(1_000, 1_300)]
    assert _union([cursor, *clocks]) == [Window(1_000, 1_300), Window(9_800, None)]


def test_a_clock_read_from_its_beginning_joins_what_it_reaches() -> None:
    assert _union([Window(None, 1_300), Window(1_200, 2_000), Window(3_000, None)]) == [
        Window(None, 2_000), Window(3_000, None)]
    assert _union([Window(None, 1_300), Window(1_301, None)]) == [None]


def test_no_window_at_all_reads_every_event() -> None:
    assert _union([None, Window(1_000, 1_300)]) == [None]
    assert _union([]) == []
