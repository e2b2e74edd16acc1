"""The invoice PDF (``invoice_pdf``), laid out like Stripe's, made with fpdf2.

What Stripe's PDF shows, in its order: the invoice number and dates (issue, due),
who bills and who is billed (address, email, shipping), the amount due and when, with
the "Pay online" link (the hosted invoice page); the memo; one row per line
(description and period, quantity, unit price, tax rates, amount) with the line's own
discounts on rows under it; then subtotal (line discounts already off, as Stripe's
``subtotal``), the invoice-level discounts, shipping, total excluding tax, each tax (rate
and the amount it is on), total, applied balance, credit notes, amount paid and amount
due — figures that add up on paper (``api.invoice_figures``); the payments and credit notes
with their dates; custom fields and footer. The page size
follows ``rendering.pdf.page_size`` (``auto``: Letter for North America, else A4), and
``rendering.amount_tax_display=exclude_tax`` shows line amounts without inclusive tax.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from stripe_emulator.api.invoice_figures import line_figures, long_date, total_rows
from stripe_emulator.lib.currencies import format_money

_LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE"})
_COLUMNS = ((88, "Description", "L"), (16, "Qty", "R"), (30, "Unit price", "R"),
            (22, "Tax", "R"), (30, "Amount", "R"))


def _text(value: Any) -> str:
    """What the PDF's core font can show (Latin-1; anything else becomes ``?``)."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _page_format(invoice: dict[str, Any]) -> str:
    size = ((invoice.get("rendering") or {}).get("pdf") or {}).get("page_size") or "auto"
    if size == "auto":
        country = (invoice.get("customer_address") or {}).get("country") or "US"
        return "Letter" if str(country).upper() in _LETTER_COUNTRIES else "A4"
    return "A4" if size == "a4" else "Letter"


class _InvoicePdf:
    def __init__(self, invoice: dict[str, Any]) -> None:
        self.invoice = invoice
        self.currency = invoice["currency"]
        self.pdf = FPDF(format=_page_format(invoice))
        self.pdf.set_title(_text(f"Invoice {invoice['number'] or invoice['id']}"))
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()

    def money(self, amount: int) -> str:
        return format_money(amount, self.currency)

    def line(self, text: str, *, size: int = 10, bold: bool = False, link: str = "") -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", size)
        self.pdf.cell(0, size * 0.55, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                      link=link)

    def pair(self, label: str, value: str, *, bold: bool = False) -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", 10)
        self.pdf.cell(130, 6, _text(label), align="R")
        self.pdf.cell(56, 6, _text(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def gap(self, height: float = 4) -> None:
        self.pdf.ln(height)

    def header(self) -> None:
        invoice = self.invoice
        self.line("Invoice", size=20, bold=True)
        self.gap()
        self.line(f"Invoice number  {invoice['number'] or invoice['id']}")
        issued = invoice.get("effective_at") or invoice["status_transitions"]["finalized_at"]
        self.line(f"Date of issue  {long_date(issued or invoice['created'])}")
        if invoice.get("due_date"):
            self.line(f"Date due  {long_date(invoice['due_date'])}")
        self.gap()
        self.line(invoice.get("account_name") or "", bold=True)
        self.gap(2)
        self.line("Bill to", bold=True)
        for text in self._party(invoice.get("customer_name"), invoice.get("customer_address"),
                                invoice.get("customer_email"), invoice.get("customer_phone")):
            self.line(text)
        for tax_id in invoice.get("customer_tax_ids") or []:
            self.line(f"{tax_id['type'].upper().replace('_', ' ')} {tax_id['value']}")
        shipping = invoice.get("shipping_details") or invoice.get("customer_shipping")
        if shipping:
            self.gap(2)
            self.line("Ship to", bold=True)
            for text in self._party(shipping.get("name"), shipping.get("address"), None,
                                    shipping.get("phone")):
                self.line(text)

    @staticmethod
    def _party(name: Any, address: dict[str, Any] | None, email: Any, phone: Any) -> list[str]:
        address = address or {}
        city = " ".join(str(address[k]) for k in ("postal_code", "city", "state")
                        if address.get(k))
        rows = [name, address.get("line1"), address.get("line2"), city, address.get("country"),
                email, phone]
        return [str(row) for row in rows if row]

    def amount_due(self) -> None:
        invoice = self.invoice
        self.gap()
        if invoice["status"] == "paid":
            paid_at = invoice["status_transitions"]["paid_at"]
            self.line(f"{self.money(invoice['amount_paid'])} paid on {long_date(paid_at)}",
                      size=14, bold=True)
        else:
            when = f" due {long_date(invoice['due_date'])}" if invoice.get("due_date") else " due"
            self.line(f"{self.money(invoice['amount_remaining'])}{when}", size=14, bold=True)
        if invoice.get("hosted_invoice_url") and invoice["status"] in ("open", "uncollectible"):
            self.line("Pay online", bold=True, link=invoice["hosted_invoice_url"])
            self.line(invoice["hosted_invoice_url"], size=8, link=invoice["hosted_invoice_url"])
        if invoice.get("description"):
            self.gap(2)
            self.line(invoice["description"])

    def lines(self) -> None:
        """One row per line, its own discounts on the rows under it."""
        self.gap()
        self.pdf.set_font("Helvetica", "B", 9)
        for width, title, align in _COLUMNS:
            self.pdf.cell(width, 7, title, border="B", align=align)
        self.pdf.ln(7)
        for line in line_figures(self.invoice):
            self._row((_text(line.description)[:60], line.quantity, line.unit_price,
                       line.tax_percentages, self.money(line.amount)))
            for label, amount in line.discounts:
                self._row((_text(f"    {label}")[:60], "", "", "", self.money(amount)))

    def _row(self, cells: tuple[str, str, str, str, str]) -> None:
        self.pdf.set_font("Helvetica", "", 9)
        for (width, _, align), text in zip(_COLUMNS, cells, strict=True):
            self.pdf.cell(width, 6, text, align=align)
        self.pdf.ln(6)

    def totals(self) -> None:
        """Subtotal down to amount due (``api.invoice_figures.total_rows``)."""
        self.gap()
        for row in total_rows(self.invoice):
            self.pair(row.label, self.money(row.amount), bold=row.bold)

    def history(self, entries: list[tuple[int, str, int]]) -> None:
        """Each payment and credit note with its date (``backend.invoice_history``)."""
        if not entries:
            return
        self.gap()
        self.line("Payments and credit notes", bold=True)
        for when, label, amount in entries:
            self.pair(f"{long_date(when)}  {label}", self.money(amount))

    def closing(self) -> None:
        invoice = self.invoice
        self.gap()
        for field in invoice.get("custom_fields") or []:
            self.line(f"{field['name']}: {field['value']}", size=9)
        if invoice.get("footer"):
            self.gap(2)
            self.line(invoice["footer"], size=9)
        if invoice["status"] == "void":
            self.line("This invoice was voided.", size=9, bold=True)


def invoice_pdf(invoice: dict[str, Any],
                history: list[tuple[int, str, int]] | None = None) -> bytes:
    """The PDF of a finalized ``invoice`` (the stored object, private keys included);
    ``history``: its payments and credit notes as ``(unix time, label, minor units)``."""
    document = _InvoicePdf(invoice)
    document.header()
    document.amount_due()
    document.lines()
    document.totals()
    document.history(history or [])
    document.closing()
    return bytes(document.pdf.output())
