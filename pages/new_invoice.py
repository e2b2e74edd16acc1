"""New invoice: customer → items → terms → totals preview → save draft → finalize and send.

"Create invoice" is a ``forms.action_button``: a double click saves one draft, and after
each completed save (saved or refused) the next click is a new submission.
"""

import streamlit as st

from services.core.access import Action, can
from services.core.errors import DashboardError
from services.core.models import Invoice
from services.core.money import SUPPORTED_CURRENCIES
from services.core.rates_and_coupons import distinct_labels
from ui import (
    catalog_reads,
    draft_items,
    forms,
    invoice_actions,
    invoice_detail,
    layout,
    reads,
    runtime,
    tables,
)
from ui.caching import invalidate, refresher
from ui.customer_picker import customer_picker
from ui.draft_items import CUSTOM, FORM, FROM_PRICE, ITEM_FORM, MAX_ITEMS
from ui.formatting import money
from ui.gate import require_page
from ui.invoice_detail import label
from ui.navigation import link
from ui.text import plain

user = require_page(Action.CREATE_DRAFT)
key = forms.widget_key
st.title("New invoice")

if created_id := st.session_state.get("new_invoice.created"):
    invoice = reads.invoice(created_id).value
    st.success(f"Invoice {plain(label(invoice))} for {plain(invoice.customer_name)} is saved "
               f"({money(invoice.total, invoice.currency)}, status {invoice.status}).")
    invoice_actions.buttons(
        invoice, user, only=(Action.FINALIZE_INVOICE, Action.SEND_INVOICE)
    )
    if not can(user.role, Action.FINALIZE_INVOICE):
        st.info("An approver finalizes this draft: until then it can be edited on its "
                "invoice page, and nothing is sent to the customer.", icon=":material/info:")
    left, right = st.columns(2)
    with left:
        link("pages/invoice.py", query_params={"invoice": invoice.id},
             label=f"Open invoice {label(invoice)}", icon=":material/description:")
    right.button("Start another invoice", on_click=draft_items.reset, icon=":material/add:")
    st.stop()

customer_list = reads.customers_table()
layout.as_of(customer_list.as_of, refresh=refresher("customers", "catalog"), key="new_invoice")
top = st.columns([3, 1])
customer_id = customer_picker(
    customer_list.value, key=key(FORM, "customer"), placeholder="Type to search customers",
    where=top[0],
)
forms.field_error(FORM, "customer_id")
currency = top[1].selectbox(
    "Currency", list(SUPPORTED_CURRENCIES), format_func=str.upper, key=key(FORM, "currency"),
    disabled=bool(draft_items.items()), help="Fixed once items are added",
)
with top[1]:
    forms.field_error(FORM, "currency")

st.subheader("Items")
prices = draft_items.one_time_prices(reads.catalog(False).value, currency)
rates = distinct_labels(catalog_reads.tax_rates(False).value)
coupons = distinct_labels(c for c in catalog_reads.coupons(False).value if c.usable_in(currency))
kind = st.segmented_control("Item", [FROM_PRICE, CUSTOM], key=key(ITEM_FORM, "kind"),
                            default=FROM_PRICE)
with st.form(ITEM_FORM, border=True):
    if kind == CUSTOM:
        st.text_input("Description", key=key(ITEM_FORM, "description"))
        forms.field_error(ITEM_FORM, "description")
        st.text_input(f"Amount ({currency.upper()})", key=key(ITEM_FORM, "amount"),
                      placeholder="e.g. 120.50")
        forms.field_error(ITEM_FORM, "amount")
    else:
        st.selectbox("Price", list(prices), index=None, key=key(ITEM_FORM, "price"),
                     format_func=lambda pid: f"{prices[pid][0].name} — {prices[pid][1].display}",
                     placeholder=f"One-time prices in {currency.upper()}")
        forms.field_error(ITEM_FORM, "price")
        st.number_input("Quantity", min_value=1, max_value=1_000_000, step=1, value=1,
                        key=key(ITEM_FORM, "quantity"))
    own = st.columns(2)
    own[0].multiselect("This item's own tax rates (none: the invoice's)", list(rates),
                       format_func=lambda r: rates.get(r, r), key=key(ITEM_FORM, "tax_rates"))
    own[1].multiselect("Coupons on this item", list(coupons),
                       format_func=lambda c: coupons.get(c, c), key=key(ITEM_FORM, "coupons"))
    st.form_submit_button("Add item", on_click=draft_items.add_item,
                          args=(prices, currency, draft_items.item_token()),
                          icon=":material/add:", key="add_item")
    forms.other_errors(ITEM_FORM, shown=["description", "amount", "price"])

