"""Text from Stripe, forms and URLs is shown as text: never a link, an image or formatting.

Every page is run (AppTest) with attacker text in each field Stripe gives us (made
with the Stripe SDK against the emulator, so no input validation stands in the way)
and in every query parameter the pages read. Each rendered element's Markdown source
(bodies, captions, alerts, toasts, titles, labels, help, metric texts, dialog
titles)
is then rendered with CommonMark + GFM (markdown-it-py) and checked:

- no ``<img`` and no ``<a`` except the app's own in-app links (``/invoice?…``);
- no GFM literal URL autolink (www., http://) and no Streamlit shortcode
  (``:material/…:``, ``:red[…]``) in the parsed text: Streamlit finds those in the
  *unescaped* text after parsing
  (regexes as in streamlit/static/static/js/StreamlitMarkdown.*.js);
- no payload appears raw in a source.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests.ui.page_fixtures import needs_invoicing_fixture, stripe_services_fixture  # noqa: F401
from ui.text import WORD_JOINER, https_only, plain

PAYLOADS = (
    "![x](http://127.0.0.1:9/x.png)",
    "[Session expired, log in again here](http://evil.example/login)",
    "<img src=x onerror=alert(1)>",
    "http://evil.example/autolink",
    "www.evil.example/www",
    "**bold** _it_ :red[red] :material/warning:",
    "$x$",
    "`code`",
)
EVIL = " ".join(PAYLOADS)
ORDINARY = ("Smith & Sons (UK) Ltd.", "O'Brien-Smith", "INV-0042", "50% off: 3 * 4 = 12",
            "C:\\temp", "10:30", "Ünïcode café", "1. First", "# 1 customer", "- dash",
            "a_b_c", "$5 and $6", "ap@acme.com")

MD = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table", "strikethrough"])
MD.linkify.set({"fuzzy_link": False, "fuzzy_email": False})  # GFM's own rules are below
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
SHORTCODES = re.compile(r":material[/_]warning:|:red\[|:streamlit:")
IN_APP = re.compile(
    r'^/(invoice|invoices|customers|lookup|catalog|new_invoice|statement|cash_received)'
    r'(\?[^"]*)?$'
)
MARKDOWN_FIELDS = {"body", "label", "help", "title", "delta", "content"}
NOT_MARKDOWN = {"text", "code", "json", "exception", "dataframe", "arrow_data_frame"}


def visible(source: str) -> str:
    """What a reader sees: the rendered text, tags dropped, the invisible joiner removed."""
    rendered = MD.render(source)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip().replace(WORD_JOINER, "")


def problems(source: str) -> list[str]:
    """Why ``source`` would show something else than text (empty when it is fine)."""
    found = []
    rendered = MD.render(source)
    if "<img" in rendered:
        found.append("image")
    for href, text in re.findall(r'<a href="([^"]*)">([^<]*)</a>', rendered):
        href = html.unescape(href)
        if href == f"mailto:{html.unescape(text)}":
            continue  # an e-mail address shown as itself (GFM): allowed, stays copyable
        if not IN_APP.match(href):
            found.append(f"link to {href}")
    for token in MD.parse(source):
        for child in token.children or []:
            if child.type != "text":
                continue
            for pattern in (GFM_URL, SHORTCODES):
                if match := pattern.search(child.content):
                    found.append(f"interpreted {match.group(0)!r}")
    found += [f"raw payload {p!r}" for p in PAYLOADS if p in source]
    return found


def _strings(message: Any, depth: int = 0) -> Iterator[str]:
    for field, value in message.ListFields():
        values = value if isinstance(value, Sequence) and not isinstance(value, str) \
            else [value]
        for item in values:
            if field.type == field.TYPE_STRING and field.name in MARKDOWN_FIELDS:
                yield item
            elif field.type == field.TYPE_MESSAGE and depth < 3:
                yield from _strings(item, depth + 1)


def markdown_sources(at: Any) -> list[str]:
    """The Markdown source of every element and block the run drew (main, sidebar, toasts)."""
    found: list[str] = []

    def visit(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", None) not in NOT_MARKDOWN \
                and hasattr(proto, "ListFields"):
            found.extend(_strings(proto))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return found


def assert_text_is_text(at: Any) -> None:
    assert not at.exception, [e.value for e in at.exception]
    bad = {source: why for source in markdown_sources(at) if (why := problems(source))}
    assert not bad, bad


# -- the helper on its own --------------------------------------------------------------


@pytest.mark.parametrize("text", [*PAYLOADS, EVIL, *ORDINARY])
def test_plain_text_renders_as_written_and_interprets_nothing(text):
    assert problems(plain(text)) == []
    assert visible(plain(text)) == text
    assert visible(f"**{plain(text)}** · {plain(text)}") == f"{text} · {text}"


def test_ordinary_names_need_no_visible_change():
    assert plain("Smith & Sons (UK) Ltd.") == "Smith \\& Sons (UK) Ltd."
    assert plain("INV-0042 voided") == "INV-0042 voided"
    assert plain(None) == ""


def test_only_https_payment_pages_are_linked():
    assert https_only("https://invoice.stripe.com/i/acct_1/x") == "https://invoice.stripe.com/i/acct_1/x"
    for url in ("http://evil.example/pay", "javascript:alert(1)", "//evil.example", "", None,
                "https:///nohost", "data:text/html,x"):
        assert https_only(url) is None


# -- every page, with payloads in Stripe's data and in the URL --------------------------


@pytest.fixture
def evil_data(stripe_services, needs_invoicing, emulator):
    """A customer, product, price and invoices whose every text field is attacker text."""
    from tests.conftest import client_for

    client = client_for(emulator)
    tag = secrets.token_hex(3)
    customer = client.v1.customers.create(params={
        "name": f"{EVIL} {tag}", "email": f"x{tag}@evil.example", "description": EVIL,
        "metadata": {"po_number": EVIL},
    })
    product = client.v1.products.create(params={"name": f"{EVIL} {tag}", "description": EVIL})
    price = client.v1.prices.create(params={
        "product": product.id, "unit_amount": 1234, "currency": "usd", "nickname": EVIL,
    })
    invoices = []
    for finalize in (False, True):
        invoice = client.v1.invoices.create(params={
            "customer": customer.id, "description": EVIL, "footer": EVIL,
            "metadata": {"po_number": EVIL}, "collection_method": "send_invoice",
            "days_until_due": 30, "currency": "usd",
        })
        client.v1.invoice_items.create(params={
            "customer": customer.id, "invoice": invoice.id, "pricing": {"price": price.id},
            "description": EVIL,
        })
        client.v1.invoice_items.create(params={
            "customer": customer.id, "invoice": invoice.id, "amount": 500, "currency": "usd",
            "description": EVIL,
        })
        if finalize:
            invoice = client.v1.invoices.finalize_invoice(invoice.id)
        invoices.append(invoice)
    stripe_services.upkeep.catch_up()
    # the catalog views read the local copy, which Stripe's product events may not reach here
    from tests.ui.page_fixtures import ADMIN, nonce

    product = stripe_services.catalog.create_product(ADMIN, name=f"{EVIL} {tag}",
                                                     description=EVIL, form_nonce=nonce())
    price = stripe_services.catalog.create_price(
        ADMIN, product_id=product.id, amount_text="12.34", currency="usd",
        recurring_interval=None, nickname=EVIL, form_nonce=nonce())
    return {"customer": customer, "product": product, "price": price, "draft": invoices[0],
            "open": invoices[1]}


PAGES_AND_PARAMS = [
    ("pages/overview.py", {}),
    ("pages/invoices.py", {}),
    ("pages/invoices.py", {"customer": EVIL, "status": EVIL, "sort": EVIL, "currency": EVIL}),
    ("pages/invoices.py", {"invoice": EVIL}),
    ("pages/invoice.py", {"invoice": EVIL}),
    ("pages/customers.py", {}),
    ("pages/customers.py", {"search": EVIL}),
    ("pages/customers.py", {"customer": EVIL}),
    ("pages/lookup.py", {"q": EVIL}),
    ("pages/lookup.py", {"q": "evil.example"}),
    ("pages/catalog.py", {}),
    ("pages/overdue.py", {"as_of": EVIL}),
    ("pages/overdue.py", {}),
    ("pages/payment_activity.py", {}),
    ("pages/new_invoice.py", {}),
    ("pages/admin.py", {}),
]


@pytest.mark.parametrize(("page", "query"), PAGES_AND_PARAMS)
def test_pages_show_stripe_and_url_text_as_text(app_test, evil_data, page, query):
    role = "clerk" if page == "pages/catalog.py" else "admin"  # clerks manage the catalog
    at = app_test(page, role=role, **query).run()
    assert_text_is_text(at)


@pytest.mark.parametrize("which", ["draft", "open"])
def test_invoice_page_and_its_dialogs(app_test, evil_data, which):
    invoice = evil_data[which]
    at = app_test("pages/invoice.py", role="admin", invoice=invoice.id).run()
    assert_text_is_text(at)
    sources = "\n".join(markdown_sources(at))
    assert "Memo" in sources and "Footer" in sources  # the fields really were shown
    for button in [b for b in at.button if b.key and b.key.startswith("ask.")]:
        opened = app_test("pages/invoice.py", role="admin", invoice=invoice.id).run()
        opened.button(key=button.key).click().run()
        assert_text_is_text(opened)


def test_customer_page_and_the_form_toast(app_test, evil_data):
    customer = evil_data["customer"]
    at = app_test("pages/customers.py", role="admin", customer=customer.id).run()
    assert_text_is_text(at)
    assert visible(at.title[0].value) == customer.name
    submit = [b for b in at.button if b.label == "Save changes"]
    if submit:
        submit[0].click().run()
        assert_text_is_text(at)


def test_catalog_archive_dialog_names_the_product_as_text(app_test, evil_data):
    at = app_test("pages/catalog.py", role="clerk").run()
    chooser = next(s for s in at.selectbox if "archive_product_choice" in str(s.key))
    chooser.set_value(evil_data["product"].id).run()
    at.button(key="archive_product_button").click().run()
    assert_text_is_text(at)
    assert any(EVIL in visible(source) for source in markdown_sources(at))


def test_a_new_customer_named_with_markdown_gets_a_plain_toast(app_test, stripe_services):
    at = app_test("pages/customers.py", role="admin").run()
    name = f"[Session expired, log in again here](http://evil.example/login) {secrets.token_hex(2)}"
    at.text_input(key="new_customer.name").input(name)
    at.text_input(key="new_customer.email").input(f"{secrets.token_hex(4)}@example.com")
    next(b for b in at.button if b.label == "Create customer").click().run()
    assert_text_is_text(at)
    assert [visible(t.value) for t in at.toast] == [f"Customer {name} created"]


def test_ordinary_name_reads_as_written(app_test, stripe_services, emulator):
    from tests.conftest import client_for

    name = "Smith & Sons (UK) Ltd."
    customer = client_for(emulator).v1.customers.create(params={"name": name,
                                                                "email": "ap@smith.example"})
    stripe_services.upkeep.catch_up()
    at = app_test("pages/customers.py", role="viewer", customer=customer.id).run()
    assert_text_is_text(at)
    assert visible(at.title[0].value) == name
    assert "\\" not in visible(at.caption[0].value)
