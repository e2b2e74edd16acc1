"""The invoice PDF shows what Stripe's does: number, dates, customer, lines, discounts,
taxes, totals, amount due and the payment link (text extracted with pypdf)."""

from __future__ import annotations

import io

import httpx
import pypdf

from tests.emulator.invoicing_helpers import customer, open_invoice
from tests.emulator.test_payment_records import MONDAY, report


def _pdf_text(url: str) -> tuple[pypdf.PdfReader, str]:
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(answer.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _finalized_invoice(client, **fields):
    buyer = customer(client, name="Globex GmbH", email="ap@globex.test",
                     address={"line1": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115",
                              "country": "DE"},
                     tax_id_data=[{"type": "eu_vat", "value": "DE123456789"}])
    vat = client.v1.tax_rates.create({"display_name": "VAT", "percentage": 19,
                                      "inclusive": False})
    coupon = client.v1.coupons.create({"percent_off": 10, "name": "Loyalty"})
    invoice = client.v1.invoices.create({
        "customer": buyer.id, "collection_method": "send_invoice", "days_until_due": 30,
        "default_tax_rates": [vat.id], "discounts": [{"coupon": coupon.id}],
        "description": "Thank you for your business", "footer": "Globex pays in 30 days",
        "custom_fields": [{"name": "PO", "value": "PO-77"}], **fields})
    client.v1.invoice_items.create({"invoice": invoice.id, "amount": 10000, "currency": "eur",
                                    "description": "Consulting"})
    client.v1.invoice_items.create({"invoice": invoice.id, "unit_amount_decimal": "2500",
                                    "quantity": 2, "currency": "eur",
                                    "description": "Workshop seat"})
    return client.v1.invoices.finalize_invoice(invoice.id)


def test_the_pdf_shows_lines_discounts_taxes_totals_and_the_payment_link(stripe_client):
    invoice = _finalized_invoice(stripe_client, currency="eur")
    # 15000 subtotal, 10% off = 1500, 19% VAT on 13500 = 2565, total 16065
    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (15000, 16065, 16065)
    reader, text = _pdf_text(invoice.invoice_pdf)
    assert reader.metadata.title == f"Invoice {invoice.number}"
    for expected in (
        f"Invoice number {invoice.number}", "Date of issue", "Date due",
        "Globex GmbH", "Hauptstr. 1", "10115 Berlin", "ap@globex.test",
        "EU VAT DE123456789",
        "Consulting", "100.00 EUR", "Workshop seat", "25.00 EUR", "50.00 EUR", "19%",
        "Subtotal", "150.00 EUR",
        "Loyalty (10% off)", "-15.00 EUR",
        "Total excluding tax", "135.00 EUR",
        "VAT (19% on 135.00 EUR)", "25.65 EUR",
        "Total", "160.65 EUR", "Amount paid", "0.00 EUR", "Amount due",
        "160.65 EUR due", "Pay online", invoice.hosted_invoice_url,
        "Thank you for your business", "PO: PO-77", "Globex pays in 30 days",
    ):
        assert expected in " ".join(text.split()), expected


def test_page_size_and_inclusive_tax_display_follow_rendering(stripe_client):
    buyer = customer(stripe_client, address={"country": "US", "postal_code": "10001"})
    vat = stripe_client.v1.tax_rates.create({"display_name": "GST", "percentage": 10,
                                             "inclusive": True})
    invoice = stripe_client.v1.invoices.create({
        "customer": buyer.id, "default_tax_rates": [vat.id],
        "rendering": {"amount_tax_display": "exclude_tax", "pdf": {"page_size": "a4"}}})
    stripe_client.v1.invoice_items.create({"invoice": invoice.id, "amount": 1100,
                                           "currency": "usd", "description": "Box"})
    invoice = stripe_client.v1.invoices.finalize_invoice(invoice.id)
    reader, text = _pdf_text(invoice.invoice_pdf)
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    flat = " ".join(text.split())
    assert "Box" in flat and "10.00 USD" in flat  # the line without its inclusive tax
    assert "GST (10% incl. on 10.00 USD) 1.00 USD" in flat
    assert "Total 11.00 USD" in flat


def test_a_paid_invoice_pdf_says_paid_and_has_no_pay_link(stripe_client):
    invoice = _finalized_invoice(stripe_client, currency="eur")
    stripe_client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    paid = stripe_client.v1.invoices.retrieve(invoice.id)
    _, text = _pdf_text(paid.invoice_pdf)
    flat = " ".join(text.split())
    assert "160.65 EUR paid on" in flat and "Pay online" not in flat
    assert "Amount due 0.00 EUR" in flat


def test_the_pdf_lists_dated_payments_and_credit_notes(stripe_client):
    invoice = open_invoice(stripe_client, (100000,))
    stripe_client.v1.invoices.attach_payment(invoice.id, {"payment_record": report(
        stripe_client, 30000, at=MONDAY,
        processor_details={"type": "custom", "custom": {"payment_reference": "TRX-1"}}).id})
    note = stripe_client.v1.credit_notes.create({"invoice": invoice.id, "amount": 20000})
    _, text = _pdf_text(invoice.invoice_pdf)
    flat = " ".join(text.split())
    assert "500.00 USD due" in flat
    assert "Credit notes -200.00 USD" in flat and "Amount paid 300.00 USD" in flat
    assert "Payment (Bank transfer), ref. TRX-1 300.00 USD" in flat
    assert "December 29, 2025" in flat
    assert f"Credit note {note.number} -200.00 USD" in flat
