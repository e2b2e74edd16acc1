"""The hosted invoice page and its PDF, where ``hosted_invoice_url``/``invoice_pdf`` point.

``GET /i/acct_emulator/test_<invoice id>`` answers an HTML page (number,
customer, status, then the same figures as the PDF from ``api.invoice_figures``: lines
with their own discounts, subtotal, invoice-level discounts, taxes, totals, amount due)
and ``…/pdf`` the invoice PDF (``api.invoice_pdf``, laid out like Stripe's), without an
API key (like Stripe's public links). Only finalized invoices
have these links; a draft or unknown id answers 404.
"""

from __future__ import annotations

import html
from typing import Any

from stripe_emulator.api.invoice_figures import line_figures, total_rows
from stripe_emulator.api.invoice_pdf import invoice_pdf
from stripe_emulator.backend.invoice_history import history
from stripe_emulator.lib.currencies import format_money
from stripe_emulator.lib.routing import ApiCall, PageAnswer, Route, page
from stripe_emulator.models.invoice import INVOICES


def money(amount: int, currency: str) -> str:
    """``12.34 USD`` from minor units (exact: integer arithmetic only)."""
    return format_money(amount, currency)


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
        *[(row.label, money(row.amount, currency)) for row in total_rows(invoice)],
    ]


def _line_rows(invoice: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each line, then its own discounts under it (``api.invoice_figures``)."""
    currency = invoice["currency"]
    rows = []
    for line in line_figures(invoice):
        rows.append((line.description, line.quantity, money(line.amount, currency)))
        rows.extend((f"\u2003{label}", "", money(amount, currency))
                    for label, amount in line.discounts)
    return rows


def invoice_html(invoice: dict[str, Any]) -> str:
    """The hosted page: the summary with the totals block, then the lines (all text
    escaped)."""
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


def hosted_page(call: ApiCall) -> PageAnswer:
    invoice = _invoice_for(call.state, call.path_params["token"])
    if invoice is None:
        return PageAnswer("<h1>Invoice not found</h1>", status=404)
    return PageAnswer(invoice_html(invoice))


def hosted_pdf(call: ApiCall) -> PageAnswer:
    invoice = _invoice_for(call.state, call.path_params["token"])
    if invoice is None:
        return PageAnswer(b"not found", media_type="text/plain", status=404)
    return PageAnswer(invoice_pdf(invoice, history(call.state, invoice["id"])),
                      media_type="application/pdf")


ROUTES: list[Route] = [
    page("/i/{account}/{token}", hosted_page),
    page("/i/{account}/{token}/pdf", hosted_pdf),
]
