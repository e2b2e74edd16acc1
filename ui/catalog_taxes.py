"""The Catalog page's tax rates and coupons: the two create forms, the lists, archive/delete.

A tax rate is archived (Stripe keeps it on the invoices that use it); a coupon is
deleted (discounts already given stay). Both ask first in a dialog. Lists read the
read model (:mod:`ui.catalog_reads`); forms make one service call each and start
empty again after a success.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from services.core.money import SUPPORTED_CURRENCIES
from services.core.rates_and_coupons import distinct_labels, percent_text
from ui import catalog_reads, dialogs, forms, runtime
from ui.caching import invalidate
from ui.formatting import day
from ui.text import plain

if TYPE_CHECKING:
    from ui.auth import CurrentUser

TAX_FORM = "new_tax_rate"
COUPON_FORM = "new_coupon"
TAX_FIELDS = ["display_name", "percentage", "inclusive", "country", "jurisdiction",
              "description"]
COUPON_FIELDS = ["name", "percent_off", "amount_off", "currency", "max_redemptions",
                 "limit_redemptions", "redeem_by"]


def section(user: CurrentUser, may_manage: bool, show_archived: bool) -> None:
    """Tax rates and coupons: forms (when ``may_manage``), tables, archive and delete."""
    st.subheader("Tax rates and coupons")
    if may_manage:
        left, right = st.columns(2)
        with left:
            _tax_form(user)
        with right:
            _coupon_form(user)
    _tables(show_archived)
    if may_manage:
        _removal(user)


def _tax_form(user: CurrentUser) -> None:
    key = forms.widget_key
    with st.form(TAX_FORM):
        st.markdown("**New tax rate**")
        st.text_input("Display name (on invoices)", placeholder="e.g. VAT",
                      key=key(TAX_FORM, "display_name"), max_chars=50)
        st.text_input("Percentage", placeholder="e.g. 20", key=key(TAX_FORM, "percentage"))
        st.radio("Tax is", ["exclusive", "inclusive"], horizontal=True,
                 format_func={"exclusive": "added on top (exclusive)",
                              "inclusive": "inside the price (inclusive)"}.get,
                 key=key(TAX_FORM, "inclusive"))
        cols = st.columns(2)
        cols[0].text_input("Country (two letters)", placeholder="e.g. DE", max_chars=2,
                           key=key(TAX_FORM, "country"))
        cols[1].text_input("Jurisdiction", key=key(TAX_FORM, "jurisdiction"), max_chars=50)
        st.text_input("Description (internal)", key=key(TAX_FORM, "description"))
        for name in TAX_FIELDS:
            forms.field_error(TAX_FORM, name)
        forms.submit_button(
            TAX_FORM, "Create tax rate",
            lambda nonce: runtime.services().catalog.taxes.create_tax_rate(
                user.actor, display_name=forms.value(TAX_FORM, "display_name", ""),
                percentage_text=forms.value(TAX_FORM, "percentage", ""),
                inclusive=forms.value(TAX_FORM, "inclusive") == "inclusive",
                country=forms.value(TAX_FORM, "country"),
                jurisdiction=forms.value(TAX_FORM, "jurisdiction"),
                description=forms.value(TAX_FORM, "description"), form_nonce=nonce),
            success=lambda rate: f"Tax rate {rate.label} created",
            clear=TAX_FIELDS, then=lambda _: _fresh(TAX_FORM), type="primary",
        )
        forms.other_errors(TAX_FORM, shown=TAX_FIELDS)


def _coupon_form(user: CurrentUser) -> None:
    key = forms.widget_key
    with st.form(COUPON_FORM):
        st.markdown("**New coupon** (used once per invoice)")
        st.text_input("Name (on invoices)", key=key(COUPON_FORM, "name"), max_chars=40)
        cols = st.columns(3)
        cols[0].text_input("Percent off", placeholder="e.g. 10",
                           key=key(COUPON_FORM, "percent_off"))
        cols[1].text_input("or amount off", placeholder="e.g. 5.00",
                           key=key(COUPON_FORM, "amount_off"))
        cols[2].selectbox("Currency of the amount", SUPPORTED_CURRENCIES, format_func=str.upper,
                          key=key(COUPON_FORM, "currency"))
        limit = st.columns(2)
        limit[0].number_input("At most this many invoices", min_value=1, step=1, value=1,
                              key=key(COUPON_FORM, "max_redemptions"))
        limit[1].checkbox("Limit the number of invoices", key=key(COUPON_FORM,
                                                                  "limit_redemptions"))
        st.date_input("Redeemable until (optional)", value=None,
                      key=key(COUPON_FORM, "redeem_by"))
        for name in COUPON_FIELDS:
            forms.field_error(COUPON_FORM, name)
        forms.submit_button(
            COUPON_FORM, "Create coupon",
            lambda nonce: runtime.services().catalog.taxes.create_coupon(
                user.actor, name=forms.value(COUPON_FORM, "name", ""),
                percent_off_text=forms.value(COUPON_FORM, "percent_off"),
                amount_off_text=forms.value(COUPON_FORM, "amount_off"),
                currency=forms.value(COUPON_FORM, "currency"),
                max_redemptions=int(forms.value(COUPON_FORM, "max_redemptions") or 1)
                if forms.value(COUPON_FORM, "limit_redemptions") else None,
                redeem_by=forms.value(COUPON_FORM, "redeem_by"), form_nonce=nonce),
            success=lambda coupon: f"Coupon {coupon.label} created",
            clear=COUPON_FIELDS, then=lambda _: _fresh(COUPON_FORM), type="primary",
        )
        forms.other_errors(COUPON_FORM, shown=COUPON_FIELDS)


def _fresh(form: str) -> None:
    forms.new_form_instance(form)  # the next submission is a new tax rate or coupon
    invalidate("catalog")


def _tables(show_archived: bool) -> None:
    rates = catalog_reads.tax_rates(show_archived).value
    coupons = catalog_reads.coupons(show_archived).value
    if rates:
        st.dataframe(pd.DataFrame([{
            "Tax rate": r.display_name, "Percentage": percent_text(r.percentage),
            "Kind": "inclusive" if r.inclusive else "exclusive", "Country": r.country or "",
            "Jurisdiction": r.jurisdiction or "", "Active": r.active, "Id": r.id,
        } for r in rates]), hide_index=True, key=f"tax_rates_table.{show_archived}", placeholder="")
    else:
        st.info("No tax rates yet.")
    if coupons:
        st.dataframe(pd.DataFrame([{
            "Coupon": c.name or c.id, "Off": c.off_text,
            "Used": f"{c.times_redeemed} of {c.max_redemptions}" if c.max_redemptions
            else str(c.times_redeemed),
            "Redeemable until": day(c.redeem_by) if c.redeem_by else "",
            "Valid": c.valid, "Id": c.id,
        } for c in coupons]), hide_index=True, key=f"coupons_table.{show_archived}", placeholder="")
    else:
        st.info("No coupons yet.")


def _remover(user: CurrentUser) -> Callable[[dialogs.Pending, str | None], str]:
    """The confirmed archive or delete, as ``user``."""

    def remove(pending: dialogs.Pending, _reason: str | None) -> str:
        nonce = pending.nonce  # one per confirmation asked for (ui.dialogs)
        taxes = runtime.services().catalog.taxes
        if pending.action == "archive_tax_rate":
            taxes.archive_tax_rate(user.actor, pending.target_id, form_nonce=nonce)
            done = "archived"
        else:
            taxes.delete_coupon(user.actor, pending.target_id, form_nonce=nonce)
            done = "deleted"
        invalidate("catalog")
        return f"{pending.target_label} {done}"

    return remove


def _removal(user: CurrentUser) -> None:
    rates = distinct_labels(catalog_reads.tax_rates(False).value)
    coupons = distinct_labels(catalog_reads.coupons(True).value)
    left, right = st.columns(2)
    if rates:
        rate = left.selectbox("Tax rate", list(rates), format_func=lambda rid: rates.get(rid, rid),
                              key="archive_tax_rate_choice")
        left.button(f"Archive tax rate {plain(rates[rate])}…", key="archive_tax_rate_button",
                    on_click=dialogs.ask,
                    args=("archive_tax_rate", rate, f"Tax rate {rates[rate]}"))
    if coupons:
        coupon = right.selectbox("Coupon", list(coupons),
                                 format_func=lambda cid: coupons.get(cid, cid),
                                 key="delete_coupon_choice")
        right.button(f"Delete coupon {plain(coupons[coupon])}…", key="delete_coupon_button",
                     on_click=dialogs.ask,
                     args=("delete_coupon", coupon, f"Coupon {coupons[coupon]}"))
    dialogs.confirm("archive_tax_rate", title="Archive tax rate",
                    consequence="**{label}** can no longer be put on new invoices or lines. "
                    "Invoices that already use it keep it. It cannot be made active again "
                    "from the dashboard.", confirm_label="Archive tax rate", perform=_remover(user))
    dialogs.confirm("delete_coupon", title="Delete coupon",
                    consequence="**{label}** is deleted: no new invoice can use it. "
                    "Discounts it already gave stay on their invoices. This cannot be undone.",
                    confirm_label="Delete coupon", perform=_remover(user))
