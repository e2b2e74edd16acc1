"""Cash received: money in by day, week or month per currency, and the payments behind it."""

from datetime import timedelta

import streamlit as st

from services.core.access import Action
from services.core.clock import business_zone
from services.reporting.cash_received import GRAINS
from ui import report_reads, tables
from ui.caching import refresher
from ui.cash_received import (
    DEFAULT_DAYS,
    DEFAULT_GRAIN,
    payments_file_name,
    payments_shown,
    show_totals,
)
from ui.gate import require_page
from ui.layout import as_of
from ui.navigation import go
from ui.reads import read_or_stop, today
from ui.ready_downloads import version_of
from ui.text import plain

user = require_page(Action.VIEW)
st.title("Cash received")
st.caption("Money that came in, on the day it arrived (each partial payment on its own "
           "date), per currency; days, weeks and months and the times shown are those of the "
           f"business time zone ({plain(str(business_zone()))}), as on every page. Select a "
           "period to see the payments behind it.")

latest = today()
pick_start, pick_end, pick_grain = st.columns([1, 1, 2], vertical_alignment="bottom")
start = pick_start.date_input("From", value=latest - timedelta(days=DEFAULT_DAYS - 1), key="from",
                              bind="query-params", format="YYYY-MM-DD")
end = pick_end.date_input("To", value=latest, key="to", bind="query-params",
                          format="YYYY-MM-DD")
grain = pick_grain.segmented_control(
    "Group by", GRAINS, format_func=str.capitalize, default=DEFAULT_GRAIN, key="by",
    bind="query-params",
) or DEFAULT_GRAIN
if start is None or end is None:
    st.info("Choose the first and last day of the period.")
    st.stop()
loaded = read_or_stop(report_reads.cash_received, start, end, grain, what="the cash received")
as_of(loaded.as_of, refresh=refresher("invoices", "reports"), key="cash_received")
report = loaded.value.report
show_totals(report)
if report.periods.empty:
    st.info(f"No payments arrived between {start:%Y-%m-%d} and {end:%Y-%m-%d}.")
    st.stop()

view = f"{start}.{end}.{grain}"  # a new period or grouping starts with no selection
periods = loaded.value.periods
periods_key = f"cash_periods.{view}"
tables.keep_selection(periods_key, periods["row_id"])  # the drill-down stays on its period
picked = st.dataframe(
    periods, key=periods_key, on_select="rerun", selection_mode="single-row",
    hide_index=True, width="stretch",
    column_config={"period": None, "row_id": None,
                   "Payments": st.column_config.NumberColumn(format="%d")}, placeholder="",
)
tables.export_buttons(periods.drop(columns=["period", "row_id"]),
                      f"cash-received-by-{grain}-{start}-{end}", key=f"cash_periods_export.{view}")

chosen = tables.selected(picked, periods, key=periods_key, id_column="row_id", what="period")
if chosen is None:
    st.subheader("Every payment in the period")
    shown = loaded.value.payments
else:
    st.subheader(f"Payments of {chosen['Period']} in {chosen['Currency']}")
    shown = payments_shown(report.rows_behind(chosen["period"], chosen["Currency"]))
payments_key = f"cash_payments.{view}.{chosen['row_id'] if chosen is not None else 'all'}"
event = st.dataframe(
    shown, key=payments_key, on_select="rerun", selection_mode="single-row", hide_index=True,
    width="stretch", placeholder="",
    column_config={"Received": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
)
st.caption(f"{len(shown)} payment{'s' if len(shown) != 1 else ''} · select one to open its "
           "invoice")
# by invoice: money marked paid outside Stripe has no payment id, and a click opens the invoice
row = tables.selected(event, shown, key=payments_key, id_column="Invoice ID", what="payment")
if row is not None:
    go("pages/invoice.py", query_params={"invoice": row["Invoice ID"]})
payments_name = (payments_file_name(start, end, grain) if chosen is None else
                 payments_file_name(start, end, grain, chosen["period"], chosen["Currency"]))
# An .xlsx of 5,000 payments takes seconds: a long view's files are made when asked.
tables.export_buttons_or_prepare(shown, payments_name, key="cash_payments_export",
                                 version=version_of(payments_key, loaded.as_of, len(shown)),
                                 what="payments")