shown = draft_items.items_frame(currency, rates | coupons)
if len(shown):
    event = st.dataframe(shown, hide_index=True, on_select="rerun", selection_mode="multi-row",
                         key=tables.selection_key("new_invoice_items", {"n": len(shown)}),
                         placeholder="")
    if rows := list(event.selection.rows):
        st.button(f"Remove {len(rows)} selected item{'s' if len(rows) > 1 else ''}",
                  on_click=draft_items.remove_items, args=(rows,), icon=":material/delete:")
st.caption(f"{len(shown)} of at most {MAX_ITEMS} items")
forms.field_error(FORM, "items", with_parts=True)

st.subheader("Terms")
terms = st.columns([1, 2, 1])
terms[0].number_input("Days until due", min_value=1, max_value=365, value=30, step=1,
                      key=key(FORM, "days_until_due"))
forms.field_error(FORM, "days_until_due")
terms[1].text_input("Memo (shown on the invoice)", key=key(FORM, "memo"))
terms[2].text_input("PO number", key=key(FORM, "po_number"))
st.text_input("Footer", key=key(FORM, "footer"))
whole = st.columns(2)
whole[0].multiselect("Tax rates for every item (unless it has its own)", list(rates),
                     format_func=lambda r: rates.get(r, r), key=key(FORM, "default_tax_rates"))
whole[1].multiselect("Coupons on the whole invoice", list(coupons),
                     format_func=lambda c: coupons.get(c, c), key=key(FORM, "coupons"))
forms.field_error(FORM, "default_tax_rates")
forms.field_error(FORM, "discounts")

st.subheader("Totals, as Stripe computes them")
try:
    count = len(shown)
    figures = runtime.services().invoices.previews.new_invoice(
        items=draft_items.draft_items(), currency=currency,
        default_tax_rates=list(forms.value(FORM, "default_tax_rates") or []),
        coupons=list(forms.value(FORM, "coupons") or []))
    st.metric(f"Total ({count} item{'s' if count != 1 else ''})", money(figures.total, currency))
    if count:
        invoice_detail.totals(figures, key="new_invoice")
except DashboardError as err:  # e.g. a price archived since it was added
    if str(err) not in forms.errors(FORM).values():  # not already shown with the items
        st.error(plain(err), icon=":material/error:")


def save_draft(nonce: str) -> Invoice:
    """The one service call of this page."""
    return runtime.services().invoices.create_draft(
        user.actor, customer_id=forms.value(FORM, "customer"),
        items=draft_items.draft_items(), days_until_due=int(forms.value(FORM, "days_until_due")),
        memo=forms.value(FORM, "memo") or None, footer=forms.value(FORM, "footer") or None,
        po_number=forms.value(FORM, "po_number") or None, currency=currency, form_nonce=nonce,
        default_tax_rates=list(forms.value(FORM, "default_tax_rates") or []),
        coupons=list(forms.value(FORM, "coupons") or []),
    )


def saved(invoice: Invoice) -> None:
    draft_items.start_fresh()  # the next invoice starts from empty fields
    st.session_state["new_invoice.created"] = invoice.id
    invalidate("invoices", "reports", "audit")


# The button carries the nonce it is drawn with: a double click saves one draft, and once
# a save has completed (saved or refused) the next click is a new submission (ui.forms).
forms.action_button(
    FORM, "Create invoice", save_draft, then=saved, type="primary", icon=":material/save:",
    success=lambda inv: f"Draft invoice for {inv.customer_name} saved",
)
FIELDS_WITH_ERRORS = ["customer_id", "currency", "items", "days_until_due", "default_tax_rates",
                      "discounts"]
forms.other_errors(FORM, shown=FIELDS_WITH_ERRORS)
forms.not_saved_summary(FORM, shown=FIELDS_WITH_ERRORS)
