"""Business-hours maths: weekends, holidays, time zones, DST, and properties for any input."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relaydesk.sla.calendar import ROUND_THE_CLOCK, Schedule

UTC = dt.UTC
NINE_TO_FIVE = {d: [(9 * 60, 17 * 60)] for d in range(5)}
BERLIN = Schedule.build("Europe/Berlin", NINE_TO_FIVE)
H = dt.timedelta(hours=1)


def local(tz, *args):
    return dt.datetime(*args, tzinfo=ZoneInfo(tz))


def test_adds_across_the_weekend():
    friday_4pm = local("Europe/Berlin", 2025, 3, 7, 16)
    assert BERLIN.add(friday_4pm, 2 * H) == local("Europe/Berlin", 2025, 3, 10, 10)


def test_before_opening_starts_at_opening():
    monday_6am = local("Europe/Berlin", 2025, 3, 10, 6)
    assert BERLIN.add(monday_6am, H) == local("Europe/Berlin", 2025, 3, 10, 10)


def test_custom_holiday_is_skipped():
    cal = Schedule.build("Europe/Berlin", NINE_TO_FIVE, holiday_dates=[dt.date(2025, 3, 10)])
    friday_4pm = local("Europe/Berlin", 2025, 3, 7, 16)
    assert cal.add(friday_4pm, 2 * H) == local("Europe/Berlin", 2025, 3, 11, 10)


def test_country_holidays_from_the_holidays_package():
    cal = Schedule.build("Europe/Berlin", NINE_TO_FIVE, country="DE")
    # 2025-12-24 is a Wednesday; 25 and 26 December are public holidays in Germany.
    start = local("Europe/Berlin", 2025, 12, 24, 16)
    assert cal.add(start, 2 * H) == local("Europe/Berlin", 2025, 12, 29, 10)


def test_same_hours_in_different_time_zones_differ_in_utc():
    tokyo = Schedule.build("Asia/Tokyo", NINE_TO_FIVE)
    start = dt.datetime(2025, 3, 10, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo, 01:00 in Berlin
    assert tokyo.add(start, H) == dt.datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
    assert BERLIN.add(start, H) == dt.datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def test_working_day_is_eight_hours_on_dst_change():
    # Berlin springs forward on Sunday 2025-03-30; a calendar open on Sundays too:
    cal = Schedule.build("Europe/Berlin", {6: [(0, 24 * 60)]})
    day = cal.between(local("Europe/Berlin", 2025, 3, 30), local("Europe/Berlin", 2025, 3, 31))
    assert day == 23 * H


def test_between_counts_only_open_time():
    start = local("Europe/Berlin", 2025, 3, 7, 12)  # Friday noon
    end = local("Europe/Berlin", 2025, 3, 10, 12)  # Monday noon
    assert BERLIN.between(start, end) == 8 * H
    assert BERLIN.between(end, start) == dt.timedelta(0)


def test_round_the_clock_is_wall_time():
    start = dt.datetime(2025, 1, 1, tzinfo=UTC)
    assert ROUND_THE_CLOCK.add(start, 30 * H) == start + 30 * H


# --- properties ------------------------------------------------------------------------------

zones = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
    ]
)
ranges = st.lists(
    st.tuples(st.integers(0, 24 * 60 - 1), st.integers(1, 24 * 60)).filter(lambda r: r[0] < r[1]),
    max_size=3,
)
weeks = st.fixed_dictionaries({d: ranges for d in range(7)}).filter(lambda w: any(w[d] for d in w))
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(UTC)
)
durations = st.integers(0, 100 * 3600).map(lambda s: dt.timedelta(seconds=s))
holidays = st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)), max_size=20)


@st.composite
def schedules(draw):
    return Schedule.build(draw(zones), draw(weeks), draw(holidays))


# Health checks judge how fast examples are generated, which a loaded CI machine can fail;
# they say nothing about the calendar, so none of them may fail the suite.
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@PROPS
@given(schedules(), moments, durations)
def test_add_then_measure_gives_the_duration_back(cal, start, duration):
    end = cal.add(start, duration)
    assert end >= start
    assert cal.between(start, end) == duration


@PROPS
@given(schedules(), moments, durations, durations)
def test_add_is_additive(cal, start, a, b):
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b) or (
        # landing exactly on a closing time may continue from the next opening instead
        cal.between(start, cal.add(cal.add(start, a), b)) == a + b
    )


@PROPS
@given(schedules(), moments, moments, moments)
def test_between_splits_at_any_midpoint_and_never_exceeds_wall_time(cal, a, b, c):
    a, b, c = sorted([a, b, c])
    assert cal.between(a, c) == cal.between(a, b) + cal.between(b, c)
    assert dt.timedelta(0) <= cal.between(a, c) <= c - a


@PROPS
@given(schedules(), moments, st.integers(1, 100 * 3600).map(lambda s: dt.timedelta(seconds=s)))
def test_a_positive_duration_ends_inside_or_at_the_end_of_open_time(cal, start, duration):
    end = cal.add(start, duration)
    assert cal.between(start, end) == duration
    # just before END, time was counting: business time in (end - 1s, end] is > 0
    assert cal.between(end - dt.timedelta(seconds=1), end) > dt.timedelta(0)
