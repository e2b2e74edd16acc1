"""One invoice: header, the actions its status and your role allow, timeline, lines.

Opened as ``/invoice?invoice=in_…`` (rows of the Invoices table, Lookup, links);
``/invoices?invoice=in_…`` forwards here.
"""

import streamlit as st

from services.core.access import Action, can
from services.core.errors import DashboardError, NotFound
from ui import catalog_reads, draft_editor, invoice_actions, invoice_detail, layout, reads
from ui.caching import refresher
from ui.gate import require_page
from ui.navigation import link
from ui.text import plain

user = require_page(Action.VIEW)
invoice_id = (st.query_params.get("invoice") or "").strip()
if not invoice_id:
    st.title("Invoice")
    st.info("No invoice chosen. Open one from the Invoices list or look it up.")
    link("pages/invoices.py", label="Go to Invoices", icon=":material/list:")
    st.stop()

try:
    snapshot = reads.invoice(invoice_id)
    history = reads.invoice_history(invoice_id).value
except NotFound:
    st.title("Invoice")
    st.error(f"There is no invoice {plain(invoice_id)}. It may have been deleted, "
             "or the link is wrong.")
    link("pages/invoices.py", label="Go to Invoices", icon=":material/list:")
    st.stop()
except DashboardError as err:
    st.title("Invoice")
    st.error(plain(err))
    st.stop()

invoice = snapshot.value
invoice_detail.header(invoice, today=reads.today())
layout.as_of(snapshot.as_of, refresh=refresher("invoices", "audit"), key="invoice")
invoice_actions.buttons(invoice, user)
invoice_detail.download_pdf(invoice)
invoice_detail.timeline(invoice, history)
figures = reads.read_or_none(catalog_reads.invoice_breakdown, invoice.id,
                             what="the invoice's totals")
invoice_detail.lines(invoice, figures.value if figures else None)
if figures and invoice.status == "draft" and can(user.role, Action.EDIT_DRAFT):
    draft_editor.editor(invoice, figures.value, user)
