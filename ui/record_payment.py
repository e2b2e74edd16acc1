"""Record payment: how much arrived, on which day, how, with which reference; what will
remain is shown before confirming, and an overpayment must be confirmed on its own.

The button only asks (:func:`ui.dialogs.ask`); :func:`dialog` shows the form while that
request is pending, reruns as the user types (the figures follow the amount), and records
with the request's nonce (:attr:`ui.dialogs.Pending.nonce`), so a double click records
once (:mod:`services.invoicing.payments`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import streamlit as st

from services.core.access import Action
from services.core.clock import business_time
from services.core.errors import DashboardError
from services.core.money import to_major
from services.invoicing.payments import METHOD_NAMES, PaymentMethod, PaymentPlan, plan_payment
from ui import dialogs, runtime
from ui.caching import invalidate
from ui.formatting import money
from ui.invoice_detail import label
from ui.layout import flash
from ui.reads import today
from ui.text import plain

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

    from services.core.models import Invoice
    from ui.auth import CurrentUser

ACTION = Action.RECORD_PAYMENT.value
FIELDS = ("amount", "received_on", "method", "reference", "overpaid")


def _key(invoice: Invoice, field: str) -> str:
    return f"record_payment.{invoice.id}.{field}"


def offer(row: DeltaGenerator, invoice: Invoice) -> None:
    """The "Record payment for …" button (the caller checks status and role)."""
    row.button(f"Record payment for {plain(label(invoice))}", key=f"ask.{ACTION}",
               on_click=dialogs.ask, args=(ACTION, invoice.id, label(invoice)),
               icon=":material/payments:")


def day_rule(finalized: date | None) -> str:
    """The rule for the day the money arrived, in words (the field's help)."""
    if finalized is None:
        return "Not in the future."
    return (f"Not before the invoice was finalized on {finalized.isoformat()}, "
            "not in the future.")


def effect(plan: PaymentPlan) -> str:
    """What the payment will do, in words (plain text)."""
    if plan.overpaid:
        return (f"This pays the invoice in full and {money(plan.overpaid, plan.currency)} more: "
                "the excess is credited to the customer's balance (taken off their next "
                "invoice).")
    if plan.pays_in_full:
        return "This pays the invoice in full: it becomes Paid."
    return (f"After this payment {money(plan.remaining_after, plan.currency)} remains to be "
            "paid; the invoice stays open.")


def dialog(invoice: Invoice, user: CurrentUser) -> None:
    """The Record-payment form while it is asked for on this invoice."""
    request = dialogs.pending()
    if request is None or request.action != ACTION or request.target_id != invoice.id:
        return

    @st.dialog("Record a payment", on_dismiss=dialogs.close)
    def _form() -> None:
        currency = invoice.currency
        st.markdown(f"Money received outside Stripe for **{plain(label(invoice))}** "
                    f"({plain(invoice.customer_name or invoice.customer_id)}). Still owed: "
                    f"**{plain(money(invoice.amount_remaining, currency))}**.")
        amount = st.text_input(f"Amount received ({currency.upper()})", key=_key(invoice, "amount"),
                               value=str(to_major(invoice.amount_remaining, currency)))
        finalized = business_time(invoice.finalized_at).date() if invoice.finalized_at else None
        now = today()
        # No min/max: the widget would swap a day outside them for today without a word;
        # the service refuses it by field instead, shown below, and nothing is recorded.
        received_on = st.date_input("Day the money arrived", value=now,
                                    key=_key(invoice, "received_on"), format="YYYY-MM-DD",
                                    help=day_rule(finalized))
        method = st.selectbox("Method", list(PaymentMethod), key=_key(invoice, "method"),
                              format_func=lambda m: METHOD_NAMES[PaymentMethod(m)])
        reference = st.text_input("Reference (bank reference, cheque number…)",
                                  key=_key(invoice, "reference"))
        problem = st.empty()
        confirmed = False
        try:
            plan = plan_payment(invoice, amount_text=amount, received_on=received_on,
                                method=method, reference=reference, overpayment_confirmed=True,
                                today=now)
        except DashboardError as err:
            problem.error(plain(err), icon=":material/error:")
            plan = None
        if plan is not None:
            st.info(plain(effect(plan)), icon=":material/info:")
            if plan.overpaid:
                confirmed = st.checkbox(
                    f"Yes, {money(plan.amount, currency)} arrived: record the overpayment of "
                    f"{money(plan.overpaid, currency)}", key=_key(invoice, "overpaid"))
        yes, no = st.columns(2)
        record = yes.button("Record payment", type="primary", key=f"confirm_yes.{ACTION}",
                            disabled=plan is None)
        if no.button("Cancel", key=f"confirm_no.{ACTION}"):
            dialogs.close()
            st.rerun()
        if not record:
            return
        try:
            paid = runtime.services().invoices.payments.record(
                user.actor, invoice.id, amount_text=amount, received_on=received_on,
                method=method, reference=reference, overpayment_confirmed=confirmed,
                form_nonce=request.nonce)
        except DashboardError as err:
            problem.error(plain(err), icon=":material/error:")
            return
        dialogs.close()
        for field in FIELDS:
            st.session_state.pop(_key(invoice, field), None)
        invalidate("invoices", "reports", "audit")
        flash(f"Payment of {money(plan.amount if plan else 0, currency)} recorded on "
              f"{label(invoice)}: " + ("it is paid" if paid.status == "paid" else
                                       f"{money(paid.amount_remaining, currency)} remains"))
        st.rerun()

    _form()
