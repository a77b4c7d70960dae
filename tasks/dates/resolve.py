"""Resolvers: closures from an anchor (the document date) to a mention's value, None when the anchor is too coarse."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

from dateutil.easter import easter

from tasks.dates.grammar import MIN_YEAR
from tasks.records import PartialDate

# A past (future) tense moves a yearless date to the previous (next) year only this many days past the anchor.
TENSE_SLACK_DAYS = 60

_Resolver = Callable[[PartialDate | None], PartialDate | None]

# ----------------------------------------------------------------------------------------------------
# Calendar helpers.


def _valid(year: int, month: int, day: int | None = None) -> PartialDate | None:
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


def _as_date(value: PartialDate) -> date:
    assert value.month is not None and value.day is not None
    return date(value.year, value.month, value.day)


def _from_date(value: date) -> PartialDate:
    return PartialDate(value.year, value.month, value.day)


def _add_months(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


def _year_for(month: int, day: int | None, anchor: PartialDate, mode: int) -> int | None:
    """Year of a yearless date: mode -3/-2 not after/before, +2/+3 after/not before, -1/+1 leaning, 0 the anchor's."""
    if mode == 0:
        return anchor.year
    if anchor.month is None:
        return anchor.year if abs(mode) == 1 else None
    if abs(mode) == 1:
        # A tense only moves the year when the same-year reading is far on the wrong side of the anchor.
        gap = (month - anchor.month) * 31 + ((day or 15) - (anchor.day or 15))
        if mode < 0 and gap > TENSE_SLACK_DAYS:
            return anchor.year - 1
        if mode > 0 and gap < -TENSE_SLACK_DAYS:
            return anchor.year + 1
        return anchor.year
    if day is not None and anchor.day is None:
        if month == anchor.month:
            # Only the anchor's month is known: a day in that month may fall on either side of it.
            return anchor.year
        key, ref = (month, 0), (anchor.month, 0)
    else:
        key, ref = (month, day or 0), (anchor.month, anchor.day if day is not None and anchor.day else 0)
    if mode == 3:
        return anchor.year if key >= ref else anchor.year + 1
    if mode == -3:
        return anchor.year if key <= ref else anchor.year - 1
    if mode == -2:
        return anchor.year if key < ref else anchor.year - 1
    return anchor.year if key > ref else anchor.year + 1


def _weekday_near(anchor: date, weekday: int, mode: int) -> date:
    """Mode -2 strictly before, -1 on or before, 0 nearest, 1-2 strictly after, 3 on or after the anchor."""
    back = (anchor.weekday() - weekday) % 7
    ahead = (weekday - anchor.weekday()) % 7
    if mode == -2:
        return anchor - timedelta(days=back or 7)
    if mode == 2:
        return anchor + timedelta(days=ahead or 7)
    if mode == -1:
        return anchor - timedelta(days=back)
    if mode == 1:
        return anchor + timedelta(days=ahead or 7)
    if mode == 3:
        return anchor + timedelta(days=ahead)
    return anchor - timedelta(days=back) if back <= ahead else anchor + timedelta(days=ahead)


# ----------------------------------------------------------------------------------------------------
# Resolvers: small closures so that every candidate can be resolved again once the publication date is known.


def _absolute(value: PartialDate) -> _Resolver:
    return lambda anchor: value


def _day_month(month: int, day: int, mode: int, weekday: int | None) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None:
            return None
        if weekday is not None and abs(mode) != 2:
            years = [
                y for y in (anchor.year, anchor.year - 1, anchor.year + 1) if _weekday_matches(y, month, day, weekday)
            ]
            if years:
                return _valid(years[0], month, day)
        year = _year_for(month, day, anchor, mode)
        return None if year is None else _valid(year, month, day)

    return resolve


def _weekday_matches(year: int, month: int, day: int, weekday: int) -> bool:
    value = _valid(year, month, day)
    return value is not None and _as_date(value).weekday() == weekday


