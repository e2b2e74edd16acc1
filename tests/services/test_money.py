"""Money: typed text ↔ integer minor units, per currency, never floats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.core.money import (
    MAX_AMOUNT,
    THREE_DECIMAL_CURRENCIES,
    ZERO_DECIMAL_CURRENCIES,
    amount_step,
    currency_exponent,
    currency_rule_problem,
    format_amount,
    parse_amount,
    to_major,
)

ALL_KINDS = ["usd", "eur", "gbp", "chf", "isk", "huf", "twd", *sorted(ZERO_DECIMAL_CURRENCIES),
             *sorted(THREE_DECIMAL_CURRENCIES)]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("10", "usd", 1000),
        ("10.5", "usd", 1050),
        ("1,234.50", "usd", 123450),
        ("1 234.50", "eur", 123450),
        ("  12,345.67 ", "gbp", 1234567),
        (".5", "usd", 50),
        ("0", "usd", 0),
        ("$1,234.50", "usd", 123450),
        ("1234.5 EUR", "eur", 123450),
        ("1,235", "jpy", 1235),
        ("5000", "krw", 5000),
        ("1.230", "kwd", 1230),
        ("1.23", "kwd", 1230),
        ("5", "isk", 500),
        ("5.00", "isk", 500),
        ("1.23", "huf", 123),
        ("1.23", "twd", 123),
        ("1500", "ugx", 1500),
        ("12.5", "bhd", 12500),
        ("10.50", "USD", 1050),
    ],
)
def test_parse_amount_accepts_what_users_type(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "words"),
    [
        ("-5", "usd", "negative"),
        ("(5.00)", "usd", "negative"),
        ("10.005", "usd", "at most 2 decimal places"),
        ("1.5", "jpy", "no decimal places"),
        ("1.2345", "kwd", "at most 3 decimal places"),
        ("1.235", "kwd", "KWD amounts must end in 0"),
        ("5.124", "kwd", "use 5.120 KWD or 5.130 KWD"),
        ("0.001", "bhd", "BHD amounts must end in 0"),
        ("1.999", "jod", "JOD amounts must end in 0"),
        ("1.001", "omr", "OMR amounts must end in 0"),
        ("1.005", "tnd", "TND amounts must end in 0"),
        ("5.50", "isk", "ISK amounts must be whole krónur"),
        ("1.5", "ugx", "no decimal places"),
        ("12,34", "usd", "use a dot for decimals"),
        ("1,23,456", "usd", "commas or spaces only between thousands"),
        ("ten", "usd", "not an amount"),
        ("", "usd", "Enter an amount"),
        ("   ", "usd", "Enter an amount"),
        ("1000000", "usd", "above Stripe's limit of $999,999.99"),
        ("100000000", "jpy", "above Stripe's limit of ¥99,999,999"),
        ("10 EUR", "usd", "marked EUR but the currency is USD"),
        ("10", "dollars", "three-letter code"),
    ],
)
def test_parse_amount_refuses_with_a_clear_message(text: str, currency: str, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_amount(text, currency)
    assert words in str(caught.value)


def test_largest_amount_is_accepted() -> None:
    assert parse_amount("999,999.99", "usd") == MAX_AMOUNT
    assert parse_amount("99,999,999", "jpy") == MAX_AMOUNT


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (123450, "usd", "$1,234.50"),
        (1235, "jpy", "¥1,235"),
        (1000, "eur", "€10.00"),
        (5, "usd", "$0.05"),
        (1234, "kwd", "1.234 KWD"),
        (-250, "gbp", "-£2.50"),
        (100, "chf", "1.00 CHF"),
    ],
)
def test_format_amount_shows_currency_and_decimals(minor: int, currency: str, text: str) -> None:
    assert format_amount(minor, currency) == text


def test_exponents_and_major_units() -> None:
    assert [currency_exponent(c) for c in ("usd", "JPY", "bhd")] == [2, 0, 3]
    assert to_major(1050, "usd") == Decimal("10.50")
    assert to_major(1050, "jpy") == Decimal("1050")
    assert to_major(1050, "tnd") == Decimal("1.050")


@given(minor=st.integers(min_value=0, max_value=MAX_AMOUNT), currency=st.sampled_from(ALL_KINDS))
def test_format_then_parse_round_trips(minor: int, currency: str) -> None:
    minor -= minor % amount_step(currency)  # an amount Stripe can charge in that currency
    assert parse_amount(format_amount(minor, currency), currency) == minor


@given(minor=st.integers(min_value=0, max_value=MAX_AMOUNT), currency=st.sampled_from(ALL_KINDS))
def test_plain_major_text_round_trips(minor: int, currency: str) -> None:
    minor -= minor % amount_step(currency)
    text = str(to_major(minor, currency))
    assert isinstance(parse_amount(text, currency), int)
    assert parse_amount(text, currency) == minor


@given(
    minor=st.integers(min_value=MAX_AMOUNT + 1, max_value=10 * MAX_AMOUNT),
    currency=st.sampled_from(ALL_KINDS),
)
def test_anything_above_the_limit_is_refused(minor: int, currency: str) -> None:
    with pytest.raises(ValueError, match="limit"):
        parse_amount(str(to_major(minor, currency)), currency)


@given(minor=st.integers(min_value=1, max_value=MAX_AMOUNT), currency=st.sampled_from(ALL_KINDS))
def test_an_amount_off_the_currency_step_is_refused_and_on_it_accepted(
    minor: int, currency: str
) -> None:
    # https://docs.stripe.com/currencies: three-decimal currencies end in 0, ISK in 00.
    step = amount_step(currency)
    assert step == {"bhd": 10, "jod": 10, "kwd": 10, "omr": 10, "tnd": 10, "isk": 100}.get(
        currency, 1
    )
    assert (currency_rule_problem(minor, currency) is None) == (minor % step == 0)


@pytest.mark.parametrize(
    "text", ["１２３.４５", "١٢٣", "۱۲۳", "１,２３４", "12３", "USD ١٢٣", "²"]
)
def test_only_ascii_digits_are_read_as_amounts(text: str) -> None:
    # Python's \d and Decimal() both read other scripts' digits as numbers.
    with pytest.raises(ValueError, match="digits 0-9"):
        parse_amount(text, "usd")
