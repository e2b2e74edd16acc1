"""Customer statement: a customer's balance over a period, line by line, with the aging at
its end; CSV, Excel and PDF. Opened from the customer's page (``?customer=cus_…``)."""

from datetime import timedelta

import streamlit as st

from services.core.access import Action
from ui import reads, report_reads, statement
from ui.caching import refresher
from ui.customer_picker import customer_picker
from ui.gate import require_page
from ui.layout import as_of
from ui.reads import read_or_stop

user = require_page(Action.VIEW)
st.title("Customer statement")

customers = read_or_stop(reads.customers_table, what="customers").value
wanted = st.query_params.get("customer")
customer_id = customer_picker(customers, key="statement_customer", wanted=wanted,
                              placeholder="Choose a customer")
latest = reads.today()
left, right = st.columns(2)
start = left.date_input("From", value=latest - timedelta(days=89), key="from",
                        bind="query-params", format="YYYY-MM-DD")
end = right.date_input("To", value=latest, key="to", bind="query-params", format="YYYY-MM-DD")
if not customer_id or start is None or end is None:
    st.info("Choose a customer and the first and last day of the period.")
    st.stop()
if customer_id != wanted:
    st.query_params["customer"] = customer_id  # a link to this statement names its customer

loaded = read_or_stop(report_reads.statement, customer_id, start, end, what="the statement")
as_of(loaded.as_of, refresh=refresher("invoices", "customers", "reports"), key="statement")
statement.show(loaded.value, key=f"statement.{customer_id}.{start}.{end}")
