"""Prices, amounts and dates as the domain accepts them (pure, no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from domain.catalog import AddOn, Package
from domain.errors import ValidationFailed
from domain.event_date import EventDate
from domain.money import MAX_CENTS, Money
from domain.pricing import quote

PACKAGE = Package.create("pkg_1", "sunrise-cliffs", "Sunrise", "Dawn above the sea", 180_000)
PHOTOS = AddOn.create("add_photos", "pkg_1", "Extra hour", "", 35_000)
TOAST = AddOn.create("add_toast", "pkg_1", "Champagne", "", 9_000)
RETIRED = replace(AddOn.create("add_retired", "pkg_1", "Doves", "", 50_000), active=False)
ELSEWHERE = AddOn.create("add_other", "pkg_2", "Vintage car", "", 30_000)
WITH_ADD_ONS = replace(PACKAGE, add_ons=(PHOTOS, TOAST, RETIRED))


def test_the_total_is_the_package_price_plus_each_chosen_add_on() -> None:
    priced = quote(WITH_ADD_ONS, ["add_photos", "add_toast"])
    assert priced.total == Money(180_000 + 35_000 + 9_000)


def test_a_quote_captures_the_unit_price_and_title_of_each_add_on() -> None:
    priced = quote(WITH_ADD_ONS, ["add_toast"])
    assert priced.package_price == Money(180_000)
    assert [(a.add_on_id, a.title, a.unit_price) for a in priced.add_ons] == [
        ("add_toast", "Champagne", Money(9_000))]


def test_no_add_ons_costs_the_package_price() -> None:
    assert quote(WITH_ADD_ONS, []).total == Money(180_000)


def test_an_unknown_add_on_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="add_nope"):
        quote(WITH_ADD_ONS, ["add_nope"])


def test_an_add_on_of_another_package_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        quote(WITH_ADD_ONS, [ELSEWHERE.id])


def test_a_retired_add_on_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        quote(WITH_ADD_ONS, ["add_retired"])


def test_choosing_the_same_add_on_twice_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="repeat"):
        quote(WITH_ADD_ONS, ["add_photos", "add_photos"])


@pytest.mark.parametrize("cents", [-1, 1.5, 100.0, True, "100", MAX_CENTS + 1])
def test_an_amount_that_is_not_whole_non_negative_cents_is_refused(cents: object) -> None:
    with pytest.raises(ValidationFailed):
        Money(cents)  # type: ignore[arg-type]


def test_amounts_from_zero_to_the_ceiling_are_accepted_and_add_up() -> None:
    assert Money(0) == Money.zero()
    assert Money(MAX_CENTS).cents == MAX_CENTS
    assert Money(150) + Money(250) == Money(400)


def test_an_addition_past_the_ceiling_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        Money(MAX_CENTS) + Money(1)


def test_a_well_formed_date_parses_to_that_day() -> None:
    assert EventDate.parse("2026-06-20") == EventDate(dt.date(2026, 6, 20))
    assert str(EventDate.parse("2028-02-29")) == "2028-02-29"


@pytest.mark.parametrize("text", [
    "2026-6-20", "2026-06-2", "20260620", "2026/06/20", "20-06-2026", "2026-06-20T00:00",
    " 2026-06-20", "2026-06-20 ", "2026-02-30", "2027-02-29", "2026-13-01", "", "tomorrow",
    "2026-W25-6",  # ISO week date: 10 characters, but not YYYY-MM-DD
    "2026-171",  # ISO ordinal date
])
def test_anything_but_an_existing_yyyy_mm_dd_date_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed):
        EventDate.parse(text)


def test_a_date_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        EventDate.parse(20260620)  # type: ignore[arg-type]
