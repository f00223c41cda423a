"""Deadline arithmetic: calendar days in Paris time across DST changes and month ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gltd.cctv.requisitions import add_local_days, camera_deadline, pseudonymise_reference

PARIS = ZoneInfo("Europe/Paris")


def test_across_spring_change_last_sunday_of_march_2018() -> None:
    # 20 March 2018 10:00 CET (09:00 UTC) + 15 days = 4 April 10:00 CEST (08:00 UTC):
    # the clocks went forward on Sunday 25 March, so only 14 days 23 hours elapse.
    start = datetime(2018, 3, 20, 10, 0, tzinfo=PARIS)
    d = camera_deadline(start, 15)
    assert d == datetime(2018, 4, 4, 8, 0, tzinfo=UTC)
    assert d.astimezone(PARIS).hour == 10
    assert d - start == timedelta(days=14, hours=23)


def test_across_autumn_change_last_sunday_of_october_2018() -> None:
    # 20 October 2018 10:00 CEST (08:00 UTC) + 15 days = 4 November 10:00 CET (09:00 UTC):
    # the clocks went back on Sunday 28 October, 15 days 1 hour elapse.
    start = datetime(2018, 10, 20, 10, 0, tzinfo=PARIS)
    d = camera_deadline(start, 15)
    assert d == datetime(2018, 11, 4, 9, 0, tzinfo=UTC)
    assert d - start == timedelta(days=15, hours=1)


def test_month_ends_and_leap_years() -> None:
    # 31 January 22:00 + 30 days: 2 March in 2018 (28-day February), 1 March in 2020.
    assert add_local_days(datetime(2018, 1, 31, 22, 0, tzinfo=PARIS), 30) == datetime(
        2018, 3, 2, 22, 0, tzinfo=PARIS
    )
    assert add_local_days(datetime(2020, 1, 31, 22, 0, tzinfo=PARIS), 30) == datetime(
        2020, 3, 1, 22, 0, tzinfo=PARIS
    )
    # 30 April 23:30 + 1 day = 1 May 23:30 (the local day, not the UTC one: 21:30 UTC).
    d = add_local_days(datetime(2018, 4, 30, 23, 30, tzinfo=PARIS), 1)
    assert d == datetime(2018, 5, 1, 21, 30, tzinfo=UTC)
    # New Year: 31 December 2018 12:00 + 1 day.
    assert add_local_days(datetime(2018, 12, 31, 12, tzinfo=PARIS), 1) == datetime(
        2019, 1, 1, 11, tzinfo=UTC
    )


def test_local_time_in_the_spring_gap_takes_the_earlier_instant() -> None:
    # 10 March 2018 02:30 CET + 15 days = 25 March 02:30, which does not exist (clocks
    # jump from 02:00 to 03:00). Both readings: 01:30 UTC (+01:00) and 00:30 UTC (+02:00);
    # the earlier one is kept.
    d = add_local_days(datetime(2018, 3, 10, 2, 30, tzinfo=PARIS), 15)
    assert d == datetime(2018, 3, 25, 0, 30, tzinfo=UTC)


def test_repeated_autumn_hour_takes_the_first_occurrence() -> None:
    # 13 October 2018 02:30 CEST + 15 days = 28 October 02:30, which happens twice
    # (00:30 UTC in CEST, 01:30 UTC in CET): the first one.
    d = add_local_days(datetime(2018, 10, 13, 2, 30, tzinfo=PARIS), 15)
    assert d == datetime(2018, 10, 28, 0, 30, tzinfo=UTC)


def test_input_in_utc_gives_the_same_instant_as_local() -> None:
    a = add_local_days(datetime(2018, 3, 20, 9, 0, tzinfo=UTC), 15)
    b = add_local_days(datetime(2018, 3, 20, 10, 0, tzinfo=PARIS), 15)
    assert a == b


def test_naive_times_are_refused() -> None:
    with pytest.raises(Exception, match="fuseau"):
        add_local_days(datetime(2018, 3, 20, 10, 0), 15)


def test_pseudonymised_reference_is_keyed_and_normalised() -> None:
    a = pseudonymise_reference("2018/00123", "k1")
    assert a == pseudonymise_reference(" 2018 / 00123 ", "k1")
    assert a != pseudonymise_reference("2018/00123", "k2")
    assert "00123" not in a and a.startswith("h1:") and len(a) == 3 + 64
    # RFC 4231-style check with Python's hmac on the normalised text.
    import hashlib
    import hmac

    assert a[3:] == hmac.new(b"k1", b"2018/00123", hashlib.sha256).hexdigest()
