"""Editing a saved draft on the Invoice page: terms, tax rates, coupons and lines.

Three small forms, each one service call (:attr:`services.invoices.edits`): the
invoice's terms (memo, footer, PO number, days until due, default tax rates, invoice
coupons), one chosen line (quantity of a price line or amount and description of a
custom line, its own tax rates and coupons, or remove it), and a new line. Pickers
read the read model (:mod:`ui.catalog_reads`). After each change the widgets start
again from what Stripe now holds, and the totals shown are Stripe's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from services.core.money import to_major
from services.core.rates_and_coupons import distinct_labels
from ui import catalog_reads, forms, reads, runtime
from ui.caching import invalidate
from ui.draft_items import one_time_prices
from ui.formatting import money
from ui.text import plain

if TYPE_CHECKING:
    from services.core.models import Invoice
    from services.invoicing.breakdown import InvoiceBreakdown, LineBreakdown
    from ui.auth import CurrentUser


def _pickers(currency: str) -> tuple[dict[str, str], dict[str, str]]:
    """Active tax rates and coupons usable in ``currency``: id → label."""
    rates = distinct_labels(catalog_reads.tax_rates(False).value)
    coupons = distinct_labels(c for c in catalog_reads.coupons(False).value
                              if c.usable_in(currency))
    return rates, coupons


def _done(form: str, fields: list[str]) -> None:
    """After a change: fresh widgets (from Stripe's new state) and fresh caches."""
    forms.clear_fields(form, fields)
    forms.new_form_instance(form)
    invalidate("invoices", "reports", "audit")


def editor(invoice: Invoice, breakdown: InvoiceBreakdown, user: CurrentUser) -> None:
    """The draft's edit forms (call only for a draft the user may edit)."""
    st.subheader("Edit the draft")
    rates, coupons = _pickers(invoice.currency)
    _terms(invoice, breakdown, user, rates, coupons)
    if breakdown.lines:
        _line(invoice, breakdown, user, rates, coupons)
    _new_line(invoice, user, rates, coupons)


def _terms(invoice: Invoice, breakdown: InvoiceBreakdown, user: CurrentUser,
           rates: dict[str, str], coupons: dict[str, str]) -> None:
    form = f"draft_terms.{invoice.id}"
    key = forms.widget_key
    fields = ["memo", "footer", "po_number", "days_until_due", "default_tax_rates", "coupons"]
    with st.form(form):
        st.markdown("**Terms, tax and discounts of the whole invoice**")
        left, right = st.columns(2)
        left.text_input("Memo (shown on the invoice)", value=invoice.memo or "",
                        key=key(form, "memo"))
        right.text_input("PO number", value=invoice.po_number or "", key=key(form, "po_number"))
        left.number_input("Days until due", min_value=0, max_value=365, step=1,
                          value=invoice.days_until_due or 30, key=key(form, "days_until_due"))
        right.text_input("Footer", value=invoice.footer or "", key=key(form, "footer"))
        chosen_rates = [r for r in breakdown.default_tax_rate_ids if r in rates]
        left.multiselect("Tax rates for every line (unless a line has its own)", list(rates),
                         default=chosen_rates, format_func=lambda r: rates.get(r, r),
                         key=key(form, "default_tax_rates"))
        chosen_coupons = [c for c in breakdown.coupon_ids if c in coupons]
        right.multiselect("Coupons on the whole invoice", list(coupons), default=chosen_coupons,
                          format_func=lambda c: coupons.get(c, c), key=key(form, "coupons"))
        for name in fields:
            forms.field_error(form, name)
        st.form_submit_button(
            f"Save terms of {plain(invoice.number or 'the draft')}", on_click=forms.submit,
            args=(form, lambda nonce: runtime.services().invoices.edits.update_terms(
                user.actor, invoice.id, memo=forms.value(form, "memo"),
                footer=forms.value(form, "footer"), po_number=forms.value(form, "po_number"),
                days_until_due=int(forms.value(form, "days_until_due") or 0),
                default_tax_rates=list(forms.value(form, "default_tax_rates") or []),
                coupons=list(forms.value(form, "coupons") or []), form_nonce=nonce)),
            kwargs={"success": "Draft terms saved", "then": lambda _: _done(form, fields)},
        )
        forms.other_errors(form, shown=fields)


def _line_label(line: LineBreakdown, currency: str) -> str:
    return f"{line.description or 'Line'} · {line.quantity} × {money(line.unit_amount, currency)}"


def _line(invoice: Invoice, breakdown: InvoiceBreakdown, user: CurrentUser,
          rates: dict[str, str], coupons: dict[str, str]) -> None:
    lines = {line.id: line for line in breakdown.lines}
    chosen_id = st.selectbox(
        "Line to change", list(lines), key=f"draft_line_choice.{invoice.id}",
        format_func=lambda lid: _line_label(lines[lid], invoice.currency))
    line = lines[chosen_id]
    form, key = f"draft_line.{invoice.id}.{line.id}", forms.widget_key
    fields = ["quantity", "amount", "description", "tax_rates", "coupons"]
    priced = next((item.price_id for item in invoice.lines if item.id == line.id), None)
    # the line's OWN rates and coupons only: the invoice's defaults and coupons apply to
    # the line too, but saving them as the line's own would tax or discount it twice
    own_rates = [r for r in line.own_tax_rate_ids if r in rates]
    with st.form(form):
        left, right = st.columns(2)
        if priced:
            left.number_input("Quantity", min_value=1, max_value=1_000_000, step=1,
                              value=line.quantity, key=key(form, "quantity"))
        else:
            major = to_major(line.amount, invoice.currency)
            left.text_input(f"Amount ({invoice.currency.upper()})", value=str(major),
                            key=key(form, "amount"))
            right.text_input("Description", value=line.description or "",
                             key=key(form, "description"))
        left.multiselect("This line's own tax rates (none: the invoice's)", list(rates),
                         default=own_rates, format_func=lambda r: rates.get(r, r),
                         key=key(form, "tax_rates"))
        right.multiselect("Coupons on this line", list(coupons),
                          default=[c for c in line.coupon_ids if c in coupons],
                          format_func=lambda c: coupons.get(c, c), key=key(form, "coupons"))
        for name in fields:
            forms.field_error(form, name)
        save, remove = st.columns(2)
        save.form_submit_button(
            "Save line", on_click=forms.submit,
            args=(form, lambda nonce: runtime.services().invoices.edits.update_line(
                user.actor, invoice.id, line.id,
                quantity=int(forms.value(form, "quantity")) if priced else None,
                amount_text=None if priced else forms.value(form, "amount"),
                description=None if priced else forms.value(form, "description"),
                tax_rates=list(forms.value(form, "tax_rates") or []),
                coupons=list(forms.value(form, "coupons") or []), form_nonce=nonce)),
            kwargs={"success": "Line saved", "then": lambda _: _done(form, fields)},
        )
        remove.form_submit_button(
            "Remove line", on_click=forms.submit,
            args=(form, lambda nonce: runtime.services().invoices.edits.remove_line(
                user.actor, invoice.id, line.id, form_nonce=nonce)),
            kwargs={"success": "Line removed", "then": lambda _: _done(form, fields)},
        )
        forms.other_errors(form, shown=fields)


def _new_line(invoice: Invoice, user: CurrentUser,
              rates: dict[str, str], coupons: dict[str, str]) -> None:
    form, key = f"draft_new_line.{invoice.id}", forms.widget_key
    fields = ["price", "quantity", "amount", "description", "tax_rates", "coupons"]
    prices = one_time_prices(reads.catalog(False).value, invoice.currency)
    with st.form(form):
        st.markdown("**Add a line**")
        left, right = st.columns(2)
        left.selectbox("Price (or leave empty for a custom amount)", list(prices), index=None,
                       format_func=lambda p: f"{prices[p][0].name} — {prices[p][1].display}",
                       key=key(form, "price"))
        right.number_input("Quantity", min_value=1, max_value=1_000_000, step=1, value=1,
                           key=key(form, "quantity"))
        left.text_input(f"Custom amount ({invoice.currency.upper()})", key=key(form, "amount"))
        right.text_input("Description of a custom amount", key=key(form, "description"))
        left.multiselect("Its own tax rates", list(rates), format_func=lambda r: rates.get(r, r),
                         key=key(form, "tax_rates"))
        right.multiselect("Coupons on it", list(coupons), key=key(form, "coupons"),
                          format_func=lambda c: coupons.get(c, c))
        for name in fields:
            forms.field_error(form, name)
        st.form_submit_button(
            "Add line", on_click=forms.submit,
            args=(form, lambda nonce: runtime.services().invoices.edits.add_line(
                user.actor, invoice.id, price_id=forms.value(form, "price"),
                quantity=int(forms.value(form, "quantity") or 1),
                amount_text=forms.value(form, "amount"),
                description=forms.value(form, "description"),
                tax_rates=list(forms.value(form, "tax_rates") or []),
                coupons=list(forms.value(form, "coupons") or []), form_nonce=nonce)),
            kwargs={"success": "Line added", "then": lambda _: _done(form, fields)},
        )
        forms.other_errors(form, shown=fields)


def finalize_checklist(invoice: Invoice) -> str:
    """Markdown to add to the finalize confirmation: each finding of
    :mod:`services.invoicing.finalize_checks` as a warning line (Stripe's and the form's
    text escaped), or a line saying nothing looks wrong."""
    found = runtime.services().invoices.finalize_warnings(invoice, reads.today())
    if not found:
        return "\n\n:material/check_circle: Checked: email, currency, due date, PO number."
    return "\n\n**Before you finalize:**\n\n" + "\n".join(
        f"- :material/warning: {plain(warning.message)}" for warning in found)
