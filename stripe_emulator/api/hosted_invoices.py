"""The hosted invoice page and its PDF, where ``hosted_invoice_url``/``invoice_pdf`` point.

``GET /i/acct_emulator/test_<invoice id>`` answers an HTML page (number,
customer, lines, totals, status) and ``…/pdf`` a one-page PDF of the same,
without an API key (like Stripe's public links). Only finalized invoices
have these links; a draft or unknown id answers 404.
"""

from __future__ import annotations

import html
from typing import Any

from stripe_emulator.lib.currencies import exponent
from stripe_emulator.lib.routing import ApiCall, PageAnswer, Route, page
from stripe_emulator.models.invoice import INVOICES


def money(amount: int, currency: str) -> str:
    """``12.34 USD`` from minor units (exact: integer arithmetic only)."""
    digits = exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, minor = divmod(abs(int(amount)), 10 ** digits) if digits else (abs(int(amount)), 0)
    fraction = f".{minor:0{digits}d}" if digits else ""
    return f"{sign}{whole:,}{fraction} {currency.upper()}"


def _invoice_for(state: Any, token: str) -> dict[str, Any] | None:
    if not token.startswith("test_"):
        return None
    invoice = state.store.get(INVOICES, token.removeprefix("test_"))
    if invoice is None or invoice["status"] == "draft":
        return None
    return invoice


def _summary(invoice: dict[str, Any]) -> list[tuple[str, str]]:
    currency = invoice["currency"]
    return [
        ("Invoice number", invoice["number"] or ""),
        ("Status", invoice["status"]),
        ("Billed to", invoice["customer_name"] or invoice["customer_email"] or
         invoice["customer"]),
        ("Subtotal", money(invoice["subtotal"], currency)),
        ("Total", money(invoice["total"], currency)),
        ("Amount paid", money(invoice["amount_paid"], currency)),
        ("Amount remaining", money(invoice["amount_remaining"], currency)),
    ]


def _line_rows(invoice: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(line["description"] or "Item", str(line["quantity"]),
             money(line["amount"], line["currency"])) for line in invoice["_lines"]]


def invoice_html(invoice: dict[str, Any]) -> str:
    esc = html.escape
    facts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in _summary(invoice))
    lines = "".join(f"<tr><td>{esc(d)}</td><td>{esc(q)}</td><td>{esc(a)}</td></tr>"
                    for d, q, a in _line_rows(invoice))
    title = esc(f"Invoice {invoice['number'] or invoice['id']}")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>Stripe emulator (test mode)</p>"
        f"<table>{facts}</table><h2>Lines</h2><table><tr><th>Description</th><th>Qty</th>"
        f"<th>Amount</th></tr>{lines}</table>"
        f"<p><a href='{esc(invoice['invoice_pdf'] or '')}'>Download PDF</a></p></body></html>"
    )


def _pdf_text(value: str) -> str:
    plain = value.encode("latin-1", "replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def invoice_pdf(invoice: dict[str, Any]) -> bytes:
    """A one-page PDF (Helvetica text) listing the invoice's facts and lines."""
    rows = [f"Invoice {invoice['number'] or invoice['id']}", ""]
    rows += [f"{k}: {v}" for k, v in _summary(invoice)] + ["", "Lines:"]
    rows += [f"  {d}  x{q}  {a}" for d, q, a in _line_rows(invoice)[:40]]
    text = "BT /F1 11 Tf 50 790 Td 14 TL " + " ".join(
        f"({_pdf_text(r)}) '" for r in rows) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text.encode('latin-1'))} >>\nstream\n{text}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return out


def hosted_page(call: ApiCall) -> PageAnswer:
    invoice = _invoice_for(call.state, call.path_params["token"])
    if invoice is None:
        return PageAnswer("<h1>Invoice not found</h1>", status=404)
    return PageAnswer(invoice_html(invoice))


def hosted_pdf(call: ApiCall) -> PageAnswer:
    invoice = _invoice_for(call.state, call.path_params["token"])
    if invoice is None:
        return PageAnswer(b"not found", media_type="text/plain", status=404)
    return PageAnswer(invoice_pdf(invoice), media_type="application/pdf")


ROUTES: list[Route] = [
    page("/i/{account}/{token}", hosted_page),
    page("/i/{account}/{token}/pdf", hosted_pdf),
]
