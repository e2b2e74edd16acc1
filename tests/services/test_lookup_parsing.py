"""Lookup: what the search text is taken to be (pure parsing, no database, no Stripe)."""

from __future__ import annotations

import pytest

from services.reporting.lookup import AmountReading, parse_query


@pytest.mark.parametrize(
    ("text", "id_kind"),
    [
        ("in_1Pgc6tB7WZ01zgkW", "invoice"),
        ("cus_QXg1o8vcGmoR32", "customer"),
        ("prod_QXg1hqf4jFNsqG", "product"),
        ("price_1PgafmB7WZ01zgkW", "price"),
        ("il_1PgcAbB7WZ01zgkW", "invoice_line"),
        ("ii_1PgcAbB7WZ01zgkW", "invoice_item"),
        ("  in_abc  ", "invoice"),
    ],
)
def test_ids_are_recognised_by_prefix(text: str, id_kind: str) -> None:
    parsed = parse_query(text)
    assert (parsed.kind, parsed.id_kind, parsed.text) == ("id", id_kind, text.strip())


@pytest.mark.parametrize("text", ["7FE1103-0001", "acme-0042", "MYSHOP-1203", "A-12345"])
def test_invoice_numbers_are_recognised_and_upper_cased(text: str) -> None:
    parsed = parse_query(text)
    assert parsed.kind == "invoice_number"
    assert parsed.text == text.upper()
    assert parsed.invoice_numbers == (text.lower(),)


def test_a_number_typed_without_its_zeros_is_also_read_padded() -> None:
    assert parse_query("7fe1103-1").invoice_numbers == ("7fe1103-1", "7fe1103-0001")


@pytest.mark.parametrize(("text", "tail"), [("0001", "0001"), ("#1203", "1203"), ("42", "0042")])
def test_bare_digits_may_be_the_end_of_an_invoice_number(text: str, tail: str) -> None:
    assert parse_query(text).number_tail == tail


def test_digits_with_leading_zeros_are_not_an_amount() -> None:
    parsed = parse_query("0001")
    assert (parsed.kind, parsed.amounts) == ("invoice_number", ())


def test_emails_are_recognised() -> None:
    assert parse_query("ap@acme.example.com").kind == "email"
    parsed = parse_query("Jo.Doe+billing@Example.org")
    assert (parsed.text, parsed.folded) == ("Jo.Doe+billing@Example.org",
                                            "jo.doe+billing@example.org")


def test_amount_with_currency_is_read_in_that_currency() -> None:
    assert parse_query("1234.5 EUR").amounts == (AmountReading(123450, "eur", 2),)
    assert parse_query("EUR 1,234.50").amounts == (AmountReading(123450, "eur", 2),)
    assert parse_query("5000 jpy").amounts == (AmountReading(5000, "jpy", 0),)


@pytest.mark.parametrize(
    ("text", "minor_units", "exponent"),
    [("1234.56", 123456, 2), ("1,234.56", 123456, 2), ("1.234,56", 123456, 2),
     ("1 234,56", 123456, 2), ("1234,56", 123456, 2), ("1'234.56", 123456, 2),
     ("12.345,67", 1234567, 2), ("0,50", 50, 2), (".5", 50, 2), ("3,600", 360000, 2),
     ("3 600", 360000, 2), ("1.234.567", 1234567, 0), ("1,234,567", 1234567, 0)],
)  # fmt: skip
def test_either_mark_may_be_the_decimal_one(text: str, minor_units: int, exponent: int) -> None:
    assert AmountReading(minor_units, None, exponent) in parse_query(text).amounts


def test_amounts_above_stripes_limit_are_not_amounts() -> None:
    assert parse_query("1,234,567.89").amounts == ()  # 123,456,789 cents > 99,999,999


@pytest.mark.parametrize(
    ("text", "readings"),
    [("€3,600", {(360000, "eur")}), ("3600 EUR", {(360000, "eur")}),
     ("3.600,00 €", {(360000, "eur")}), ("¥1,235", {(1235, "jpy"), (123500, "cny")}),
     ("£12.50", {(1250, "gbp")}), ("CHF 1'234.50", {(123450, "chf")}),
     ("1.234 KWD", {(1234000, "kwd"), (1234, "kwd")})],
)  # fmt: skip
def test_currency_symbols_and_codes_before_or_after(text: str, readings: set) -> None:  # type: ignore[type-arg]
    assert {(r.minor_units, r.currency) for r in parse_query(text).amounts} == readings


def test_a_dollar_sign_reads_as_every_dollar_currency_us_first() -> None:
    readings = parse_query("$99").amounts
    assert readings[0] == AmountReading(9900, "usd", 2)
    assert {r.currency for r in readings} >= {"usd", "cad", "aud"}
    assert parse_query("CA$99").amounts == (AmountReading(9900, "cad", 2),)


def test_zero_decimal_currencies_take_no_decimals() -> None:
    assert parse_query("¥1,235.50").amounts == (AmountReading(123550, "cny", 2),)
    assert parse_query("12.35 JPY").kind == "name"


def test_amount_without_currency_has_a_reading_per_kind_of_currency() -> None:
    parsed = parse_query("1,234.50")
    assert parsed.kind == "amount"
    assert parsed.amounts == (AmountReading(123450, None, 2), AmountReading(1234500, None, 3))
    whole = parse_query("12")
    assert {r.exponent: r.minor_units for r in whole.amounts} == {2: 1200, 0: 12, 3: 12000}


def test_three_digits_after_one_mark_are_thousands_except_for_three_decimal_currencies() -> None:
    readings = parse_query("1.234").amounts
    assert AmountReading(123400, None, 2) in readings
    assert AmountReading(1234, None, 3) in readings  # 1.234 KWD
    assert AmountReading(123, None, 2) not in readings


def test_a_reading_fits_only_matching_currencies() -> None:
    two = AmountReading(1200, None, 2)
    assert two.fits("usd") and two.fits("eur") and not two.fits("jpy")
    assert AmountReading(12, None, 0).fits("krw")
    assert AmountReading(1200, "eur", 2).fits("eur") and not AmountReading(1200, "eur", 2).fits(
        "usd"
    )


@pytest.mark.parametrize(
    "text",
    ["Acme Corp", "gold", "in_", "10.12345", "O'Brien & Sons", "-5", "100 kilos", "1,23,4",
     "€5 USD", "Söhne"],
)  # fmt: skip
def test_everything_else_is_a_name(text: str) -> None:
    assert parse_query(text).kind == "name"


def test_names_are_folded_for_search() -> None:
    assert parse_query("  Müller   &  SÖHNE ").folded == "muller & sohne"


def test_blank_is_empty() -> None:
    assert parse_query("   ").kind == "empty"
