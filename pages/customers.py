"""Customers: find, create and edit customers; one customer's invoices and what they owe."""

import streamlit as st

from services.core.access import Action, can
from services.core.models import Customer
from services.customers.balances import customer_balance
from services.customers.records import NEWEST_CUSTOMERS
from ui import customer_forms, forms, invoice_money, navigation, reads, runtime, tables
from ui.caching import invalidate, refresher
from ui.formatting import count_of, money_text
from ui.gate import require_page
from ui.invoice_table import show_invoices
from ui.layout import as_of
from ui.reads import read_or_none, read_or_stop
from ui.text import plain

NEW_FORM = "new_customer"
TABLE = "customers_table"

user = require_page(Action.VIEW)
services = runtime.services()
may_manage = can(user.role, Action.MANAGE_CUSTOMERS)
customer_id = st.query_params.get("customer")


def open_customer(chosen: str) -> None:
    st.query_params["customer"] = chosen


def back_to_list() -> None:
    st.query_params.pop("customer", None)
    for key in [k for k in st.session_state if str(k).startswith(f"{TABLE}.")]:
        del st.session_state[key]  # a stale row selection must not reopen a customer


def amounts(values: dict[str, int]) -> str:
    return ", ".join(money_text(v, c) for c, v in sorted(values.items())) or "nothing"


if customer_id:  # -- one customer ---------------------------------------------------
    st.button("All customers", icon=":material/arrow_back:", on_click=back_to_list)
    loaded = read_or_stop(reads.customer, customer_id, what="the customer")
    customer = loaded.value
    st.title(plain(customer.name or customer.email or customer.id))
    navigation.link("pages/statement.py", "Statement", query_params={"customer": customer_id},
                    icon=":material/request_quote:")
    st.caption(" · ".join(plain(x) for x in (customer.email, customer.id,
                                             customer.address.one_line if customer.address
                                             else None, customer.description) if x))
    as_of_day = reads.today()
    invoices = read_or_none(reads.customer_invoices, customer_id, as_of_day,
                            what="the customer's invoices")
    if invoices is not None:
        as_of(invoices.as_of, refresh=refresher("customers", "invoices"), key="customer")
        balance = customer_balance(invoices.value)
        tiles = st.columns(3)
        tiles[0].metric("Outstanding", amounts(balance.outstanding),
                        help=f"Remaining on {balance.open_count} open invoices")
        tiles[1].metric("Overdue", amounts(balance.overdue),
                        help=f"{count_of(balance.overdue_count, 'invoice')} past their due date")
        tiles[2].metric("Invoices", balance.invoice_count,
                        help=f"Oldest overdue: {count_of(balance.oldest_days_overdue, 'day')}")
        st.subheader("Invoices")
        show_invoices(invoices.value, key=f"customer_invoices.{customer_id}")
        invoice_money.customer_credit_notes(customer_id)
    if may_manage:
        form = f"edit_customer.{customer_id}"
        customer_forms.prefill(form, customer)

        def update(nonce: str) -> Customer:
            return services.customers.update(
                user.actor, customer.id, name=forms.value(form, "name", ""),
                email=forms.value(form, "email", ""),
                description=forms.value(form, "description", ""),
                address=customer_forms.address_of(form, editing=True), form_nonce=nonce,
            )

        def updated(_customer: Customer) -> None:
            forms.clear_fields(form, customer_forms.FIELDS)  # refill from the saved details
            invalidate("customers", "invoices")

        customer_forms.customer_form(
            form, title="Edit details", submit_label="Save changes", write=update,
            success=lambda c: f"Customer {c.name} saved", then=updated, clear_after=False,
        )
    st.stop()

# -- all customers ---------------------------------------------------------------------
st.title("Customers")
search = st.text_input("Search by name or email", key="search", bind="query-params",
                       placeholder="e.g. Acme or ap@acme.com").strip()
if search:
    found = read_or_stop(reads.customers_found, search, what="customers")
    frame, loaded_at = customer_forms.customers_frame(found.value), found.as_of
else:
    table = read_or_stop(reads.customers_table, what="customers")
    frame, loaded_at = table.value, table.as_of
as_of(loaded_at, refresh=refresher("customers"), key="customers")
if search:
    st.caption(f"{count_of(len(frame), 'customer')} matching “{plain(search)}”")
elif len(frame) >= NEWEST_CUSTOMERS and len(frame) < (
    total := read_or_stop(reads.customers_count, what="customers").value
):
    st.caption(f"The newest {len(frame):,} of {count_of(total, 'customer')}: search by name "
               "or email to find any other.")
else:
    st.caption(count_of(len(frame), "customer"))
shown = customer_forms.customers_view(frame)
table_key = f"{TABLE}.{search}"
event = st.dataframe(
    shown, key=table_key, on_select="rerun", selection_mode="single-row",
    hide_index=True, width="stretch", column_config=customer_forms.CUSTOMER_COLUMNS, placeholder="",
)
# the customer drawn in the clicked row, even if the list changed since
if (row := tables.selected(event, shown, key=table_key, id_column="customer_id",
                           what="customer")) is not None:
    open_customer(str(row["customer_id"]))
    tables.forget_selection(table_key)
    st.rerun()


def create(nonce: str) -> Customer:
    return services.customers.create(
        user.actor, name=forms.value(NEW_FORM, "name", ""),
        email=forms.value(NEW_FORM, "email", ""),
        description=forms.value(NEW_FORM, "description", ""),
        address=customer_forms.address_of(NEW_FORM, editing=False), form_nonce=nonce,
    )


if may_manage:
    customer_forms.customer_form(
        NEW_FORM, title="New customer", submit_label="Create customer", write=create,
        success=lambda c: f"Customer {c.name} created",
        then=lambda _c: invalidate("customers"), clear_after=True,
    )