def _month_only(month: int, mode: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None:
            return None
        year = _year_for(month, None, anchor, mode)
        return None if year is None else _valid(year, month)

    return resolve


def _day_shift(days: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.day is None:
            return None
        try:
            return _from_date(_as_date(anchor) + timedelta(days=days))
        except OverflowError:
            return None

    return resolve


def _month_shift(months: int, keep_day: bool) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.month is None or (keep_day and anchor.day is None):
            return None
        year, month = _add_months(anchor.year, anchor.month, months)
        if not MIN_YEAR <= year <= 9999:
            return None
        if not keep_day:
            return PartialDate(year, month)
        assert anchor.day is not None
        return PartialDate(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))

    return resolve


def _year_shift(years: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or not 1 <= anchor.year + years <= 9999:
            return None
        return PartialDate(anchor.year + years)

    return resolve


def _weekday(weekday: int, mode: int, week: int | None) -> _Resolver:
    """With `week`, that weekday `week` weeks from the anchor's week; else the one `mode` picks."""

    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.day is None:
            return None
        day = _as_date(anchor)
        try:
            if week is not None:
                found = day - timedelta(days=day.weekday()) + timedelta(days=7 * week + weekday)
            else:
                found = _weekday_near(day, weekday, mode)
        except OverflowError:
            return None
        return _from_date(found)

    return resolve


def _day_of_month(day: int, weekday: int | None, mode: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.month is None:
            return None
        if weekday is None:
            shift = 0
            if anchor.day is not None and mode == -1 and day > anchor.day:
                shift = -1
            elif anchor.day is not None and mode == 1 and day < anchor.day:
                shift = 1
            year, month = _add_months(anchor.year, anchor.month, shift)
            return _valid(year, month, day)
        if anchor.day is None:
            # Only the month is known: the weekday must fit that month's day.
            value = _valid(anchor.year, anchor.month, day)
            return value if value is not None and _as_date(value).weekday() == weekday else None
        step = -1 if mode < 0 else 1
        for offset in range(0, 14 * step, step):
            year, month = _add_months(anchor.year, anchor.month, offset)
            value = _valid(year, month, day)
            if value is None or _as_date(value).weekday() != weekday:
                continue
            if offset == 0 and (day - anchor.day) * step < 0:
                continue
            return value
        return None

    return resolve


def _weekday_on_or_after(weekday: int, extra: int) -> _Resolver:
    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or anchor.day is None:
            return None
        day = _as_date(anchor)
        try:
            return _from_date(day + timedelta(days=(weekday - day.weekday()) % 7 + extra))
        except OverflowError:
            return None

    return resolve


def _easter_relative(offset: int, mode: int) -> _Resolver:
    """A movable feast `offset` days after Easter Sunday, in the year `mode` picks as for a fixed holiday."""

    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None:
            return None

        def feast(year: int) -> date:
            return easter(year) + timedelta(days=offset)

        if anchor.month is None or mode in (0, 1, -1) and anchor.day is None:
            return _from_date(feast(anchor.year))
        ref = _as_date(anchor) if anchor.day is not None else date(anchor.year, anchor.month, 15)
        this = feast(anchor.year)
        if mode >= 2 and (this < ref if mode == 3 else this <= ref):
            return _from_date(feast(anchor.year + 1))
        if mode <= -2 and this > ref:
            return _from_date(feast(anchor.year - 1))
        return _from_date(this)

    return resolve


def _ordinal_in_month(ordinal: int, weekday: int | None, month: _Resolver) -> _Resolver:
    """The `ordinal`-th (-1: last) `weekday` (None: day) of the month that `month` resolves to."""

    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        which = month(anchor)
        if which is None or which.month is None or which.day is not None:
            return None
        last = calendar.monthrange(which.year, which.month)[1]
        if weekday is None:
            day = last if ordinal < 0 else ordinal
            return _valid(which.year, which.month, day)
        days = [d for d in range(1, last + 1) if date(which.year, which.month, d).weekday() == weekday]
        if ordinal < 0:
            return PartialDate(which.year, which.month, days[-1])
        return PartialDate(which.year, which.month, days[ordinal - 1]) if ordinal <= len(days) else None

    return resolve


def _around(days: int, inner: _Resolver) -> _Resolver:
    """`days` from the day `inner` resolves to (`la veille de Noël`); None when that is not a day."""

    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        value = inner(anchor)
        if value is None or value.day is None:
            return None
        try:
            return _from_date(_as_date(value) + timedelta(days=days))
        except OverflowError:
            return None

    return resolve


def _month_of_year(month: int, years: int) -> _Resolver:
    """`month` of the year `years` after the anchor's (`le dernier jour de l'année prochaine` needs December)."""

    def resolve(anchor: PartialDate | None) -> PartialDate | None:
        if anchor is None or not 1 <= anchor.year + years <= 9999:
            return None
        return PartialDate(anchor.year + years, month)

    return resolve


def _in_year(year: int, inner: _Resolver) -> _Resolver:
    """`inner` read in `year` whatever the anchor (`Noël 2012`)."""
    value = inner(PartialDate(year))
    return lambda anchor: value
