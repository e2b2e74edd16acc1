"""Invoices: filter, sort and page any set in SQL (all kept in the URL), its count and totals
per currency, exports of the whole set, and a selected row opens that invoice."""

import streamlit as st

from services.core.access import Action, can
from ui import invoice_listing, layout, reads, tables
from ui.caching import refresher
from ui.gate import require_page
from ui.invoice_filters import filter_bar
from ui.invoice_table import column_config, shown_frame
from ui.navigation import go, link

user = require_page(Action.VIEW)

if invoice_id := st.query_params.get("invoice"):  # /invoices?invoice=in_… opens that invoice
    go("pages/invoice.py", query_params={"invoice": invoice_id})

title, new = st.columns([5, 1], vertical_alignment="bottom")
title.title("Invoices")
if can(user.role, Action.CREATE_DRAFT):
    with new:
        link("pages/new_invoice.py", label="New invoice", icon=":material/add:")

customers = reads.customers_table().value
query = filter_bar(customers, as_of=reads.today())
loaded = invoice_listing.load(query)  # one page, sorted in SQL, and the whole set's totals
listing = loaded.value
layout.as_of(loaded.as_of, refresh=refresher("invoices", "customers"), key="invoices")

invoice_listing.summary(listing)
shown = shown_frame(listing.rows)
table_key = tables.selection_key("invoices_table", {**query.key_parts(), "page": listing.page})
event = st.dataframe(
    shown,
    hide_index=True,
    column_config=column_config(),
    on_select="rerun",
    selection_mode="single-row",
    key=table_key, placeholder="",
)
if (row := tables.selected(event, shown, key=table_key, id_column="Invoice ID",
                           what="invoice")) is not None:
    go("pages/invoice.py", query_params={"invoice": row["Invoice ID"]})
invoice_listing.pager(listing)

invoice_listing.export_buttons(query, listing, f"invoices-{reads.today():%Y-%m-%d}")
