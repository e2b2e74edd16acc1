"""Lookup: what the search text is taken to be (pure parsing, no Stripe)."""

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


def test_emails_are_recognised() -> None:
    assert parse_query("ap@acme.example.com").kind == "email"
    assert parse_query("Jo.Doe+billing@Example.org").text == "Jo.Doe+billing@Example.org"


def test_amount_with_currency_is_read_in_that_currency() -> None:
    assert parse_query("1234.5 EUR").amounts == (AmountReading(123450, "eur", 2),)
    assert parse_query("EUR 1,234.50").amounts == (AmountReading(123450, "eur", 2),)
    assert parse_query("5000 jpy").amounts == (AmountReading(5000, "jpy", 0),)


def test_amount_without_currency_has_a_reading_per_kind_of_currency() -> None:
    parsed = parse_query("1,234.50")
    assert parsed.kind == "amount"
    assert parsed.amounts == (AmountReading(123450, None, 2), AmountReading(1234500, None, 3))
    whole = parse_query("12")
    assert {r.exponent: r.minor_units for r in whole.amounts} == {2: 1200, 0: 12, 3: 12000}


def test_a_reading_fits_only_matching_currencies() -> None:
    two = AmountReading(1200, None, 2)
    assert two.fits("usd") and two.fits("eur") and not two.fits("jpy")
    assert AmountReading(12, None, 0).fits("krw")
    assert AmountReading(1200, "eur", 2).fits("eur") and not AmountReading(1200, "eur", 2).fits(
        "usd"
    )


@pytest.mark.parametrize("text", ["Acme Corp", "gold", "in_", "10.12345", "O'Brien & Sons"])
def test_everything_else_is_a_name(text: str) -> None:
    assert parse_query(text).kind == "name"


def test_blank_is_empty() -> None:
    assert parse_query("   ").kind == "empty"
