"""The page registry: every page file, who may open it, the role-filtered navigation, links.

Every page whose file exists is registered; the menu lists only those the
user's role may use. A page the role may not use is registered *hidden*, so its
address (``/admin`` for a viewer) opens the page, whose gate
(:func:`ui.gate.require_page`, same action as here) says why instead of a silent
landing on Overview; its content never runs. While nobody is logged in, every
page is registered hidden: a deep link such as ``/invoice?invoice=in_…`` keeps its
target and lands there after login.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError
from streamlit.navigation.page import StreamlitPage

from services.core.access import Action, Role, can
from ui.text import plain

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageSpec:
    """One page file and the action a role needs to open it."""

    path: str  # relative to the project root, e.g. "pages/invoices.py"
    title: str
    icon: str
    section: str
    action: Action = Action.VIEW
    in_menu: bool = True  # False: reachable by link only (detail pages)
    default: bool = False


#: Every page of the dashboard, in menu order. Add new page files here.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", ":material/dashboard:", "Daily work", default=True),
    PageSpec("pages/invoices.py", "Invoices", ":material/receipt_long:", "Daily work"),
    PageSpec(
        "pages/new_invoice.py", "New invoice", ":material/note_add:", "Daily work",
        action=Action.CREATE_DRAFT,
    ),
    PageSpec("pages/invoice.py", "Invoice", ":material/description:", "Daily work", in_menu=False),
    PageSpec("pages/overdue.py", "Overdue & aging", ":material/schedule:", "Daily work"),
    PageSpec("pages/lookup.py", "Lookup", ":material/search:", "Daily work"),
    PageSpec("pages/payment_activity.py", "Payment activity", ":material/payments:", "Daily work"),
    PageSpec("pages/cash_received.py", "Cash received", ":material/savings:", "Reports"),
    PageSpec("pages/statement.py", "Customer statement", ":material/request_quote:", "Reports"),
    PageSpec("pages/customers.py", "Customers", ":material/group:", "Records"),
    PageSpec("pages/catalog.py", "Catalog", ":material/inventory_2:", "Records"),
    PageSpec(
        "pages/admin.py", "Admin", ":material/admin_panel_settings:", "Admin",
        action=Action.MANAGE_SETTINGS,
    ),
)


def page_path(path: str) -> str:
    """The path to give ``st.switch_page`` / ``st.page_link`` for "pages/x.py"."""
    return str(ROOT / path)


def _url(path: str, query_params: dict[str, str] | None) -> str:
    query = f"?{urlencode(query_params)}" if query_params else ""
    return f"/{Path(path).stem}{query}"


def invoice_url(invoice_id: str) -> str:
    """In-app link to one invoice (the Invoice page reads ``?invoice=``)."""
    return _url("pages/invoice.py", {"invoice": invoice_id})


def customer_url(customer_id: str) -> str:
    """In-app link to one customer's view on the Customers page."""
    return _url("pages/customers.py", {"customer": customer_id})


def link(path: str, label: str, *, query_params: dict[str, str] | None = None,
         icon: str | None = None) -> None:
    """A link to another page. Falls back to a plain URL when the page is not registered
    in this run (a page file run on its own: fresh server, AppTest). ``label`` is plain
    text (it may hold a customer's name): it is escaped, never read as Markdown."""
    try:
        st.page_link(page_path(path), label=plain(label), query_params=query_params, icon=icon)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{plain(label)}]({_url(path, query_params)})")


def go(path: str, *, query_params: dict[str, str] | None = None) -> None:
    """Switch to another page (or offer a link to it when it is not registered here)."""
    try:
        st.switch_page(page_path(path), query_params=query_params)
    except StreamlitPageNotFoundError:
        st.markdown(f"[Open {Path(path).stem}]({_url(path, query_params)})")


def available(role: Role | None) -> list[PageSpec]:
    """Pages whose file exists and, when ``role`` is given, that the role may open."""
    present = [spec for spec in PAGES if (ROOT / spec.path).exists()]
    if role is None:
        return present
    return [spec for spec in present if can(role, spec.action)]


def page_exists(path: str, role: Role | None = None) -> bool:
    """True when ``path`` is a registered page the role may open (e.g. the Lookup page)."""
    return any(spec.path == path for spec in available(role))


def build_navigation(role: Role | None) -> StreamlitPage:
    """Call ``st.navigation`` for this run; every page is hidden while logged out, and
    the pages ``role`` may not use are hidden (their gate says why when opened)."""
    specs = available(None)
    allowed = {spec.path for spec in available(role)}
    has_default = any(spec.default for spec in specs)
    sections: dict[str, list[StreamlitPage]] = {}
    for index, spec in enumerate(specs):
        is_default = spec.default or (not has_default and index == 0)
        listed = spec.path in allowed and (spec.in_menu or is_default)
        page = st.Page(
            page_path(spec.path),
            title=spec.title,
            icon=spec.icon,
            url_path=Path(spec.path).stem,
            default=is_default,
            visibility="visible" if listed else "hidden",
        )
        sections.setdefault(spec.section, []).append(page)
    position: Literal["sidebar", "hidden"] = "sidebar" if role is not None else "hidden"
    return st.navigation(sections, position=position)
