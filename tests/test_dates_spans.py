"""Tenures, ages and relative windows (core/dates.py, with dateutil's relativedelta)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factbase.core.dates import (
    DateError,
    age_in_years,
    days_before,
    parse_date,
    parse_period,
    span_text,
    tenure_text,
)


@pytest.mark.parametrize(("start", "end", "text"), [
    (date(2023, 7, 12), date(2026, 2, 9), "2 years 6 months"),
    (date(2023, 7, 12), date(2026, 2, 12), "2 years 7 months"),
    (date(2025, 2, 1), date(2025, 2, 28), "27 days"),
    (date(2025, 1, 31), date(2025, 2, 28), "1 month"),  # a month on from 31 Jan is 28 Feb
    (date(2025, 1, 30), date(2025, 2, 27), "28 days"),
    (date(2024, 2, 29), date(2025, 2, 28), "1 year"),  # and a year on from 29 Feb, 28 Feb
    (date(2024, 3, 1), date(2025, 2, 28), "11 months"),
    (date(2025, 12, 31), date(2026, 12, 31), "1 year"),
    (date(2026, 2, 9), date(2026, 2, 10), "1 day"),
    (date(2026, 2, 9), date(2026, 2, 9), "0 days"),
    (date(2020, 1, 1), date(2021, 2, 1), "1 year 1 month"),
])
def test_span_text_counts_calendar_years_and_months(start: date, end: date, text: str) -> None:
    assert span_text(start, end) == text


def test_span_text_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="the end is before the start"):
        span_text(date(2026, 2, 10), date(2026, 2, 9))


def test_tenure_of_days_is_their_span() -> None:
    assert tenure_text(date(2023, 7, 12), date(2026, 2, 12)) == "2 years 7 months"
    assert tenure_text(parse_date("2023-07-12"), parse_date("2026-02-09")) == "2 years 6 months"


def test_tenure_of_imprecise_dates_shows_both_ends_never_a_guess() -> None:
    assert tenure_text(parse_date("2023-07"), parse_date("2026-02-09")) == \
        "2 years 6 months to 2 years 7 months"
    assert tenure_text(parse_date("2023"), parse_date("2024")) == "1 day to 1 year 11 months"
    # Both ends agree once worded: one text.
    assert tenure_text(parse_date("2020-01-01"), parse_date("2026-06-10/2026-06-12")) == \
        "6 years 5 months"


def test_tenure_with_an_open_start_is_at_least() -> None:
    assert tenure_text(parse_date("../2024-02-10"), date(2026, 2, 10)) == "at least 2 years"


def test_tenure_whose_dates_overlap_starts_at_zero() -> None:
    assert tenure_text(parse_date("2026-02"), parse_date("2026-02-10")) == "0 days to 9 days"


def test_tenure_refuses_an_end_wholly_before_the_start() -> None:
    with pytest.raises(ValueError, match="the end is before the start"):
        tenure_text(parse_date("2026-03"), parse_date("2026-02"))


def test_age_in_years_turns_on_28_february_for_a_leap_day_birth() -> None:
    assert age_in_years(date(2000, 2, 29), date(2026, 2, 27)) == 25
    assert age_in_years(date(2000, 2, 29), date(2026, 2, 28)) == 26
    assert age_in_years(date(2023, 7, 12), date(2026, 3, 1)) == 2
    with pytest.raises(ValueError, match="not yet born"):
        age_in_years(date(2026, 1, 1), date(2025, 1, 1))


@pytest.mark.parametrize(("text", "parsed"), [
    ("90d", (90, "days")), ("2w", (2, "weeks")), ("3m", (3, "months")), ("1y", (1, "years")),
    (" 12m ", (12, "months")), ("9999d", (9999, "days")),
])
def test_parse_period_reads_the_strict_grammar(text: str, parsed: tuple[int, str]) -> None:
    assert parse_period(text) == parsed


@pytest.mark.parametrize("text", [
    "3", "m", "3 months", "3 m", "-3m", "0d", "03m", "1.5y", "3M", "10000d", "3mo", "", "3m3d",
    "P3M",
])
def test_parse_period_refuses_anything_else(text: str) -> None:
    with pytest.raises(DateError) as err:
        parse_period(text)
    assert str(err.value) == (f"period {text!r} is not one factbase reads; write a whole "
                              "number from 1 to 9999 and d (days), w (weeks), m (months) or y "
                              "(years), e.g. 90d or 3m")


@pytest.mark.parametrize(("day", "period", "before"), [
    (date(2026, 3, 1), "90d", date(2025, 12, 1)),
    (date(2026, 5, 31), "3m", date(2026, 2, 28)),
    (date(2024, 5, 31), "3m", date(2024, 2, 29)),
    (date(2028, 2, 29), "1y", date(2027, 2, 28)),
    (date(2026, 3, 1), "2w", date(2026, 2, 15)),
    (date(2026, 1, 31), "1m", date(2025, 12, 31)),
])
def test_days_before_uses_calendar_arithmetic(day: date, period: str, before: date) -> None:
    assert days_before(day, period) == before


def test_days_before_the_year_one_is_an_error() -> None:
    with pytest.raises(DateError, match="reaches before the year 1"):
        days_before(date(1, 2, 1), "1y")


@given(st.dates(min_value=date(100, 1, 1)), st.integers(1, 99), st.sampled_from("dwmy"))
def test_a_window_ends_before_its_day_and_is_never_longer_than_asked(
        day: date, n: int, unit: str) -> None:
    before = days_before(day, f"{n}{unit}")
    assert before < day
    longest = {"d": n, "w": 7 * n, "m": 31 * n, "y": 366 * n}[unit]
    assert day - before <= timedelta(days=longest)
