"""Overdue & aging: open receivables by age per currency, drilled down to customers and invoices."""

import pandas as pd
import streamlit as st

from services.core.access import Action
from services.reporting.aging import debtors, totals_by_currency
from services.reporting.receivables import OVERDUE
from ui import charts, navigation, reads, tables
from ui.caching import refresher
from ui.formatting import money_text
from ui.gate import require_page
from ui.invoice_table import show_invoices
from ui.layout import as_of
from ui.reads import read_or_stop
from ui.text import plain

BUCKETS = {**charts.BUCKET_TITLES, "total": "All open"}
MAX_LISTED = 1_000  # rows drawn per list; totals cover them all

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


def cell(currency: str, bucket: str) -> str:
    row = aging[(aging["currency"] == currency) & (aging["bucket"] == bucket)].iloc[0]
    return f"{money_text(row['amount_remaining'], currency)} ({row['count']})"


summary = pd.DataFrame(
    [{"currency": c.upper(), **{BUCKETS[b]: cell(c, b) for b in BUCKETS}} for c in currencies]
)
st.dataframe(summary, hide_index=True, width="stretch",
             column_config={"currency": "Currency"})
st.caption("Each cell: the open amount (number of invoices).")
chart_columns = st.columns(min(len(currencies), 3))
for index, currency in enumerate(currencies):
    with chart_columns[index % len(chart_columns)]:
        st.altair_chart(charts.aging_chart(aging, currency), width="stretch")

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
rows = read_or_stop(reads.aging_rows, as_of_day, bucket, currency,
                    what="the invoices in this bucket").value
open_view = bucket in ("total", "current")  # amounts not (all) past due
by_customer = debtors(rows, by="amount_remaining" if open_view else "amount_overdue")
if by_customer.empty:
    st.info(f"No open {currency.upper()} invoices are {AGES[bucket].lower()}.")
    st.stop()
amount_label = "Open amount" if open_view else "Overdue amount"
money_columns = {"amount_remaining": amount_label}
if bucket == "total":
    money_columns["amount_overdue"] = "Of which overdue"
# Lists stop at the MAX_LISTED largest (a big book has tens of thousands open: drawing them
# all takes seconds and helps nobody); the totals always cover every invoice.
listed = by_customer.head(MAX_LISTED)
customers_shown = tables.with_money(listed, money_columns)
customers_shown.insert(0, "open", [navigation.customer_url(c) for c in listed["customer_id"]])
customers_key = f"overdue_customers.{view}"
tables.keep_selection(customers_key, listed["customer_id"])  # the same customer stays picked
picked = st.dataframe(
    customers_shown[["open", "customer", "email", "invoices", *money_columns.values(),
                     "oldest_days_overdue"]],
    key=customers_key, on_select="rerun", selection_mode="single-row",
    hide_index=True, width="stretch",
    column_config={
        "open": st.column_config.LinkColumn("Customer page", display_text="Open", width="small"),
        "customer": "Customer", "email": "Email", "invoices": "Invoices",
        "oldest_days_overdue": "Oldest (days overdue)",
    },
)


def totals(frame: pd.DataFrame, what: str) -> str:
    """The line under a list: its total amount per currency and how many ``what``."""
    sums = totals_by_currency(frame)
    amounts = ", ".join(money_text(amount, cur) for cur, amount in sorted(sums.items()))
    extra = ""
    if bucket == "total":
        late = totals_by_currency(frame[frame["days_overdue"] > 0])
        extra = " (of which overdue " + (", ".join(
            money_text(amount, cur) for cur, amount in sorted(late.items())) or "nothing") + ")"
    return f"Total {amount_label.lower()}: {amounts or '—'}{extra} · {len(frame)} {what}"


st.caption(totals(rows, "invoices") + f" · {len(by_customer)} customers · "
           + (f"the {MAX_LISTED:,} largest shown · " if len(by_customer) > MAX_LISTED else "")
           + "select a customer to list only their invoices.")
chosen = tables.selected(picked, customers_shown.reset_index(drop=True), key=customers_key,
                         id_column="customer_id", what="customer")  # the customer clicked
if chosen is not None:
    invoices = rows[rows["customer_id"] == chosen["customer_id"]]
    st.markdown(f"**Invoices of {plain(chosen['customer'] or chosen['email'])}** · "
                f"{currency.upper()} · {AGES[bucket]}")
else:
    invoices = rows
    st.markdown(f"**All {currency.upper()} invoices** · {AGES[bucket]}")
oldest = invoices.sort_values(["days_overdue", "amount_remaining"], ascending=False,
                              kind="stable").head(MAX_LISTED)
shown = show_invoices(oldest, key=f"overdue_invoices.{view}", sort="Most overdue",
                      extra={"email": "Email"})
if not invoices.empty:
    st.caption(totals(invoices, "invoices") + (
        f" · the {MAX_LISTED:,} most overdue shown (select a customer for all of theirs)"
        if len(invoices) > MAX_LISTED else ""))
tables.export_buttons(shown, f"overdue-{currency}-{bucket}-{as_of_day}",
                      key=f"overdue_export.{view}")
