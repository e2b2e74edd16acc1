"""The invoice PDF and the hosted invoice page add up on paper.

Stripe's ``subtotal`` already has the line-level discounts taken off ("item discounts
are already incorporated"), so a document that prints that subtotal and then lists the
line discounts again takes a line coupon off twice. These tests read the figures a
customer reads (PDF text via pypdf, the hosted page's HTML) and check the sums:
Σ (line − its own discounts) = subtotal; subtotal − invoice discounts (+ every tax
shown as added) = total.
"""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import httpx
import pypdf

from tests.emulator.invoicing_helpers import customer

_MONEY = r"(-?[\d,]+\.\d\d) USD"


def _flat_pdf_text(url: str) -> str:
    answer = httpx.get(url)
    assert answer.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(answer.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _flat_hosted_text(url: str) -> str:
    answer = httpx.get(url)
    assert answer.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", answer.text))
    return " ".join(text.replace("\u2003", " ").split())


def _amount(text: str, label: str) -> Decimal:
    """The amount printed right after ``label`` (the label must appear exactly once)."""
    found = re.findall(re.escape(label) + r" " + _MONEY, text)
    assert len(found) == 1, (label, found, text)
    return Decimal(found[0].replace(",", ""))


def _book(client, *, inclusive: bool = False, **invoice_fields):
    """A draft: 3 × 33.33 with a 10 % line coupon, 50.00 plain, a 5.00-off invoice
    coupon, 20 % VAT (exclusive unless ``inclusive``); finalized."""
    buyer = customer(client, name="Paper Sums Ltd")
    vat = client.v1.tax_rates.create({"display_name": "VAT", "percentage": 20,
                                      "inclusive": inclusive})
    line_coupon = client.v1.coupons.create({"percent_off": 10, "name": "Loyalty"})
    invoice_coupon = client.v1.coupons.create({"amount_off": 500, "currency": "usd",
                                               "name": "Welcome"})
    invoice = client.v1.invoices.create({
        "customer": buyer.id, "collection_method": "send_invoice", "days_until_due": 30,
        "default_tax_rates": [vat.id], "discounts": [{"coupon": invoice_coupon.id}],
        **invoice_fields})
    client.v1.invoice_items.create({"invoice": invoice.id, "unit_amount_decimal": "3333",
                                    "quantity": 3, "currency": "usd",
                                    "description": "Seat", "discounts": [
                                        {"coupon": line_coupon.id}]})
    client.v1.invoice_items.create({"invoice": invoice.id, "amount": 5000, "currency": "usd",
                                    "description": "Setup"})
    return client.v1.invoices.finalize_invoice(invoice.id)


def _check_sums(text: str, invoice, *, taxes_added: bool) -> None:
    seat, loyalty = _amount(text, "Seat 3 33.33 USD 20%"), _amount(text, "Loyalty (10% off)")
    setup = _amount(text, "Setup 1 50.00 USD 20%")
    subtotal = _amount(text, "Subtotal")
    welcome = _amount(text, "Welcome (5.00 USD off)")
    taxes = [Decimal(v.replace(",", "")) for v in re.findall(
        r"VAT \(20%(?: incl\.)? on [\d,.]+ USD\) " + _MONEY, text)]
    total = _amount(text, "Total")
    # each discount is printed once: the line coupon under its line, the other in totals
    assert text.count("Loyalty (10% off)") == 1 and text.count("Welcome (5.00 USD off)") == 1
    assert text.index("Loyalty (10% off)") < text.index("Subtotal")
    # every amount printed from Subtotal to Total excluding tax sums to the latter
    block = text[text.index("Subtotal"):text.index("Total excluding tax")]
    printed = re.findall(_MONEY, re.sub(r"\([^)]*\)", "", block))
    assert sum(Decimal(v.replace(",", "")) for v in printed) == _amount(
        text, "Total excluding tax") - (0 if taxes_added else taxes[0])
    assert loyalty < 0 and welcome < 0 and len(taxes) == 1
    assert seat + loyalty + setup == subtotal
    assert subtotal + welcome + (taxes[0] if taxes_added else 0) == total
    assert _amount(text, "Total excluding tax") + taxes[0] == total
    assert total * 100 == invoice.total


def test_the_pdf_takes_a_line_coupon_off_once_and_adds_up(stripe_client):
    invoice = _book(stripe_client)
    # Stripe's rules by hand: seat 9999 − 1000 (10 %, half up) = 8999; setup 5000;
    # subtotal 13999; 500 off spread 8999:5000 → 321 + 179; VAT 20 % on 8678 and 4821
    # = 1736 + 964 = 2700; total 13999 − 500 + 2700 = 16199
    assert (invoice.subtotal, invoice.total) == (13999, 16199)
    assert [t.amount for t in invoice.total_taxes] == [2700]
    text = _flat_pdf_text(invoice.invoice_pdf)
    _check_sums(text, invoice, taxes_added=True)
    assert "Seat 3 33.33 USD 20% 99.99 USD Loyalty (10% off) -10.00 USD" in text
    assert "Subtotal 139.99 USD Welcome (5.00 USD off) -5.00 USD" in text


def test_the_hosted_page_shows_the_same_figures(stripe_client):
    invoice = _book(stripe_client)
    text = _flat_hosted_text(invoice.hosted_invoice_url)
    assert "Seat 3 99.99 USD Loyalty (10% off) -10.00 USD" in text
    assert text.count("Loyalty (10% off)") == 1
    for label, amount in (("Subtotal", "139.99"), ("Welcome (5.00 USD off)", "-5.00"),
                          ("Total excluding tax", "134.99"), ("Total", "161.99"),
                          ("Amount due", "161.99")):
        assert f"{label} {amount} USD" in text, label


def test_inclusive_tax_shown_excluded_still_adds_up(stripe_client):
    invoice = _book(stripe_client, inclusive=True,
                    rendering={"amount_tax_display": "exclude_tax"})
    text = _flat_pdf_text(invoice.invoice_pdf)
    seat_net = _amount(text, "Seat 3 33.33 USD 20%")
    loyalty, setup = _amount(text, "Loyalty (10% off)"), _amount(text, "Setup 1 50.00 USD 20%")
    subtotal, welcome = _amount(text, "Subtotal"), _amount(text, "Welcome (5.00 USD off)")
    (tax,) = [Decimal(v) for v in re.findall(r"VAT \(20% incl\. on [\d,.]+ USD\) " + _MONEY,
                                             text)]
    total = _amount(text, "Total")
    assert subtotal * 100 == invoice.subtotal_excluding_tax
    assert seat_net + loyalty + setup == subtotal
    assert subtotal + welcome + tax == total == _amount(text, "Total excluding tax") + tax
    assert total * 100 == invoice.total
