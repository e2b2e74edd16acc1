"""Overdue & aging: open receivables by age per currency, drilled down to customers and invoices."""

import pandas as pd
import streamlit as st

from services.core.access import Action
from services.reporting.receivables import OVERDUE
from ui import charts, reads, tables
from ui.caching import refresher
from ui.debtors_table import MAX_LISTED, OPEN_AGES, ORDERS, PAGE_SIZE, debtors_table
from ui.formatting import money_text
from ui.gate import require_page
from ui.invoice_table import show_invoices
from ui.layout import as_of
from ui.reads import read_or_stop
from ui.text import plain

BUCKETS = {**charts.BUCKET_TITLES, "total": "All open"}

user = require_page(Action.VIEW)
st.title("Overdue & aging")

as_of_day = st.date_input(
    "As of", value=reads.today(), key="as_of", bind="query-params", format="YYYY-MM-DD",
    help="Ages are counted from each invoice's due date to this day.", width=220,
)
loaded = read_or_stop(reads.aging, as_of_day, what="the aging report")
as_of(loaded.as_of, refresh=refresher("invoices", "reports"), key="overdue")
aging = loaded.value
currencies = sorted(aging["currency"].unique())
if not currencies:
    st.info(f"No open invoices on {as_of_day:%Y-%m-%d}: nothing is overdue.")
    st.stop()


cells = {(c, b): f"{money_text(amount, c)} ({count})" for c, b, count, amount
         in aging[["currency", "bucket", "count", "amount_remaining"]].itertuples(index=False)}
summary = pd.DataFrame(
    [{"currency": c.upper(), **{BUCKETS[b]: cells[c, b] for b in BUCKETS}} for c in currencies]
)
st.dataframe(summary, hide_index=True, width="stretch",
             column_config={"currency": "Currency"}, placeholder="")
st.caption("Each cell: the open amount (number of invoices).")
chart_columns = st.columns(min(len(currencies), 3))
for index, currency in enumerate(currencies):
    with chart_columns[index % len(chart_columns)]:
        chart = charts.aging_chart(aging, currency)
        st.vega_lite_chart(chart.data, chart.spec, width="stretch")

# -- drill-down: bucket → customer → invoices -------------------------------------------
# "All overdue" first: who owes the most that is past due. In an overdue view every amount,
# sort and total is the overdue amount; "All open" shows the open amount and, beside it, how
# much of it is overdue.
AGES = {OVERDUE: "All overdue", **BUCKETS}
st.subheader("Who owes what")
pick_currency, pick_bucket = st.columns([1, 3])
currency = pick_currency.segmented_control(
    "Currency", currencies, format_func=str.upper, default=currencies[0],
    key=f"overdue_currency.{as_of_day}",
) or currencies[0]
bucket = pick_bucket.segmented_control(
    "Age", list(AGES), format_func=lambda age: AGES.get(age, age), default=OVERDUE,
    key=f"overdue_bucket.{as_of_day}.{currency}",
) or OVERDUE
view = f"{as_of_day}.{currency}.{bucket}"  # every selection below is keyed to this view
open_view = bucket in OPEN_AGES  # amounts not (all) past due
# Grouped, ranked and cut in SQL: only the MAX_LISTED largest customers are read; the
# totals cover every one. Their money cells and links are made once per view (cached).
found = read_or_stop(debtors_table, as_of_day, bucket, currency, MAX_LISTED,
                     what="who owes what").value
if found.customers == 0:
    st.info(f"No open {currency.upper()} invoices are {AGES[bucket].lower()}.")
    st.stop()
customers_shown = found.rows
money_columns = found.money_columns
amount_label = money_columns["amount_remaining"]
customers_key = f"overdue_customers.{view}"
# the same customer stays picked
tables.keep_selection(customers_key, customers_shown["customer_id"])
picked = st.dataframe(
    customers_shown[["open", "customer", "email", "invoices", *money_columns.values(),
                     "oldest_days_overdue"]],
    key=customers_key, on_select="rerun", selection_mode="single-row",
    hide_index=True, width="stretch",
    column_config={
        "open": st.column_config.LinkColumn("Customer page", display_text="Open", width="small"),
        "customer": "Customer", "email": "Email", "invoices": "Invoices",
        "oldest_days_overdue": "Oldest (days overdue)",
    }, placeholder="",
)


def totals(count: int, amount: int, overdue: int, what: str) -> str:
    """The line under a list: its total amount (this currency) and how many ``what``."""
    extra = ""
    if bucket == "total":
        extra = " (of which overdue " + (money_text(overdue, currency) if overdue
                                          else "nothing") + ")"
    return (f"Total {amount_label.lower()}: {money_text(amount, currency)}{extra} · "
            f"{count:,} {what}")


amount_all = found.amount_remaining if open_view else found.amount_overdue
st.caption(totals(found.invoices, amount_all, found.amount_overdue, "invoices")
           + f" · {found.customers:,} customers · "
           + (f"the {MAX_LISTED:,} largest shown · " if found.customers > MAX_LISTED else "")
           + "select a customer to list only their invoices.")
chosen = tables.selected(picked, customers_shown, key=customers_key,
                         id_column="customer_id", what="customer")  # the customer clicked
if chosen is not None:
    st.markdown(f"**Invoices of {plain(chosen['customer'] or chosen['email'])}** · "
                f"{currency.upper()} · {AGES[bucket]}")
else:
    st.markdown(f"**All {currency.upper()} invoices** · {AGES[bucket]}")
customer_id = None if chosen is None else str(chosen["customer_id"])
ORDER_LABELS = {"largest": f"Largest {amount_label.lower()}", "most overdue": "Most overdue"}
pick_order, pick_page = st.columns([3, 1])
order_label = pick_order.segmented_control(
    "Sort", list(ORDERS), format_func=ORDER_LABELS.__getitem__, default=next(iter(ORDERS)),
    key=f"overdue_sort.{view}",
) or next(iter(ORDERS))
page_key = f"overdue_page.{view}.{customer_id}.{order_label}"
page = st.session_state.get(page_key, 1)
listing = read_or_stop(reads.aging_page, as_of_day, bucket, currency, customer_id,
                       ORDERS[order_label], int(page), PAGE_SIZE,
                       what="the invoices in this bucket").value
if listing.pages > 1:
    pick_page.number_input(f"Page (of {listing.pages:,})", min_value=1,
                           max_value=listing.pages, step=1, key=page_key)
shown = show_invoices(listing.rows, key=f"overdue_invoices.{view}.{customer_id}", sort=None,
                      extra={"email": "Email"})
if listing.count:
    owed = sum(t.outstanding for t in listing.totals if t.currency == currency)
    late = found.amount_overdue if chosen is None else int(chosen["amount_overdue"])
    st.caption(totals(listing.count, owed, late, "invoices") + (
        f" · rows {listing.first_row:,}–{listing.last_row:,} shown"
        if listing.count > len(listing.rows) else ""))
tables.export_buttons(shown, f"overdue-{currency}-{bucket}-{as_of_day}",
                      key=f"overdue_export.{view}")
