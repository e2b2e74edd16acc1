"""Screenshots of every dashboard page, for the README: ``python -m scripts.screenshots``.

Starts a fresh emulator, fills it with demo receivables through the public API
(:mod:`scripts.demo_seed`), starts the real dashboard on a free port, logs in
as the admin through the login form in Debian's Chromium and saves one PNG per
page to ``docs/screenshots/<page>.png`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from scripts.dashboard_server import CHROMIUM, app_database_url, log_in, running_dashboard
from scripts.demo_seed import payments, seed
from scripts.launcher import ROOT
from services.container import build_services
from services.core.clock import business_today
from services.core.settings import Settings
from services.reporting.receivables import InvoiceFilters
from services.reporting.statement import StatementReport
from stripe_emulator.embedded import start_emulator
from tests.ui.browser.conftest import wait_for_app

VIEWPORT = ViewportSize(width=1440, height=1700)
SETTLE_MS = 500  # a canvas paints a moment after it is laid out
EVENTS_TIMEOUT_S = 60
#: What each page must show before it is shot: CSS selector → how many at least.
TABLES = "[data-testid=stDataFrame], [data-testid=stTable]"
CHARTS = "[data-testid=stVegaLiteChart]"
METRICS = "[data-testid=stMetric]"
EXPECTED: dict[str, dict[str, int]] = {
    "overview": {TABLES: 1, CHARTS: 4},
    "invoices": {TABLES: 1},
    "new_invoice": {"[data-testid=stForm], [data-testid=stButton]": 1},
    "invoice": {METRICS: 4, TABLES: 2},
    "overdue": {TABLES: 3, CHARTS: 3},
    "lookup": {TABLES: 1},
    "payment_activity": {TABLES: 2},
    "customers": {TABLES: 1},
    "customer": {METRICS: 3, TABLES: 1},
    "cash_received": {METRICS: 1, TABLES: 2},
    "statement": {METRICS: 3, TABLES: 2},
    "catalog": {TABLES: 1},
    "admin": {METRICS: 3, TABLES: 2},
}
#: True once every table and chart on the page has painted and no spinner is left.
DRAWN = """() => {
  const painted = (el, what) => [...el.querySelectorAll(what)]
      .some(c => c.getBoundingClientRect().width > 0 && c.getBoundingClientRect().height > 0);
  const frames = [...document.querySelectorAll('[data-testid=stDataFrame]')];
  const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];
  return frames.every(f => painted(f, 'canvas'))
      && charts.every(c => painted(c, 'canvas, svg.marks'))
      && document.querySelectorAll('[data-testid=stSpinner]').length === 0;
}"""
#: The height of everything the main area and the sidebar would scroll through.
CONTENT_HEIGHT = """() => Math.max(...[...document.querySelectorAll(
    '[data-testid=stMain], [data-testid=stAppViewContainer], [data-testid=stSidebarContent]'
  )].map(el => el.scrollHeight), document.documentElement.scrollHeight)"""


STATEMENT_DAYS = 90  # the Customer statement page opens on the last 90 days


def statement_customer(services) -> str:
    """The customer whose default statement (the last 90 days) has the most lines, among
    those with at least one invoice and one payment in it: a statement worth showing."""
    report = StatementReport(services.engine)
    end = business_today()
    start = end - timedelta(days=STATEMENT_DAYS - 1)
    invoices = services.reports.invoices_table(InvoiceFilters())
    best, best_lines = "", -1
    for customer_id in invoices["customer_id"].dropna().unique():
        sections = report.statement(str(customer_id), start, end).sections
        kinds = [kind for section in sections for kind in section.lines["kind"]]
        if "invoice" in kinds and "payment" in kinds and len(kinds) > best_lines:
            best, best_lines = str(customer_id), len(kinds)
    if not best:
        raise RuntimeError("no customer has both an invoice and a payment to show")
    return best


def pages(services) -> dict[str, str]:
    """Screenshot name → path (with query) on the dashboard."""
    invoices = services.reports.invoices_table(InvoiceFilters(statuses=("open",)))
    first = invoices.iloc[-1]  # the oldest open invoice: overdue, with actions to offer
    return {
        "overview": "/", "invoices": "/invoices", "new_invoice": "/new_invoice",
        "invoice": f"/invoice?invoice={first['invoice_id']}",
        "overdue": "/overdue",
        "lookup": f"/lookup?q={first['email']}",
        "payment_activity": "/payment_activity", "customers": "/customers",
        "customer": f"/customers?customer={first['customer_id']}",
        "cash_received": "/cash_received",
        "statement": f"/statement?customer={statement_customer(services)}",
        "catalog": "/catalog", "admin": "/admin",
    }


def wait_for_payment_events(services, invoice_ids: list[str]) -> None:
    """Wait until the dashboard's read model shows what Stripe says of ``invoice_ids``
    (the invoices :func:`scripts.demo_seed.payments` paid): each one's status as in
    Stripe, and the failed and the processing payments on the "To do" list. Raises
    ``TimeoutError`` after ``EVENTS_TIMEOUT_S`` seconds."""
    stripe_status = {i: services.client.v1.invoices.retrieve(i).status for i in invoice_ids}
    still_open = {i for i, status in stripe_status.items() if status == "open"}
    deadline = time.monotonic() + EVENTS_TIMEOUT_S
    while time.monotonic() < deadline:
        shown = services.reports.invoices_table(InvoiceFilters())
        shown_status = dict(zip(shown["invoice_id"], shown["status"], strict=True))
        todo = set(services.events.todo()["invoice_id"])
        if all(shown_status.get(i) == s for i, s in stripe_status.items()) \
                and still_open <= todo:
            return
        time.sleep(0.25)
    raise TimeoutError(f"the dashboard did not apply the payment events of {invoice_ids}")


def refresh(page: Page) -> None:
    """Press the page's Refresh button, if it has one: a view cached before the payment
    events arrived (the server reads some ahead at start; webhooks do not clear caches)
    would otherwise show the figures from before them, up to its TTL."""
    button = page.get_by_role("button", name=re.compile(r"Refresh$"))
    if button.count():
        button.first.click()
        wait_for_app(page)
        page.mouse.move(0, 0)  # no hover or focus ring left on the button in the picture
        page.evaluate("document.activeElement && document.activeElement.blur()")


def shoot(page: Page, name: str, path: Path) -> None:
    """Wait until ``name``'s page shows what it must (:data:`EXPECTED`) and has painted,
    grow the window to the whole page (Streamlit scrolls inside it, so a full-page
    screenshot alone would stop at the window) and save the PNG."""
    for selector, least in EXPECTED.get(name, {}).items():
        try:
            page.wait_for_function(
                "([s, n]) => document.querySelectorAll(s).length >= n", arg=[selector, least]
            )
        except PlaywrightTimeout as error:
            found = page.locator(selector).count()
            raise RuntimeError(
                f"{name}: {found} of at least {least} '{selector}' on {page.url}"
            ) from error
    page.wait_for_function(DRAWN)
    height = max(VIEWPORT["height"], int(page.evaluate(CONTENT_HEIGHT)))
    page.set_viewport_size(ViewportSize(width=VIEWPORT["width"], height=height))
    page.wait_for_function(DRAWN)
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(VIEWPORT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, \
            start_emulator(Path(scratch) / "emulator.sqlite3") as emulator:
        workdir = Path(scratch)
        services = build_services(
            Settings(database_url=app_database_url(workdir)).with_emulator(emulator.base_url)
        )
        seed(services)
        with running_dashboard(workdir, emulator.base_url, receive_events=True) as url, \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(url)
            wait_for_app(page)
            page.screenshot(path=args.out / "login.png")
            log_in(page, url, "admin")
            paid_now = services.client.v1.invoices.list(params={"status": "open", "limit": 3})
            payments(services)  # now the dashboard receives the payment events
            wait_for_payment_events(services, [invoice.id for invoice in paid_now.data])
            for name, path in pages(services).items():
                page.goto(f"{url}{path}")
                wait_for_app(page)
                refresh(page)
                if name == "overview":  # show the rows behind a number, as staff would
                    page.get_by_role("radio", name=re.compile(r"^Overdue")).click()
                    wait_for_app(page)
                shoot(page, name, args.out / f"{name}.png")
                print(f"{name:18} {path}")
            browser.close()
    print(f"saved to {args.out}")


if __name__ == "__main__":
    main()
