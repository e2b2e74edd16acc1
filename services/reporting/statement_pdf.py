"""A customer statement as a PDF (fpdf2): every line, the balances and the aging.

Amounts are written as ``1,234.50 EUR`` (exact, from integer minor units with the
currency's decimals). Text is set in DejaVu Sans when the machine has it (any
script); otherwise in the PDF core font, which holds Latin-1 only, and other
characters print as ``?``. Nothing here reads the database: it lays out a
:class:`services.reporting.statement.CustomerStatement`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.core.money import currency_exponent, to_major
from services.reporting.aging import AGING_BUCKETS
from services.reporting.statement import CurrencyStatement, CustomerStatement

UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
# Column widths (mm) of the lines table on an A4 page with 15 mm margins: 180 mm.
WIDTHS = (22, 20, 62, 36, 20, 20)
HEADINGS = ("Date", "Kind", "Description", "Stripe object", "Amount", "Balance")
KIND_WORDS = {"invoice": "Invoice", "payment": "Payment", "void": "Void",
              "write-off": "Write-off", "credit note": "Credit note",
              "balance transaction": "Balance", "refund": "Refund"}  # fmt: skip


def amount_text(minor_units: int, currency: str) -> str:
    """``(123450, "eur")`` → ``"1,234.50 EUR"`` (no symbol: every font has the letters)."""
    return f"{to_major(minor_units, currency):,.{currency_exponent(currency)}f} {currency.upper()}"


class _Document:
    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=15)
        self.unicode = UNICODE_FONT.exists() and UNICODE_BOLD.exists()
        if self.unicode:
            self.pdf.add_font("DejaVu", "", str(UNICODE_FONT))
            self.pdf.add_font("DejaVu", "B", str(UNICODE_BOLD))
        self.pdf.add_page()

    def text(self, value: Any) -> str:
        words = "" if value is None else str(value)
        if self.unicode:
            return words
        return words.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, *, bold: bool = False) -> None:
        self.pdf.set_font("DejaVu" if self.unicode else "Helvetica", "B" if bold else "", size)

    def line(self, value: str, size: float = 10, *, bold: bool = False) -> None:
        self.font(size, bold=bold)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x=XPos.LMARGIN,
                            new_y=YPos.NEXT)

    def table(self, rows: list[tuple[str, ...]]) -> None:
        """The lines table: a heading row, then ``rows``; long text wraps, never cut."""
        self.font(7.5)
        with self.pdf.table(col_widths=WIDTHS, line_height=4,
                            text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
                            borders_layout="HORIZONTAL_LINES") as table:
            for cells in [HEADINGS, *rows]:
                row = table.row()
                for cell in cells:
                    row.cell(self.text(cell))


def statement_pdf(statement: CustomerStatement) -> bytes:
    """The statement as PDF bytes: header, then per currency the opening balance, every
    line (date, kind, description, Stripe object id, amount, running balance), the
    closing balance and the aging of what was open at the end."""
    doc = _Document()
    who = statement.name or statement.email or statement.customer_id
    doc.line("Statement of account", 16, bold=True)
    doc.line(f"{who} · {statement.customer_id}" + (f" · {statement.email}"
                                                     if statement.email else ""))
    doc.line(f"Period: {statement.start:%d %b %Y} to {statement.end:%d %b %Y}")
    if not statement.sections:
        doc.line("No invoices or payments up to the end of this period.")
    for section in statement.sections:
        _section(doc, section)
    return bytes(doc.pdf.output())


def _section(doc: _Document, section: CurrencyStatement) -> None:
    currency = section.currency
    doc.pdf.ln(4)
    doc.line(f"{currency.upper()}", 12, bold=True)
    doc.line(f"Opening balance: {amount_text(section.opening, currency)}", bold=True)
    doc.table([
        (f"{line['date']:%Y-%m-%d}", KIND_WORDS.get(line["kind"], str(line["kind"])),
         str(line["description"]), str(line["object_id"]),
         amount_text(int(line["amount"]), currency), amount_text(int(line["balance"]), currency))
        for line in section.lines.to_dict("records")
    ])  # fmt: skip
    doc.line(f"Closing balance: {amount_text(section.closing, currency)}", bold=True)
    ages = " · ".join(f"{bucket}: {amount_text(section.aging[bucket], currency)}"
                      for bucket in AGING_BUCKETS)
    doc.line(f"Open at the end, by days overdue: {ages} · total "
             f"{amount_text(section.aging['total'], currency)}", 9)
