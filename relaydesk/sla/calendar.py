"""Business-hours arithmetic: how far is "8 working hours after Friday 16:00 in Berlin"?

A `Schedule` is weekly opening hours in a time zone minus holidays (the calendar's own dates
and, optionally, a country's public holidays from the `holidays` package). Opening hours are
local wall-clock times, so a working day is 8 hours on DST change days too; everything that
comes out is an aware datetime. Pure Python, no database: the property tests drive it.
"""

import datetime as dt
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays as holidays_lib

MINUTES_PER_DAY = 24 * 60
SEARCH_DAYS = 800  # a calendar with no opening hours in this span is a configuration error


def _merge(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(r for r in ranges if r[0] < r[1]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


@dataclass(frozen=True)
class Schedule:
    """WEEKLY[weekday] = ((start_minute, end_minute), ...) local minutes, Monday = 0."""

    time_zone: str = "UTC"
    weekly: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    holiday_dates: frozenset = frozenset()
    country: str = ""
    subdivision: str = ""
    _country_holidays: Container = field(default=frozenset(), compare=False, repr=False)
    # intervals_on() by date: every new ticket asks for the same few days four times over.
    _days: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, time_zone="UTC", hours=None, holiday_dates=(), country="", subdivision=""):
        """HOURS: {weekday: [(start_minute, end_minute), ...]}; None means round the clock."""
        if hours is None:
            weekly = (((0, MINUTES_PER_DAY),),) * 7
        else:
            weekly = tuple(_merge(list(hours.get(day, []))) for day in range(7))
        country_holidays = frozenset()
        if country:
            country_holidays = holidays_lib.country_holidays(country, subdiv=subdivision or None)
        return cls(
            time_zone, weekly, frozenset(holiday_dates), country, subdivision, country_holidays
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.holiday_dates or day in self._country_holidays

    def intervals_on(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """Open intervals of local date DAY, as UTC datetimes, in order."""
        known = self._days.get(day)
        if known is None:
            if len(self._days) > 5000:  # about 14 years of days: enough is enough
                self._days.clear()
            known = self._days[day] = tuple(self._intervals_on(day))
        return known

    def _intervals_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if self.is_holiday(day):
            return []
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
        out = []
        for start, end in self.weekly[day.weekday()]:
            # Wall-clock arithmetic: aware + timedelta keeps the local time, then to UTC.
            a = (midnight + dt.timedelta(minutes=start)).astimezone(dt.UTC)
            b = _local_minute(day, end, self.tz)
            if b > a:
                out.append((a, b))
        return out

    def intervals(
        self, since: dt.datetime, until: dt.datetime | None = None
    ) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Open intervals that end after SINCE, in order: up to UNTIL, or else at most
        SEARCH_DAYS days ahead."""
        day = since.astimezone(self.tz).date() - dt.timedelta(days=1)
        days = SEARCH_DAYS
        if until is not None:
            days = (until.astimezone(self.tz).date() - day).days + 2
        last_end = None
        for _ in range(days):
            for a, b in self.intervals_on(day):
                if last_end is not None and a < last_end:
                    a = last_end  # a DST fold can make two local days overlap in UTC
                if b > since and b > a:
                    yield a, b
                last_end = max(last_end, b) if last_end else b
            day += dt.timedelta(days=1)

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment DURATION of business time after START."""
        if duration <= dt.timedelta(0):
            return start
        remaining = duration
        for a, b in self.intervals(start):
            a = max(a, start)
            if remaining <= b - a:
                return a + remaining
            remaining -= b - a
        raise ValueError("This calendar has no working hours in the next two years.")

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Business time from START to END (zero when END is not after START)."""
        total = dt.timedelta(0)
        if end <= start:
            return total
        for a, b in self.intervals(start, end):
            if a >= end:
                break
            total += min(b, end) - max(a, start)
        return total

    def is_open(self, moment: dt.datetime) -> bool:
        return any(a <= moment < b for a, b in self.intervals_on_around(moment))

    def intervals_on_around(self, moment: dt.datetime):
        day = moment.astimezone(self.tz).date()
        for offset in (-1, 0, 1):
            yield from self.intervals_on(day + dt.timedelta(days=offset))


def _local_minute(day: dt.date, minute: int, tz: ZoneInfo) -> dt.datetime:
    if minute >= MINUTES_PER_DAY:
        nxt = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        return nxt.astimezone(dt.UTC)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    return (midnight + dt.timedelta(minutes=minute)).astimezone(dt.UTC)


ROUND_THE_CLOCK = Schedule.build()
