"""Valid-time dates with a precision, and the two instants factbase reads (DESIGN §2).

A written date is read as the closed interval of calendar days it covers, ``[start, end]`` with
both bounds inclusive (EDTF's "strict" bounds). The forms follow the Library of Congress Extended
Date/Time Format (EDTF), which became ISO 8601-2:2019, where it has one, plus common written forms:

========================  ==========  =====================================================
text                      precision   interval
========================  ==========  =====================================================
``2026-02-10``            day         [2026-02-10, 2026-02-10]   (EDTF level 0, ISO 8601-1)
``2026-02``               month       [2026-02-01, 2026-02-28]   (EDTF level 0)
``2026``                  year        [2026-01-01, 2026-12-31]   (EDTF level 0)
``10 Feb 2026``           day         written English forms; also ``Feb 10, 2026``,
``February 2026``         month       ``Sept 2026``, ``2026年2月10日``, ``2026年2月``, ``2026年``
``2026-02~`` ``?`` ``%``  month       widened by one unit each side (EDTF level 1 qualifiers)
``2026-02-01/2026-02-11`` range       [A.start, B.end]           (EDTF level 0/1 intervals)
``../2026-02-10``         range       [OPEN_START, 2026-02-10]   (EDTF level 1 open interval)
========================  ==========  =====================================================

Only this module knows the interval rule and the certainty rule (STYLE §4); a missing day or
month is never filled from today's date or from any default. Spans of time — tenures
(:func:`tenure_text`), ages (:func:`age_in_years`) and relative windows such as ``90d`` or
``3m`` (:func:`parse_period`, :func:`days_before`) — use dateutil's ``relativedelta`` for the
calendar arithmetic, imported on use. Pure: stdlib and dateutil only.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

from factbase.core.errors import InputError

__all__ = [
    "FAR_FUTURE_YEARS",
    "OPEN_END",
    "OPEN_START",
    "Certainty",
    "DateError",
    "PartialDate",
    "Precision",
    "Qualifier",
    "age_in_years",
    "check_known_at",
    "days_before",
    "display_date",
    "far_future",
    "interval_of_day",
    "parse_date",
    "parse_day",
    "parse_instant",
    "parse_known_at",
    "parse_period",
    "span_text",
    "tenure_text",
]

Precision = Literal["day", "month", "year", "range"]
Qualifier = Literal["approximate", "uncertain", "approximate_uncertain"] | None
Certainty = Literal["certain", "not_yet", "uncertain"]

OPEN_START: date = date.min
"""Start of an interval open (or unknown) at its beginning, as in ``../2026-02-10``."""
OPEN_END: date = date.max
"""End of an interval open (or unknown) at its end, as in ``2026-02-10/..``."""

_QUALIFIERS: dict[str, Qualifier] = {
    "~": "approximate",
    "?": "uncertain",
    "%": "approximate_uncertain",
}
_QUALIFIER_MARKS: dict[Qualifier, str] = {v: k for k, v in _QUALIFIERS.items()}


class DateError(InputError, ValueError):
    """A date or instant factbase cannot read; the message names the text and the fix."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A valid-time date as written, and the closed interval of days it covers.

    Attributes:
        text: the date as the user wrote it (surrounding whitespace stripped); ``str()`` gives it.
        start: first day covered, inclusive; ``OPEN_START`` (``date.min``) for an open start.
        end: last day covered, inclusive; ``OPEN_END`` (``date.max``) for an open end.
        precision: ``"day"``, ``"month"`` or ``"year"`` for a single date (qualified or not),
            ``"range"`` for an EDTF interval ``A/B``.
        qualifier: the EDTF level 1 qualifier of a single date (``~`` approximate, ``?``
            uncertain, ``%`` both), else ``None``; already folded into ``start``/``end``.
    """

    text: str
    start: date
    end: date
    precision: Precision
    qualifier: Qualifier = None

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"PartialDate {self.text!r}: start {self.start} is after {self.end}")

    def certainty(self, as_of: date) -> Certainty:
        """Whether this date has happened by the end of valid-time day ``as_of`` (DESIGN §2).

        ``"certain"`` if ``end <= as_of``; ``"not_yet"`` if ``start > as_of``; otherwise
        ``"uncertain"`` (the interval straddles ``as_of``). Monotone in ``as_of``: once certain,
        certain for every later day; once not ``not_yet``, never ``not_yet`` again.
        """
        if self.end <= as_of:
            return "certain"
        if self.start > as_of:
            return "not_yet"
        return "uncertain"

    def contains(self, day: date) -> bool:
        """True if ``day`` lies in ``[start, end]`` (both inclusive)."""
        return self.start <= day <= self.end

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """True if ``[self.start, self.end]`` meets the window ``[start, end]`` (inclusive
        days; None leaves that side open): what ``timeline --from/--to`` keeps."""
        return (start is None or self.end >= start) and (end is None or self.start <= end)

    @property
    def edtf(self) -> str:
        """The canonical EDTF (ISO 8601-2) form of ``text``.

        E.g. ``"2026-02-10"``, ``"2026-02"``, ``"2026"``, ``"2026-02~"``, ``"2026-02?"``,
        ``"2026-02%"``, ``"2026-02-01/2026-02-11"``, ``"../2026-02-10"``, ``"2026-02-10/.."``.
        Written forms become ISO (``Feb 2026`` → ``2026-02``); an empty (unknown) side of an
        interval becomes ``..`` since factbase treats unknown and open alike. Parsing the result
        gives the same interval, precision and qualifier. Raises DateError if ``text`` was not
        produced by :func:`parse_date` and does not parse.
        """
        return _parse_text(self.text).edtf

    def __str__(self) -> str:
        return self.text


class _Parsed(NamedTuple):
    start: date
    end: date
    precision: Precision
    qualifier: Qualifier
    edtf: str


# --- messages (each one sentence naming the text and the fix) ---------------------------------

_ISO_FIX = "write it as YYYY-MM-DD, YYYY-MM or YYYY"


def _unreadable(text: str) -> DateError:
    return DateError(
        f"date {text!r} is not a date factbase reads; write YYYY-MM-DD, YYYY-MM, YYYY or an "
        "EDTF form such as 2026-02~ or 2026-02-01/2026-02-11"
    )


_MONTHS_IN_WORDS = ("January", "February", "March", "April", "May", "June", "July", "August",
                    "September", "October", "November", "December")


def _impossible(text: str, y: int, m: int | None = None, d: int | None = None) -> DateError:
    """The error for a date that names no real day, saying which part is wrong."""
    if not 1 <= y <= 9999:
        why = f"there is no year {y:04d}; years run 0001-9999"
    elif m is not None and not 1 <= m <= 12:
        why = f"there is no month {m:02d}; months run 01-12"
    else:
        assert m is not None and d is not None
        why = f"{_MONTHS_IN_WORDS[m - 1]} {y:04d} has {_month_days(y, m)} days"
    return DateError(f"date {text!r} is not a real calendar date ({why}); {_ISO_FIX}")


# --- single dates ------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?")
_TIME = re.compile(r"\d{4}-?\d{2}-?\d{2}T\d{2}|.*\d[T ]\d{1,2}:\d{2}"
                   r"|.*[日号]\s*\d{1,2}\s*[点點时時:：]", re.IGNORECASE)  # 2026年2月10日10点
# Numeric day/month/year in any order but ISO's: 03/02/2026, 3.2.2026, 02-03-2026, 2026/02/10.
_AMBIGUOUS = re.compile(r"\d{1,4}([/.\-])\d{1,2}\1\d{1,4}")
_CHINESE = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?)?")
_MONTH = r"([a-z]+)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH_YEAR = re.compile(rf"{_DAY}\s+{_MONTH},?\s+(\d{{4}})", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH}\s+{_DAY},?\s+(\d{{4}})", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"{_MONTH},?\s+(\d{{4}})", re.IGNORECASE)
# Spelled out rather than taken from `calendar.month_name`, which follows the process locale.
_MONTH_NAMES: dict[str, int] = {
    name: number
    for number, full in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
    for name in (full, full[:3])
} | {"sept": 9}
# ISO 8601-2 / EDTF level 1 seasons (21-24) and level 2 sub-year groupings (25-41).
_SEASONS = range(21, 42)


def _int(digits: str | None) -> int | None:
    return None if digits is None else int(digits)


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _build(text: str, y: int, m: int | None, d: int | None, mark: str | None) -> _Parsed:
    """Interval, precision and EDTF form of year ``y`` with optional month ``m`` and day ``d``.

    A qualified date (EDTF level 1 ``~``/``?``/``%``) covers its strict interval widened by one
    unit of its precision on each side (``2026-02~`` → [2026-01-01, 2026-03-31]), clamped to
    years 0001-9999; the precision stays that of the unqualified date.
    """
    if not 1 <= y <= 9999 or (m is not None and not 1 <= m <= 12):
        raise _impossible(text, y, m)
    precision: Precision
    if m is None:
        start, end, precision, edtf = date(y, 1, 1), date(y, 12, 31), "year", f"{y:04d}"
    elif d is None:
        start, end = date(y, m, 1), date(y, m, _month_days(y, m))
        precision, edtf = "month", f"{y:04d}-{m:02d}"
    else:
        if not 1 <= d <= _month_days(y, m):
            raise _impossible(text, y, m, d)
        start = end = date(y, m, d)
        precision, edtf = "day", start.isoformat()
    if mark is None:
        return _Parsed(start, end, precision, None, edtf)
    qualifier = _QUALIFIERS[mark]
    if precision == "day":
        start = start - timedelta(days=1) if start > date.min else start
        end = end + timedelta(days=1) if end < date.max else end
    elif precision == "month":
        start = (start - timedelta(days=1)).replace(day=1) if start > date.min else start
        after = end + timedelta(days=1) if end < date.max else end
        end = after.replace(day=_month_days(after.year, after.month))
    else:
        start = date(max(y - 1, 1), 1, 1)
        end = date(min(y + 1, 9999), 12, 31)
    return _Parsed(start, end, precision, qualifier, edtf + mark)


def _parse_iso(text: str, part: str) -> _Parsed | None:
    """An EDTF level 0/1 single date (optionally qualified), or None if ``part`` is not one."""
    match = _ISO.fullmatch(part)
    if match is None:
        return None
    year, month, day, mark = match.groups()
    if month is not None and day is None and int(month) in _SEASONS:
        raise DateError(
            f"date {text!r} is an EDTF season; factbase needs months: write it as YYYY-MM or "
            "a range such as 2026-03/2026-05"
        )
    return _build(text, int(year), _int(month), _int(day), mark)


def _parse_written(text: str, part: str) -> _Parsed | None:
    """An English or Chinese written date (unqualified), or None if ``part`` is not one."""
    if match := _CHINESE.fullmatch(part):
        y, m, d = match.groups()
        return _build(text, int(y), _int(m), _int(d), None)
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy"), (_MONTH_YEAR, "my")):
        if match := pattern.fullmatch(part):
            fields = dict(zip(order, match.groups(), strict=True))
            month = _MONTH_NAMES.get(fields["m"].lower())
            if month is None:
                return None
            day = int(fields["d"]) if "d" in fields else None
            return _build(text, int(fields["y"]), month, day, None)
    return None


# --- the public parsers --------------------------------------------------------------------------


def _parse_text(text: str) -> _Parsed:
    """Parse a stripped date text; errors name ``text`` as written."""
    norm = unicodedata.normalize("NFKC", text).strip()  # full-width ２０２６年２月, ～ → ~
    if _TIME.match(norm):
        raise DateError(
            f"date {text!r} is an instant, not a calendar date; put the timestamp in the 'at' "
            "field and the local calendar date (YYYY-MM-DD) in 'date'"
        )
    ambiguous = _AMBIGUOUS.fullmatch(norm)
    if ambiguous and not (ambiguous[1] == "-" and re.match(r"\d{4}-", norm)):
        raise DateError(f"date {text!r} is ambiguous (day/month order); {_ISO_FIX}")
    if "/" not in norm:
        parsed = _parse_iso(text, norm) or _parse_written(text, norm)
        if parsed is None:
            raise _unreadable(text)
        return parsed
    sides = [side.strip() for side in norm.split("/")]
    if len(sides) != 2:
        raise _unreadable(text)
    bounds: list[_Parsed | None] = []
    for side in sides:
        if side in ("", ".."):
            bounds.append(None)
        elif (bound := _parse_iso(text, side)) is not None:
            bounds.append(bound)
        else:
            raise _unreadable(text)
    first, last = bounds
    if first is None and last is None:
        raise DateError(
            f"date {text!r} has no known bound; give at least one side, e.g. ../2026-02-10"
        )
    start = OPEN_START if first is None else first.start
    end = OPEN_END if last is None else last.end
    if start > end:
        raise DateError(
            f"date {text!r} ends before it starts; write the earlier date first, "
            "e.g. 2026-02-01/2026-02-11"
        )
    edtf = "/".join(".." if b is None else b.edtf for b in bounds)
    return _Parsed(start, end, "range", None, edtf)


def parse_date(value: str | int | date) -> PartialDate:
    """Read a valid-time date: the calendar day, month or year something happened, or a range.

    Args:
        value: the text as written (see the module docstring for the forms: EDTF level 0 and 1,
            ISO 8601-2:2019, and written English/Chinese dates, NFKC-normalised first); or an
            ``int`` year or a ``datetime.date`` (day), as YAML may give them.

    Returns:
        A PartialDate: ``text`` as written (stripped), the inclusive day interval
        ``[start, end]``, its precision and qualifier. Nothing is filled from today.

    Raises:
        DateError: for an empty or unreadable text, an impossible day or month (``2026-02-30``,
            ``2026-13``), a numeric day/month form in non-ISO order (``03/02/2026``: ambiguous),
            an EDTF season (``2026-21``), a year outside 0001-9999, a bare number that is not a
            four-digit year (YAML's ``date: 75``), an interval that ends before
            it starts or has no bound, or a timestamp / ``datetime`` (instants go in ``at``; see
            :func:`parse_instant`).
    """
    if isinstance(value, datetime):
        raise DateError(
            f"date {value.isoformat()!r} is an instant, not a calendar date; put the timestamp "
            "in the 'at' field and the local calendar date (YYYY-MM-DD) in 'date'"
        )
    if isinstance(value, date):
        return interval_of_day(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _unreadable(str(value))
    if isinstance(value, int) and not 1000 <= value <= 9999:
        raise DateError(f"date {value} is a bare number, which would be the year {value:04d}; "
                        "write a year with its four digits (1975), and in YAML quote dates "
                        "('0075' if the year 75 is meant)")
    return _partial(str(value).strip())


@lru_cache(maxsize=16_384)  # a large load repeats the same few thousand dates
def _partial(text: str) -> PartialDate:
    """:func:`parse_date` of a stripped text (PartialDate is immutable: safe to share)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii() and \
            text[:4].isdigit() and text[5:7].isdigit() and text[8:].isdigit():
        # The common plain ISO day (YYYY-MM-DD): no normalising and no patterns needed.
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass  # an impossible day or year 0000: the full parser words the error
        else:
            return PartialDate(text, day, day, "day")
    parsed = _parse_text(text)
    return PartialDate(text, parsed.start, parsed.end, parsed.precision, parsed.qualifier)


def shift_day(day: date, days: int) -> date:
    """``day`` moved by ``days`` days, clamped to [date.min, date.max]: a user's date may sit at
    the calendar's edge (0001-01-01, 9999-12-31), where plain timedelta arithmetic overflows."""
    if days < 0 and (day - date.min).days < -days:
        return date.min
    if days > 0 and (date.max - day).days < days:
        return date.max
    return day + timedelta(days=days)


def interval_of_day(day: date) -> PartialDate:
    """The day-precision PartialDate ``[day, day]`` with text ``day.isoformat()``."""
    return PartialDate(day.isoformat(), day, day, "day")


def parse_day(value: str | date) -> date:
    """Read one full calendar day, e.g. for ``--as-of`` (valid time).

    Args:
        value: any unqualified day-precision form :func:`parse_date` reads (``2026-02-10``,
            ``10 Feb 2026``, ``2026年2月10日``), or a ``datetime.date``.

    Returns:
        The ``datetime.date``.

    Raises:
        DateError: for anything :func:`parse_date` rejects, a ``datetime`` or a text with a
            time of day (``2026-02-10T10:00Z``, ``2026年2月10日10点``), or a month, year,
            qualified date or range (not a single day).
    """
    if isinstance(value, datetime):
        parse_date(value)  # raises the instant message
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _TIME.match(unicodedata.normalize("NFKC", value).strip()):
        raise DateError(f"date {value.strip()!r} has a time of day; write the day alone, as "
                        "YYYY-MM-DD")
    parsed = parse_date(value)
    if parsed.precision != "day" or parsed.qualifier is not None:
        raise DateError(f"date {parsed.text!r} is not a single day; write it as YYYY-MM-DD")
    return parsed.start


def parse_instant(value: str | datetime) -> datetime:
    """Read an exact instant: ISO 8601 (RFC 3339) with a UTC offset or ``Z``.

    Args:
        value: e.g. ``2026-02-11T00:05:00Z`` or ``2026-02-10T16:05:00-08:00`` (the same
            instant), or an aware ``datetime``.

    Returns:
        A timezone-aware ``datetime`` in UTC (``tzinfo=UTC``).

    Raises:
        DateError: for text that is not an ISO 8601 timestamp, or a timestamp (or naive
            ``datetime``) without an offset, since its instant would depend on the reader's zone.
    """
    if isinstance(value, datetime):
        instant, text = value, value.isoformat()
    else:
        text = value.strip()
        unreadable = DateError(
            f"instant {text!r} is not an ISO 8601 timestamp; write it like "
            "2026-02-11T00:05:00Z or 2026-02-10T16:05:00-08:00"
        )
        if not re.search(r"\d[T ]\d", text, re.IGNORECASE):  # a date alone is not an instant
            raise unreadable
        try:
            instant = datetime.fromisoformat(text.upper())
        except ValueError:
            raise unreadable from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DateError(
            f"instant {text!r} has no UTC offset; add one, e.g. 2026-02-11T00:05:00Z or "
            "2026-02-10T16:05:00-08:00"
        )
    try:
        return instant.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-12:00 is in the year 10000 in UTC
        raise DateError(f"instant {text!r} falls outside the years 0001-9999 in UTC; check "
                        "its date and offset") from None


def parse_known_at(value: str | date | datetime) -> datetime:
    """Read a recorded-time cut for ``--known-at``.

    Args:
        value: an instant as :func:`parse_instant` reads it, or a calendar day (text as
            :func:`parse_day` reads it, or a ``datetime.date``) meaning the END of that UTC day,
            so everything recorded during that day is included.

    Returns:
        A timezone-aware UTC ``datetime``; for a day, ``23:59:59.999999+00:00`` on it.

    Raises:
        DateError: as :func:`parse_instant` for timestamps, as :func:`parse_day` for days.
    """
    if isinstance(value, datetime):
        return parse_instant(value)
    if isinstance(value, str) and re.search(r"\d[T ]\d", value.strip(), re.IGNORECASE):
        return parse_instant(value)
    day = parse_day(value)
    return datetime.combine(day, time.max, tzinfo=UTC)


#: Years after the day it is recorded beyond which an event's date is most likely a typo
#: (2062 for 2026): a load warns about it.
FAR_FUTURE_YEARS = 10


def far_future(when: PartialDate, today: date) -> str | None:
    """A warning when the valid time ``when`` starts more than :data:`FAR_FUTURE_YEARS`
    years after ``today`` (the day it is recorded): ``date 2062-02-10 is 35 years after the
    day it is recorded (2026-12-05); check the year``. None otherwise, and for an interval
    open at its start. A plan or an effective date a few years ahead is no typo, so the
    horizon is wide."""
    if when.start == OPEN_START:
        return None
    try:
        horizon = today.replace(year=today.year + FAR_FUTURE_YEARS)
    except ValueError:  # 29 February, ten years on, is not a day
        horizon = today.replace(year=today.year + FAR_FUTURE_YEARS, day=28)
    if when.start <= horizon:
        return None
    years = when.start.year - today.year - (
        (when.start.month, when.start.day) < (today.month, today.day))
    return (f"date {when.text} is {years} years after the day it is recorded "
            f"({today.isoformat()}); check the year")


def check_known_at(cut: datetime, now: datetime, text: str) -> datetime:
    """Hold a recorded-time cut (from :func:`parse_known_at`) to the past: the log holds only
    what has been recorded, so a cut after ``now`` would give an answer that changes as more is
    recorded, and the same command later would say something else.

    Args:
        cut: the cut, timezone-aware. ``now``: the current time, timezone-aware (UTC).
        text: the cut as written, for the message.

    Returns:
        ``cut`` when it is not after ``now``; ``now`` for today written as a day (its end is
        later today: the log as it stands now is what today can answer).

    Raises:
        DateError: for an instant after ``now``, or a day after today (UTC).
    """
    if cut <= now:
        return cut
    if cut.date() == now.date() and cut.timetz() == time.max.replace(tzinfo=UTC):
        return now
    raise DateError(f"recorded time {text.strip()!r} is in the future (it is now "
                    f"{now.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}); the log holds only what has "
                    "been recorded, so the answer could still change: leave out --known-at "
                    "for the log as it is now")


# --- spans of time: tenures, ages and relative windows (dateutil's relativedelta) ------------
#
# Calendar arithmetic (a month back from 31 March is 28 or 29 February; a year from 29 February
# is 28 February) is dateutil's relativedelta, imported where it is used so that reading a date
# stays a stdlib-only import.

_PERIOD = re.compile(r"([1-9][0-9]{0,3})([dwmy])")
_MONTH_WORDS = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_QUALIFIER_WORDS: dict[Qualifier, str] = {
    "approximate": "about {}",
    "uncertain": "perhaps {}",
    "approximate_uncertain": "perhaps about {}",
}


def _bound_words(edtf: str) -> tuple[str, str, str]:
    """Day, month and year words of one plain EDTF date (``""`` where the precision stops)."""
    parts = edtf.split("-")
    year = str(int(parts[0]))
    month = _MONTH_WORDS[int(parts[1]) - 1] if len(parts) > 1 else ""
    day = str(int(parts[2])) if len(parts) > 2 else ""
    return day, month, year


def display_date(d: PartialDate) -> str:
    """A valid-time date in words for readers, in English whatever the process locale.

    ``2026-02-10`` → ``"10 February 2026"``; ``2026-02`` → ``"February 2026"``; ``2026`` →
    ``"2026"``; qualifiers as words (``2026-02~`` → ``"about February 2026"``, ``?`` →
    ``"perhaps …"``, ``%`` → ``"perhaps about …"``); ranges by their bounds
    (``../2026-02-10`` → ``"on or before 10 February 2026"``, ``2026-02-10/..`` → ``"on or
    after 10 February 2026"``, ``2026-02-01/2026-02-11`` → ``"between 1 and 11 February
    2026"``), a part the two bounds share said once. Written forms read as their EDTF form
    (``Feb 2026`` → ``"February 2026"``). Nothing is filled in: a month stays a month.
    """
    edtf = d.edtf
    if "/" not in edtf:
        day, month, year = _bound_words(edtf.rstrip("~?%"))
        words = " ".join(w for w in (day, month, year) if w)
        return _QUALIFIER_WORDS[d.qualifier].format(words) if d.qualifier else words
    first, last = edtf.split("/")
    if first == "..":
        return f"on or before {display_date(parse_date(last))}"
    if last == "..":
        return f"on or after {display_date(parse_date(first))}"
    if any(mark in edtf for mark in "~?%"):
        return f"between {display_date(parse_date(first))} and {display_date(parse_date(last))}"
    a, b = _bound_words(first), _bound_words(last)
    shown_a = list(a)
    if a[2] == b[2] and bool(a[0]) == bool(b[0]):
        shown_a[2] = ""  # the same year: said once, after the second bound
        if a[1] == b[1] and a[0]:
            shown_a[1] = ""  # days of the same month: "between 1 and 11 February 2026"
    if a == b:
        return " ".join(w for w in b if w)
    return f"between {' '.join(w for w in shown_a if w)} and {' '.join(w for w in b if w)}"


_PERIOD_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def span_text(start: date, end: date) -> str:
    """The calendar time from ``start`` to ``end`` in words, e.g. ``"2 years 7 months"``.

    Whole years and months as :class:`dateutil.relativedelta.relativedelta` counts them (from
    2023-07-12 to 2026-02-09 is 2 years 6 months and 28 days: ``"2 years 6 months"``); under a
    month, days (``"12 days"``, ``"1 day"``, ``"0 days"``). Days left over beside years or
    months are not shown: the text answers "how long, roughly", not an exact count.

    Raises:
        ValueError: if ``end`` is before ``start``.
    """
    from dateutil.relativedelta import relativedelta

    if end < start:
        raise ValueError(f"span from {start} to {end}: the end is before the start")
    delta = relativedelta(end, start)
    parts = []
    if delta.years:
        parts.append(_plural(delta.years, "year"))
    if delta.months:
        parts.append(_plural(delta.months, "month"))
    if not parts:
        parts.append(_plural(delta.days, "day"))
    return " ".join(parts)


def tenure_text(start: PartialDate | date, end: PartialDate | date) -> str:
    """How long something lasted, from ``start`` to ``end``, in words (``"2 years 7 months"``).

    Args:
        start: when it began: a :class:`PartialDate` (any precision or a range) or a day.
        end: when it ended (or the as-of day, for a tenure still running).

    Returns:
        :func:`span_text` of the span when the dates are days. When either is known only to a
        month, a year or a range, the tenure is not guessed: the shortest and longest spans the
        dates allow are worded, and if they read the same that text is returned, else
        ``"<shortest> to <longest>"`` (``2023-07`` to ``2026-02-09``: ``"2 years 6 months to
        2 years 7 months"``). An open bound (``../2026-02-10``) has no longest span:
        ``"at least <shortest>"``. A start that may fall after the end counts the shortest as
        ``"0 days"``.

    Raises:
        ValueError: if the whole of ``end`` lies before the whole of ``start``.
    """
    s = start if isinstance(start, PartialDate) else interval_of_day(start)
    e = end if isinstance(end, PartialDate) else interval_of_day(end)
    if e.end < s.start:
        raise ValueError(f"tenure from {s.text} to {e.text}: the end is before the start")
    shortest = span_text(s.end, e.start) if s.end <= e.start else span_text(s.end, s.end)
    if s.start == OPEN_START or e.end == OPEN_END:
        return f"at least {shortest}"
    longest = span_text(s.start, e.end)
    return shortest if shortest == longest else f"{shortest} to {longest}"


def age_in_years(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on`` (an age, or how old an organisation is): a person
    born on 29 February turns one year older on 28 February in a common year."""
    from dateutil.relativedelta import relativedelta

    if on < born:
        raise ValueError(f"age on {on} of something born {born}: not yet born")
    return relativedelta(on, born).years


def parse_period(text: str) -> tuple[int, str]:
    """Read a relative window such as ``90d``, ``2w``, ``3m`` or ``1y``: ``(count, unit)``.

    The grammar is strict: a whole number from 1 to 9999 and one letter, ``d`` (days), ``w``
    (weeks), ``m`` (calendar months) or ``y`` (calendar years), with nothing around them but
    whitespace; ``unit`` is returned spelled out (``"days"``, ``"weeks"``, ``"months"``,
    ``"years"``).

    Raises:
        DateError: for anything else (``3``, ``3 months``, ``-3m``, ``0d``, ``1.5y``).
    """
    match = _PERIOD.fullmatch(str(text).strip())
    if match is None:
        raise DateError(f"period {text!r} is not one factbase reads; write a whole number "
                        "from 1 to 9999 and d (days), w (weeks), m (months) or y (years), e.g. "
                        "90d or 3m")
    return int(match[1]), _PERIOD_UNITS[match[2]]


def days_before(day: date, period: str) -> date:
    """The day ``period`` (see :func:`parse_period`) before ``day``, in calendar arithmetic:
    ``3m`` before 2026-05-31 is 2026-02-28, ``1y`` before 2028-02-29 is 2027-02-28, ``90d``
    is 90 days.

    Raises:
        DateError: for a period :func:`parse_period` refuses, or one reaching before the year 1.
    """
    from dateutil.relativedelta import relativedelta

    count, unit = parse_period(period)
    try:
        return day - relativedelta(**{unit: count})  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        raise DateError(f"period {period!r} before {day.isoformat()} reaches before the year "
                        "1; give a shorter period") from None
