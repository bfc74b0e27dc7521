"""Tests for factbase.core.dates: the interval rule, the certainty rule and the instants
(DESIGN §2)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

import factbase.core.dates as dates
from factbase.core.dates import (
    OPEN_END,
    OPEN_START,
    DateError,
    PartialDate,
    interval_of_day,
    parse_date,
    parse_day,
    parse_instant,
    parse_known_at,
)

D = date
UNREADABLE = (
    "is not a date factbase reads; write YYYY-MM-DD, YYYY-MM, YYYY or an EDTF form such as "
    "2026-02~ or 2026-02-01/2026-02-11"
)
ISO_FIX = "write it as YYYY-MM-DD, YYYY-MM or YYYY"


def shape(p: PartialDate) -> tuple[date, date, str, str | None]:
    return (p.start, p.end, p.precision, p.qualifier)


# --- accepted forms ---------------------------------------------------------------------------

ACCEPTED = [
    # EDTF level 0
    ("2026-02-10", D(2026, 2, 10), D(2026, 2, 10), "day", None, "2026-02-10"),
    ("2026-02", D(2026, 2, 1), D(2026, 2, 28), "month", None, "2026-02"),
    ("2026", D(2026, 1, 1), D(2026, 12, 31), "year", None, "2026"),
    ("0001", D(1, 1, 1), D(1, 12, 31), "year", None, "0001"),
    # written English forms
    ("10 Feb 2026", D(2026, 2, 10), D(2026, 2, 10), "day", None, "2026-02-10"),
    ("10 February 2026", D(2026, 2, 10), D(2026, 2, 10), "day", None, "2026-02-10"),
    ("10 FEB. 2026", D(2026, 2, 10), D(2026, 2, 10), "day", None, "2026-02-10"),
    ("February 2026", D(2026, 2, 1), D(2026, 2, 28), "month", None, "2026-02"),
    ("Feb 2026", D(2026, 2, 1), D(2026, 2, 28), "month", None, "2026-02"),
    ("feb. 2026", D(2026, 2, 1), D(2026, 2, 28), "month", None, "2026-02"),
    ("Feb 10, 2026", D(2026, 2, 10), D(2026, 2, 10), "day", None, "2026-02-10"),
    ("February 10 2026", D(2026, 2, 10), D(2026, 2, 10), "day", None, "2026-02-10"),
    ("Sept 2026", D(2026, 9, 1), D(2026, 9, 30), "month", None, "2026-09"),
    ("May 31, 2026", D(2026, 5, 31), D(2026, 5, 31), "day", None, "2026-05-31"),
    # written Chinese forms, half- and full-width
    ("2026年2月10日", D(2026, 2, 10), D(2026, 2, 10), "day", None, "2026-02-10"),
    ("2026年2月", D(2026, 2, 1), D(2026, 2, 28), "month", None, "2026-02"),
    ("2026年", D(2026, 1, 1), D(2026, 12, 31), "year", None, "2026"),
    ("２０２６年２月", D(2026, 2, 1), D(2026, 2, 28), "month", None, "2026-02"),
    # EDTF level 1 qualifiers: widened by one unit of the precision on each side
    ("2026-02~", D(2026, 1, 1), D(2026, 3, 31), "month", "approximate", "2026-02~"),
    ("2026-02?", D(2026, 1, 1), D(2026, 3, 31), "month", "uncertain", "2026-02?"),
    ("2026-02%", D(2026, 1, 1), D(2026, 3, 31), "month", "approximate_uncertain", "2026-02%"),
    ("2026-02-10?", D(2026, 2, 9), D(2026, 2, 11), "day", "uncertain", "2026-02-10?"),
    ("2026-02-10%", D(2026, 2, 9), D(2026, 2, 11), "day", "approximate_uncertain", "2026-02-10%"),
    ("2026~", D(2025, 1, 1), D(2027, 12, 31), "year", "approximate", "2026~"),
    ("2026-01~", D(2025, 12, 1), D(2026, 2, 28), "month", "approximate", "2026-01~"),
    ("2026-12-31~", D(2026, 12, 30), D(2027, 1, 1), "day", "approximate", "2026-12-31~"),
    # widening is clamped to years 0001-9999
    ("9999-12~", D(9999, 11, 1), D(9999, 12, 31), "month", "approximate", "9999-12~"),
    ("0001~", D(1, 1, 1), D(2, 12, 31), "year", "approximate", "0001~"),
    # EDTF intervals
    (
        "2026-02-01/2026-02-11",
        D(2026, 2, 1),
        D(2026, 2, 11),
        "range",
        None,
        "2026-02-01/2026-02-11",
    ),
    ("2026-02/2026-03", D(2026, 2, 1), D(2026, 3, 31), "range", None, "2026-02/2026-03"),
    ("2026-02~/2026-04-10", D(2026, 1, 1), D(2026, 4, 10), "range", None, "2026-02~/2026-04-10"),
    (
        "2026-02-10/2026-02-10",
        D(2026, 2, 10),
        D(2026, 2, 10),
        "range",
        None,
        "2026-02-10/2026-02-10",
    ),
    ("../2026-02-10", OPEN_START, D(2026, 2, 10), "range", None, "../2026-02-10"),
    ("2026-02-10/..", D(2026, 2, 10), OPEN_END, "range", None, "2026-02-10/.."),
    ("/2026-02-10", OPEN_START, D(2026, 2, 10), "range", None, "../2026-02-10"),
    ("2026-02-10/", D(2026, 2, 10), OPEN_END, "range", None, "2026-02-10/.."),
    (
        "2026-02-01 / 2026-02-11",
        D(2026, 2, 1),
        D(2026, 2, 11),
        "range",
        None,
        "2026-02-01/2026-02-11",
    ),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "qualifier", "edtf"), ACCEPTED)
def test_each_accepted_form_gives_its_exact_interval_and_keeps_its_text(
    text: str, start: date, end: date, precision: str, qualifier: str | None, edtf: str
) -> None:
    p = parse_date(f"  {text} ")
    assert shape(p) == (start, end, precision, qualifier)
    assert p.text == text
    assert str(p) == text
    assert p.edtf == edtf


def test_an_int_year_and_a_date_object_from_yaml_are_accepted() -> None:
    assert parse_date(2026) == PartialDate("2026", D(2026, 1, 1), D(2026, 12, 31), "year")
    assert parse_date(D(2026, 2, 10)) == PartialDate(
        "2026-02-10", D(2026, 2, 10), D(2026, 2, 10), "day"
    )
    assert interval_of_day(D(2026, 2, 10)) == parse_date(D(2026, 2, 10))


@pytest.mark.parametrize(
    ("text", "last_day"),
    [
        ("2024-02", 29),
        ("2026-02", 28),
        ("2026-04", 30),
        ("2026-12", 31),
        ("2000-02", 29),
        ("1900-02", 28),
    ],
)
def test_a_month_ends_on_its_last_calendar_day(text: str, last_day: int) -> None:
    p = parse_date(text)
    assert (p.start.day, p.end) == (1, p.start.replace(day=last_day))


def test_29_february_exists_only_in_leap_years() -> None:
    assert shape(parse_date("2024-02-29")) == (D(2024, 2, 29), D(2024, 2, 29), "day", None)
    with pytest.raises(DateError, match="is not a real calendar date"):
        parse_date("2026-02-29")


# --- never filled from today -------------------------------------------------------------------


@pytest.fixture(params=[D(2026, 1, 29), D(2026, 3, 31), D(2025, 11, 30)], ids=str)
def frozen_today(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[date]:
    """Freeze "today" in every name factbase.core.dates could read it through."""
    today: date = request.param

    class FrozenDate(date):
        @classmethod
        def today(cls) -> FrozenDate:
            return cls(today.year, today.month, today.day)

    class FrozenDateTime(datetime):
        @classmethod
        def now(cls, tz: timezone | None = None) -> FrozenDateTime:  # type: ignore[override]
            return cls(today.year, today.month, today.day, 12, tzinfo=tz)

        @classmethod
        def today(cls) -> FrozenDateTime:
            return cls(today.year, today.month, today.day, 12)

        @classmethod
        def utcnow(cls) -> FrozenDateTime:
            return cls(today.year, today.month, today.day, 12)

    monkeypatch.setattr(dates, "date", FrozenDate)
    monkeypatch.setattr(dates, "datetime", FrozenDateTime)
    yield today


def test_the_freeze_reaches_the_names_the_parser_uses(frozen_today: date) -> None:
    assert vars(dates)["date"].today() == frozen_today
    assert vars(dates)["datetime"].now(UTC).date() == frozen_today


@pytest.mark.parametrize(
    "text", ["February 2026", "Feb 2026", "2026-02", "2026年2月", "２０２６年２月"]
)
def test_a_missing_day_is_never_filled_from_today(frozen_today: date, text: str) -> None:
    assert shape(parse_date(text)) == (D(2026, 2, 1), D(2026, 2, 28), "month", None)


@pytest.mark.parametrize("text", ["2026", "2026年"])
def test_a_missing_month_is_never_filled_from_today(frozen_today: date, text: str) -> None:
    assert shape(parse_date(text)) == (D(2026, 1, 1), D(2026, 12, 31), "year", None)


# --- rejections ---------------------------------------------------------------------------------

FEB_2026 = "February 2026 has 28 days"
NO_MONTH_13 = "there is no month 13; months run 01-12"
REJECTED = [
    ("2026-02-30", f"date '2026-02-30' is not a real calendar date ({FEB_2026}); {ISO_FIX}"),
    ("2026-02-29", f"date '2026-02-29' is not a real calendar date ({FEB_2026}); {ISO_FIX}"),
    ("2024-02-30", "date '2024-02-30' is not a real calendar date (February 2024 has 29 days); "
                   f"{ISO_FIX}"),
    ("2026-13", f"date '2026-13' is not a real calendar date ({NO_MONTH_13}); {ISO_FIX}"),
    ("2026-00-10", "date '2026-00-10' is not a real calendar date (there is no month 00; "
                   f"months run 01-12); {ISO_FIX}"),
    ("2026-04-31", "date '2026-04-31' is not a real calendar date (April 2026 has 30 days); "
                   f"{ISO_FIX}"),
    ("0000", "date '0000' is not a real calendar date (there is no year 0000; years run "
             f"0001-9999); {ISO_FIX}"),
    ("30 Feb 2026", f"date '30 Feb 2026' is not a real calendar date ({FEB_2026}); {ISO_FIX}"),
    ("2026年2月30日", f"date '2026年2月30日' is not a real calendar date ({FEB_2026}); {ISO_FIX}"),
    ("2026-02-30/2026-03", f"date '2026-02-30/2026-03' is not a real calendar date ({FEB_2026}); "
                           f"{ISO_FIX}"),
    ("03/02/2026", f"date '03/02/2026' is ambiguous (day/month order); {ISO_FIX}"),
    ("3.2.2026", f"date '3.2.2026' is ambiguous (day/month order); {ISO_FIX}"),
    ("02-03-2026", f"date '02-03-2026' is ambiguous (day/month order); {ISO_FIX}"),
    ("2026/02/10", f"date '2026/02/10' is ambiguous (day/month order); {ISO_FIX}"),
    ("2026.02.10", f"date '2026.02.10' is ambiguous (day/month order); {ISO_FIX}"),
    ("soon", f"date 'soon' {UNREADABLE}"),
    ("", f"date '' {UNREADABLE}"),
    ("   ", f"date '' {UNREADABLE}"),
    ("Febtember 2026", f"date 'Febtember 2026' {UNREADABLE}"),
    ("2026-2-10", f"date '2026-2-10' {UNREADABLE}"),
    ("26", f"date '26' {UNREADABLE}"),
    ("12026", f"date '12026' {UNREADABLE}"),
    ("Feb 2026~", f"date 'Feb 2026~' {UNREADABLE}"),
    ("2026-02~~", f"date '2026-02~~' {UNREADABLE}"),
    ("2026/2027/2028", f"date '2026/2027/2028' {UNREADABLE}"),
    ("Feb 2026/Mar 2026", f"date 'Feb 2026/Mar 2026' {UNREADABLE}"),
    ("..", f"date '..' {UNREADABLE}"),
    (
        "2026-21",
        "date '2026-21' is an EDTF season; factbase needs months: write it as YYYY-MM or a "
        "range such as 2026-03/2026-05",
    ),
    (
        "2026-02-11T00:05:00Z",
        "date '2026-02-11T00:05:00Z' is an instant, not a calendar date; put the timestamp in "
        "the 'at' field and the local calendar date (YYYY-MM-DD) in 'date'",
    ),
    (
        "2026-03/2026-02",
        "date '2026-03/2026-02' ends before it starts; write the earlier date first, "
        "e.g. 2026-02-01/2026-02-11",
    ),
    ("../..", "date '../..' has no known bound; give at least one side, e.g. ../2026-02-10"),
    ("/", "date '/' has no known bound; give at least one side, e.g. ../2026-02-10"),
]


@pytest.mark.parametrize(("text", "message"), REJECTED)
def test_each_rejected_form_names_the_text_and_the_fix(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == message


def test_a_datetime_object_is_an_instant_not_a_date() -> None:
    with pytest.raises(DateError, match=r"^date '2026-02-11T00:05:00\+00:00' is an instant"):
        parse_date(datetime(2026, 2, 11, 0, 5, tzinfo=UTC))


def test_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)


# --- parse_day ----------------------------------------------------------------------------------


def test_parse_day_reads_one_full_calendar_day() -> None:
    assert parse_day("2026-02-10") == D(2026, 2, 10)
    assert parse_day("10 Feb 2026") == D(2026, 2, 10)
    assert parse_day(D(2026, 2, 10)) == D(2026, 2, 10)


@pytest.mark.parametrize("text", ["2026-02", "2026", "2026-02-10~", "2026-02-01/2026-02-11"])
def test_parse_day_rejects_anything_wider_than_a_day(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_day(text)
    assert str(caught.value) == f"date '{text}' is not a single day; write it as YYYY-MM-DD"


def test_parse_day_passes_on_parse_date_errors() -> None:
    with pytest.raises(DateError, match=r"^date '2026-13' is not a real calendar date"):
        parse_day("2026-13")


# --- certainty ----------------------------------------------------------------------------------


def test_certainty_at_the_boundaries_of_the_interval() -> None:
    feb = parse_date("2026-02")
    assert feb.certainty(D(2026, 1, 31)) == "not_yet"
    assert feb.certainty(D(2026, 2, 1)) == "uncertain"  # as_of == start, start < end
    assert feb.certainty(D(2026, 2, 27)) == "uncertain"
    assert feb.certainty(D(2026, 2, 28)) == "certain"  # as_of == end
    assert feb.certainty(D(2026, 3, 1)) == "certain"


def test_a_day_is_certain_on_that_day_and_not_yet_the_day_before() -> None:
    day = parse_date("2026-02-10")
    assert day.certainty(D(2026, 2, 9)) == "not_yet"
    assert day.certainty(D(2026, 2, 10)) == "certain"


def test_open_intervals_stay_uncertain_on_their_open_side() -> None:
    assert parse_date("../2026-02-10").certainty(D(1900, 1, 1)) == "uncertain"
    assert parse_date("2026-02-10/..").certainty(D(2999, 1, 1)) == "uncertain"
    assert parse_date("2026-02-10/..").certainty(D(2026, 2, 9)) == "not_yet"


def test_contains_is_inclusive_at_both_ends() -> None:
    feb = parse_date("2026-02")
    assert feb.contains(D(2026, 2, 1)) and feb.contains(D(2026, 2, 28))
    assert not feb.contains(D(2026, 1, 31)) and not feb.contains(D(2026, 3, 1))


def test_a_partial_date_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="is after"):
        PartialDate("x", D(2026, 2, 2), D(2026, 2, 1), "range")


# --- instants -----------------------------------------------------------------------------------


def test_parse_instant_returns_the_same_utc_instant_for_any_offset() -> None:
    expected = datetime(2026, 2, 11, 0, 5, tzinfo=UTC)
    zulu = parse_instant("2026-02-11T00:05:00Z")
    pacific = parse_instant("2026-02-10T16:05:00-08:00")
    assert zulu == pacific == expected
    assert zulu.tzinfo is UTC and pacific.tzinfo is UTC
    aware = datetime(2026, 2, 11, 8, 5, tzinfo=timezone(timedelta(hours=8)))
    assert parse_instant(aware) == expected and parse_instant(aware).tzinfo is UTC


def test_parse_instant_rejects_a_naive_timestamp() -> None:
    with pytest.raises(DateError) as caught:
        parse_instant("2026-02-11T00:05:00")
    assert str(caught.value) == (
        "instant '2026-02-11T00:05:00' has no UTC offset; add one, e.g. 2026-02-11T00:05:00Z "
        "or 2026-02-10T16:05:00-08:00"
    )
    with pytest.raises(DateError, match="has no UTC offset"):
        parse_instant(datetime(2026, 2, 11, 0, 5))


@pytest.mark.parametrize("text", ["2026-02-11", "soon", "2026-02-30T00:05:00Z"])
def test_parse_instant_rejects_what_is_not_a_timestamp(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_instant(text)
    assert str(caught.value) == (
        f"instant '{text}' is not an ISO 8601 timestamp; write it like 2026-02-11T00:05:00Z "
        "or 2026-02-10T16:05:00-08:00"
    )


def test_known_at_as_a_day_means_the_end_of_that_utc_day() -> None:
    end_of_day = datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_known_at("2026-03-01") == end_of_day
    assert parse_known_at(D(2026, 3, 1)) == end_of_day
    assert parse_known_at("2026-03-01").isoformat() == "2026-03-01T23:59:59.999999+00:00"


def test_known_at_as_an_instant_is_that_instant_in_utc() -> None:
    expected = datetime(2026, 2, 11, 0, 5, tzinfo=UTC)
    assert parse_known_at("2026-02-10T16:05:00-08:00") == expected
    assert parse_known_at(expected) == expected
    with pytest.raises(DateError, match="has no UTC offset"):
        parse_known_at("2026-02-11T00:05:00")
    with pytest.raises(DateError, match="is not a single day"):
        parse_known_at("2026-03")


# --- laws (hypothesis) --------------------------------------------------------------------------

MONTHS = list(calendar.month_name)[1:]  # English: the tests never call locale.setlocale
days = st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31))


@st.composite
def level0(draw: st.DrawFn, day: date | None = None) -> str:
    """An EDTF level 0 single date (day, month or year) around a generated day."""
    d = draw(days) if day is None else day
    precision = draw(st.sampled_from(["day", "month", "year"]))
    return {"day": d.isoformat(), "month": d.isoformat()[:7], "year": d.isoformat()[:4]}[precision]


@st.composite
def closed_interval(draw: st.DrawFn) -> str:
    first, second = sorted([draw(days), draw(days)])
    return f"{draw(level0(first))}/{draw(level0(second))}"


@st.composite
def any_form(draw: st.DrawFn) -> str:
    """Any text parse_date accepts: ISO, qualified, written, intervals (closed or open)."""
    d = draw(days)
    name = MONTHS[d.month - 1]
    name = draw(st.sampled_from([name, name[:3], name.lower(), name.upper()[:3] + "."]))
    single = draw(
        st.sampled_from(
            [
                draw(level0(d)),
                draw(level0(d)) + draw(st.sampled_from("~?%")),
                f"{d.day} {name} {d.year:04d}",
                f"{name} {d.day}, {d.year:04d}",
                f"{name} {d.year:04d}",
                f"{d.year:04d}年{d.month}月{d.day}日",
                f"{d.year:04d}年{d.month}月",
            ]
        )
    )
    iso = draw(level0(d)) + draw(st.sampled_from(["", "~", "?", "%"]))
    return draw(st.sampled_from([single, draw(closed_interval()), f"../{iso}", f"{iso}/.."]))


@given(any_form())
def test_start_is_never_after_end(text: str) -> None:
    p = parse_date(text)
    assert p.start <= p.end


@given(any_form())
def test_the_edtf_form_parses_back_to_the_same_interval(text: str) -> None:
    p = parse_date(text)
    again = parse_date(p.edtf)
    assert shape(again) == shape(p)
    assert again.edtf == p.edtf


RANK = {"not_yet": 0, "uncertain": 1, "certain": 2}


@given(any_form(), days, days)
def test_certainty_never_goes_back_as_the_as_of_date_moves_later(
    text: str, a: date, b: date
) -> None:
    p = parse_date(text)
    earlier, later = sorted([a, b])
    assert RANK[p.certainty(earlier)] <= RANK[p.certainty(later)]
    assert p.certainty(later) == "certain" or p.certainty(earlier) != "certain"


@given(st.one_of(st.text(max_size=30), st.integers()))
def test_anything_unreadable_raises_only_date_error(value: str | int) -> None:
    try:
        p = parse_date(value)
    except DateError:
        return
    assert p.start <= p.end


def _struct_to_date(parsed: object, bound: str) -> date:
    t = getattr(parsed, bound)()
    return D(t.tm_year, t.tm_mon, t.tm_mday)


@given(st.one_of(level0(), closed_interval()))
def test_level0_bounds_agree_with_python_edtf(text: str) -> None:
    edtf: Callable[[str], object] = pytest.importorskip("edtf").parse_edtf
    oracle = edtf(text)
    p = parse_date(text)
    assert (p.start, p.end) == (
        _struct_to_date(oracle, "lower_strict"),
        _struct_to_date(oracle, "upper_strict"),
    )


# --- dates in words -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("2026-02-10", "10 February 2026"),
    ("2026-02", "February 2026"),
    ("2026", "2026"),
    ("Feb 2026", "February 2026"),
    ("2026-02~", "about February 2026"),
    ("2026-02-10?", "perhaps 10 February 2026"),
    ("2026%", "perhaps about 2026"),
    ("../2026-02-10", "on or before 10 February 2026"),
    ("2026-02-10/..", "on or after 10 February 2026"),
    ("2026-02-01/2026-02-11", "between 1 and 11 February 2026"),
    ("2026-01-30/2026-02-02", "between 30 January and 2 February 2026"),
    ("2025-12-30/2026-01-02", "between 30 December 2025 and 2 January 2026"),
    ("2026-02/2026-03", "between February and March 2026"),
    ("2026-02/2026-02-10", "between February 2026 and 10 February 2026"),
    ("2026-02~/2026-03", "between about February 2026 and March 2026"),
])
def test_display_date_says_a_date_in_words_without_filling_anything(text: str,
                                                                      words: str) -> None:
    assert dates.display_date(parse_date(text)) == words


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_display_date_of_a_day_names_its_day_month_and_year(day: date) -> None:
    words = dates.display_date(parse_date(day.isoformat()))
    english = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
    assert words == f"{day.day} {english[day.month - 1]} {day.year}"


# --- the real problem, said -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026年2月10日10点", "2026年2月10日 10時", "2026-02-10T10:00Z",
                                  "2026-02-10 10:00"])
def test_a_day_with_a_time_of_day_says_so(text: str) -> None:
    with pytest.raises(DateError) as caught:
        dates.parse_day(text)
    assert str(caught.value) == (f"date '{text}' has a time of day; write the day alone, as "
                                 "YYYY-MM-DD")


@pytest.mark.parametrize("year", [0, 1, 75, 999, 10_000, -5])
def test_a_bare_number_that_is_not_a_four_digit_year_is_refused(year: int) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(year)
    assert str(caught.value) == (
        f"date {year} is a bare number, which would be the year {year:04d}; write a year with "
        "its four digits (1975), and in YAML quote dates ('0075' if the year 75 is meant)")
    assert parse_date(1975).text == "1975"
    assert parse_date("0075").start == D(75, 1, 1)  # written as text, the year 75 is meant


NOW = datetime(2026, 12, 5, 7, 30, tzinfo=UTC)


def test_a_recorded_time_cut_in_the_past_or_now_is_kept() -> None:
    for cut in (datetime(2026, 3, 1, tzinfo=UTC), NOW):
        assert dates.check_known_at(cut, NOW, "x") == cut


def test_today_as_a_day_means_now() -> None:
    assert dates.check_known_at(parse_known_at("2026-12-05"), NOW, "2026-12-05") == NOW


@pytest.mark.parametrize("text", ["2026-12-06", "2099-01-01", "2026-12-05T07:30:00.000001Z",
                                  "2026-12-05T08:00:00+00:00"])
def test_a_recorded_time_cut_after_now_is_refused(text: str) -> None:
    with pytest.raises(DateError) as caught:
        dates.check_known_at(parse_known_at(text), NOW, text)
    assert str(caught.value) == (
        f"recorded time '{text}' is in the future (it is now 2026-12-05T07:30:00Z); the log "
        "holds only what has been recorded, so the answer could still change: leave out "
        "--known-at for the log as it is now")


@pytest.mark.parametrize(("text", "warned"), [
    ("2036-12-05", None), ("2036-12-06", "date 2036-12-06 is 10 years after the day it is "
                                          "recorded (2026-12-05); check the year"),
    ("2062-02-10", "date 2062-02-10 is 35 years after the day it is recorded (2026-12-05); "
                   "check the year"),
    ("2037", "date 2037 is 10 years after the day it is recorded (2026-12-05); check the "
             "year"),
    ("2030", None), ("2026-02-10", None), ("../2062", None), ("1975", None),
])
def test_a_date_decades_after_it_is_recorded_is_warned_about(text: str,
                                                               warned: str | None) -> None:
    assert dates.far_future(parse_date(text), D(2026, 12, 5)) == warned


def test_the_far_future_horizon_from_29_february() -> None:
    assert dates.far_future(parse_date("2034-02-28"), D(2024, 2, 29)) is None
    assert dates.far_future(parse_date("2034-03-01"), D(2024, 2, 29)) is not None
