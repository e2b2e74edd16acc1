"""Catalog: products and prices, tax rates and coupons; create, archive what is no longer used."""

import streamlit as st

from services.catalog import RECURRING_INTERVALS
from services.core.access import Action, can
from services.core.models import Price, Product
from services.core.money import SUPPORTED_CURRENCIES
from ui import catalog_taxes, dialogs, forms, reads, runtime
from ui.caching import invalidate, refresher
from ui.forms import widget_key
from ui.gate import require_page
from ui.layout import as_of
from ui.reads import read_or_stop
from ui.text import plain

PRODUCT_FORM = "new_product"
PRICE_FORM = "new_price"
BILLING = {"": "One-time", **{i: f"Recurring, every {i}" for i in RECURRING_INTERVALS}}

user = require_page(Action.VIEW)
services = runtime.services()
may_manage = can(user.role, Action.MANAGE_CATALOG)
st.title("Catalog")

show_archived = st.toggle("Show archived products and prices", key="catalog_show_archived")
loaded = read_or_stop(reads.catalog, show_archived, what="the catalog")
as_of(loaded.as_of, refresh=refresher("catalog"), key="catalog")
active_products = [p for p in loaded.value if p.active]


def create_product(nonce: str) -> Product:
    return services.catalog.create_product(
        user.actor, name=forms.value(PRODUCT_FORM, "name", ""),
        description=forms.value(PRODUCT_FORM, "description", ""), form_nonce=nonce,
    )


def create_price(nonce: str) -> Price:
    return services.catalog.create_price(
        user.actor, product_id=forms.value(PRICE_FORM, "product_id") or "",
        amount_text=forms.value(PRICE_FORM, "amount", ""),
        currency=forms.value(PRICE_FORM, "currency", "usd"),
        recurring_interval=forms.value(PRICE_FORM, "interval") or None,
        nickname=forms.value(PRICE_FORM, "nickname", ""), form_nonce=nonce,
    )


def product_created(product: Product) -> None:
    invalidate("catalog")
    st.session_state[widget_key(PRICE_FORM, "product_id")] = product.id  # ready for a price


if may_manage:
    left, right = st.columns(2)
    with left, st.form(PRODUCT_FORM):
        st.subheader("New product")
        st.text_input("Name", key=widget_key(PRODUCT_FORM, "name"), max_chars=250)
        forms.field_error(PRODUCT_FORM, "name")
        st.text_area("Description", key=widget_key(PRODUCT_FORM, "description"), height=68)
        forms.submit_button(
            PRODUCT_FORM, "Create product", create_product,
            success=lambda p: f"Product {p.name} created", clear=["name", "description"],
            then=product_created, type="primary",
        )
        forms.other_errors(PRODUCT_FORM, shown=["name"])
    with right, st.form(PRICE_FORM):
        st.subheader("New price")
        names = {p.id: p.name for p in active_products}
        st.selectbox("Product", options=list(names), index=None,
                     format_func=lambda pid: names.get(pid, pid),
                     placeholder="Choose a product", key=widget_key(PRICE_FORM, "product_id"))
        forms.field_error(PRICE_FORM, "product_id")
        amount_col, currency_col = st.columns([2, 1])
        amount_col.text_input("Amount", placeholder="e.g. 10.00",
                              key=widget_key(PRICE_FORM, "amount"))
        with amount_col:
            forms.field_error(PRICE_FORM, "amount")
        currency_col.selectbox("Currency", SUPPORTED_CURRENCIES, format_func=str.upper,
                               key=widget_key(PRICE_FORM, "currency"))
        with currency_col:
            forms.field_error(PRICE_FORM, "currency")
        st.selectbox("Billing", options=list(BILLING), format_func=lambda b: BILLING.get(b, b),
                     key=widget_key(PRICE_FORM, "interval"))
        forms.field_error(PRICE_FORM, "recurring_interval")
        st.text_input("Nickname (optional)", key=widget_key(PRICE_FORM, "nickname"))
        forms.submit_button(
            PRICE_FORM, "Add price", create_price, success=lambda p: f"Price {p.display} added",
            clear=["amount", "nickname"], then=lambda _: invalidate("catalog"), type="primary",
        )
        forms.other_errors(
            PRICE_FORM, shown=["product_id", "amount", "currency", "recurring_interval"]
        )

st.subheader("Products and prices")
table = read_or_stop(reads.price_list, show_archived, what="the price list").value
if table.empty:
    st.info("No products yet." + (" Create one above." if may_manage else ""))
else:
    table = table.assign(currency=[c.upper() if isinstance(c, str) else c
                                   for c in table["currency"]])
    st.dataframe(
        table[["product", "price", "currency", "nickname", "product_active", "price_active",
               "product_id", "price_id", "description"]],
        key=f"catalog_table.{show_archived}", hide_index=True, width="stretch",
        column_config={
            "product": "Product", "price": "Price", "nickname": "Nickname",
            "currency": st.column_config.TextColumn("Currency"),
            "product_active": st.column_config.CheckboxColumn("Product active"),
            "price_active": st.column_config.CheckboxColumn("Price active"),
            "product_id": "Product id", "price_id": "Price id", "description": "Description",
        }, placeholder="",
    )


def archive(pending: dialogs.Pending, _reason: str | None) -> str:
    nonce = pending.nonce  # one per confirmation asked for (ui.dialogs)
    if pending.action == "archive_product":
        services.catalog.archive_product(user.actor, pending.target_id, form_nonce=nonce)
    else:
        services.catalog.archive_price(user.actor, pending.target_id, form_nonce=nonce)
    invalidate("catalog")
    return f"{pending.target_label} archived"


catalog_taxes.section(user, may_manage, show_archived)

if may_manage and active_products:
    st.subheader("Archive")
    st.caption("Archived products and prices cannot be put on new invoices; "
               "invoices that already use them keep them.")
    product_col, price_col = st.columns(2)
    names = {p.id: p.name for p in active_products}
    chosen = product_col.selectbox("Product", list(names),
                                   format_func=lambda pid: names.get(pid, pid),
                                   key=f"archive_product_choice.{show_archived}")
    product_col.button(
        f"Archive product {plain(names[chosen])}…", key="archive_product_button",
        on_click=dialogs.ask, args=("archive_product", chosen, f"Product {names[chosen]}"),
    )
    prices = {pr.id: f"{p.name} · {pr.display}" for p in active_products
              for pr in p.prices if pr.active}
    if prices:
        price = price_col.selectbox("Price", list(prices),
                                    format_func=lambda pid: prices.get(pid, pid),
                                    key=f"archive_price_choice.{show_archived}")
        price_col.button(
            f"Archive price {plain(prices[price])}…", key="archive_price_button",
            on_click=dialogs.ask, args=("archive_price", price, f"Price {prices[price]}"),
        )
    consequence = ("**{label}** will no longer be offered for new invoices. Invoices that "
                   "already use it are not changed. The dashboard cannot undo this.")
    for action, title in (("archive_product", "Archive product"),
                          ("archive_price", "Archive price")):
        dialogs.confirm(action, title=title, consequence=consequence, confirm_label=title,
                        perform=archive)
