"""Lookup: one box for an invoice number, any id, an email, a customer name or an amount."""

import pandas as pd
import streamlit as st

from services.core.access import Action
from services.reporting.lookup import parse_query
from ui import navigation, reads
from ui.gate import require_page
from ui.layout import LOOKUP_PARAM, as_of
from ui.reads import read_or_stop
from ui.text import plain

KIND_LABELS = {"invoice": "Invoice", "customer": "Customer", "product": "Product",
               "price": "Price"}
READS_AS = {
    "id": "an id", "invoice_number": "an invoice number", "email": "an email address",
    "amount": "an amount (invoices with that total, or that much left to pay)",
    "name": "a name or words (customers, products, PO numbers, metadata, invoice lines)",
}

OPENS = {"invoice": ("pages/invoice.py", "invoice"), "customer": ("pages/customers.py", "customer")}
EXACT = 0.95  # services.reporting.lookup scores an exact id or invoice number at 0.95 or more
BOX = "lookup_text"
URL_SEEN = "_lookup_url_q"  # the ?q= value the box was last synced with

user = require_page(Action.VIEW)
st.title("Lookup")

def search_changed() -> None:
    """Typing in the box puts the search in the URL (shareable, survives a reload)."""
    typed = st.session_state[BOX].strip()
    st.session_state[URL_SEEN] = typed
    if typed:
        st.query_params[LOOKUP_PARAM] = typed
    else:
        st.query_params.pop(LOOKUP_PARAM, None)


# The URL wins when it changes (the sidebar box, a shared link, a reload): Streamlit's
# bind="query-params" does not pick up ?q= set by st.switch_page, so sync by hand.
from_url = (st.query_params.get(LOOKUP_PARAM) or "").strip()
if st.session_state.get(URL_SEEN) != from_url:
    st.session_state[BOX] = from_url
    st.session_state[URL_SEEN] = from_url
text = st.text_input(
    "Search", key=BOX, on_change=search_changed,
    placeholder="Invoice number, in_… / cus_… id, email, name, PO number or amount (€1.234,50)",
).strip()
if not text:
    st.caption("Type what the customer tells you: their invoice number, email, name, "
               "or the amount they paid.")
    st.stop()


def link_for(kind: str, object_id: str) -> str:
    if kind == "invoice":
        return navigation.invoice_url(object_id)
    if kind == "customer":
        return navigation.customer_url(object_id)
    return "/catalog"


loaded = read_or_stop(reads.lookup, text, what="matches")
as_of(loaded.as_of, refresh=reads.lookup.clear, key="lookup")
results = loaded.value
parsed = parse_query(text)
also = " or the end of an invoice number" if parsed.number_tail and parsed.amounts else ""
st.caption(f"“{plain(text)}” reads as {READS_AS.get(parsed.kind, 'text')}{also}.")
if not results:
    st.info(f"Nothing matches “{plain(text)}”. Check the spelling, or try the email or the "
            "invoice number.")
    st.stop()
best = results[0]
if best.kind in OPENS and (len(results) == 1 or best.score >= EXACT):  # open it at once
    page, param = OPENS[best.kind]
    navigation.link(page, f"Open {best.title}", query_params={param: best.object_id},
                    icon=":material/open_in_new:")
frame = pd.DataFrame(
    {
        "open": [link_for(r.kind, r.object_id) for r in results],
        "kind": [KIND_LABELS.get(r.kind, r.kind) for r in results],
        "title": [r.title for r in results],
        "details": [r.subtitle for r in results],
        "object_id": [r.object_id for r in results],
    }
)
st.dataframe(
    frame, key=f"lookup_results.{text}", hide_index=True, width="stretch",
    column_config={
        "open": st.column_config.LinkColumn("Open", display_text="Open", width="small"),
        "kind": "What", "title": "Match", "details": "Details", "object_id": "Id",
    }, placeholder="",
)
st.caption(f"{len(results)} match{'es' if len(results) != 1 else ''}, best first.")
