"""Payment activity: failed and processing payments to act on, events received, messages sent."""

from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from services.core.access import Action, can
from services.core.clock import business_time
from ui import forms, navigation, runtime
from ui.formatting import money_text
from ui.gate import require_page
from ui.layout import as_of
from ui.reads import read_or_stop
from ui.text import plain

NEEDS_ATTENTION = "needs attention"

user = require_page(Action.VIEW)
events = runtime.services().events
st.title("Payment activity")
if events is None:
    st.info(
        "Payment events are not configured: this dashboard is not receiving Stripe's payment "
        "events, so failed and processing payments cannot be listed here yet. Ask an admin.",
        icon=":material/notifications_off:",
    )
    st.stop()
may_resend = can(user.role, Action.RESEND_PAYMENT_NOTICE)
as_of(business_time(datetime.now(UTC)), refresh=lambda: None, key="payment_activity")


def resend(invoice_id: str) -> Callable[[str], object]:
    """The write of a "Resend" button: queue the payment link email (once per click,
    with the nonce drawn with the button: see ui.forms)."""
    def write(nonce: str) -> None:
        events.resend_payment_link(user.actor, invoice_id, form_nonce=nonce)

    return write


def resent(invoice_id: str) -> Callable[[object], None]:
    def note(_result: object) -> None:
        st.session_state[f"_resent.{invoice_id}"] = business_time(datetime.now(UTC))

    return note


def another_resend(invoice_id: str) -> None:
    """Offer the Resend button again (its next click is a new email)."""
    st.session_state.pop(f"_resent.{invoice_id}", None)


st.subheader("To do")
todo = read_or_stop(events.todo, what="the payments to follow up")
if todo.empty:
    st.success("No failed or processing payments need attention.", icon=":material/task_alt:")
for row in todo.to_dict("records"):  # one invoice to follow up: column -> value
    invoice_id: str = row["invoice_id"]
    number: str = row["number"] or invoice_id
    payment_state: str = row["state"]
    with st.container(border=True):
        what, state, action = st.columns([3, 3, 3], vertical_alignment="center")
        amount = money_text(row["amount_due"], row["currency"])
        what.markdown(f"**[Invoice {plain(number)}]({navigation.invoice_url(invoice_id)})**"
                      f"  \n{plain(row['email']) or 'no email'} · {amount}")
        since = "unknown" if pd.isna(row["since"]) else f"{row['since']:%Y-%m-%d %H:%M}"
        colour = "red" if payment_state == NEEDS_ATTENTION else "orange"
        state.markdown(f":{colour}-badge[{plain(payment_state)}] since {since}  \n"
                       f"{plain(row['detail'])}")
        if payment_state != NEEDS_ATTENTION:
            action.caption("Waiting for the bank: nothing to do yet.")
        elif not may_resend:
            action.caption("A clerk can resend the payment link.")
        elif resent_at := st.session_state.get(f"_resent.{invoice_id}"):
            action.caption(f"Payment link resent at {resent_at:%H:%M:%S}.")
            action.button(f"Send {plain(number)} again…", key=f"resend_again.{invoice_id}",
                          on_click=another_resend, args=(invoice_id,))
        else:
            forms.action_button(
                f"resend.{invoice_id}", f"Resend payment link for {plain(number)}",
                resend(invoice_id), then=resent(invoice_id), container=action,
                success=f"Payment link for invoice {number} queued for the customer",
                type="primary", icon=":material/forward_to_inbox:",
            )
        with action:
            forms.other_errors(f"resend.{invoice_id}")

st.subheader("Events received")
activity = read_or_stop(events.activity, what="the payment events")
if activity.empty:
    st.caption("No payment events received yet.")
else:
    # an event that names no invoice (a test clock, a cancelled payment intent) has no link
    links = [navigation.invoice_url(i) if isinstance(i, str) and i else None
             for i in activity["invoice_id"]]
    activity = activity.assign(open=pd.Series(links, index=activity.index, dtype=object))
    st.dataframe(
        activity[["received_at", "event_type", "outcome", "summary", "error", "open",
                  "invoice_id", "event_id", "source"]],
        key="payment_activity_events", hide_index=True, width="stretch",
        column_config={
            "received_at": st.column_config.DatetimeColumn(
                "Received", format="YYYY-MM-DD HH:mm:ss"
            ),
            "event_type": "Event", "outcome": "Outcome", "summary": "What was done",
            "error": "Error", "invoice_id": "Invoice id", "event_id": "Event id",
            "source": "Via",
            "open": st.column_config.LinkColumn("Invoice", display_text="Open", width="small"),
        }, placeholder="",
    )

st.subheader("Messages to customers (outbox)")
outbox = read_or_stop(events.outbox, what="the outbox")
if outbox.empty:
    st.caption("No messages queued.")
else:
    st.dataframe(
        outbox[["queued_at", "kind", "recipient", "subject", "status", "attempts", "last_error",
                "sent_at", "invoice_id"]],
        key="payment_activity_outbox", hide_index=True, width="stretch",
        column_config={
            "queued_at": st.column_config.DatetimeColumn("Queued", format="YYYY-MM-DD HH:mm"),
            "sent_at": st.column_config.DatetimeColumn("Sent", format="YYYY-MM-DD HH:mm"),
            "kind": "Kind", "recipient": "To", "subject": "Subject", "status": "Status",
            "attempts": "Attempts", "last_error": "Last error", "invoice_id": "Invoice id",
        }, placeholder="",
    )
