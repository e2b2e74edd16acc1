"""How fast the dashboard feels with 10,000 invoices: Invoices page and Lookup, in Chromium.

Run: ``python -m bench.ui_browser_bench`` (``--invoices 10000``, ``--repeat 3``,
``--emulator-db FILE`` to keep and reuse the filled emulator).
Targets: the Invoices table shown in under 2 s, a lookup answered in under 1 s.

Set-up: a file-backed emulator filled through the public API exactly as the
services bench does (:func:`bench.services_bench.fill`: drafts, open, paid,
spread over test clocks), the real dashboard (``streamlit run app.py``) on a
free port, and Debian's Chromium driven by Playwright, logged in through the
login form. Timings are wall-clock from the user's action (opening the page,
pressing Enter in the search box) to the script run being over with the table
on screen. The first Invoices load reads every invoice from Stripe ("cold");
later loads within the cache lifetime are "warm". Each lookup uses a different
query, so none is answered from the cache.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import stripe
from playwright.sync_api import Page, sync_playwright

from bench.services_bench import fill
from scripts.dashboard_server import CHROMIUM, log_in, running_dashboard
from stripe_emulator.embedded import start_emulator
from tests.ui.browser.conftest import wait_for_app

INVOICES_TARGET_S = 2.0
LOOKUP_TARGET_S = 1.0


def table_shown(page: Page, text: str | None = None) -> None:
    """Wait until the run is over and a table (mentioning ``text``) is on screen."""
    if text is not None:
        page.get_by_text(text).first.wait_for(timeout=180_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=180_000)
    wait_for_app(page)


def open_invoices(page: Page, url: str) -> float:
    """Type the Invoices URL: a full page load (new session, login from the cookie)."""
    started = time.perf_counter()
    page.goto(f"{url}/invoices")
    table_shown(page)
    return time.perf_counter() - started


def open_overview(page: Page, url: str) -> float:
    """Type the dashboard's address: the Overview, from the KPI tiles to the last chart."""
    started = time.perf_counter()
    page.goto(url)
    page.get_by_text("Show the invoices behind").wait_for()
    wait_for_app(page)
    return time.perf_counter() - started


def click_invoices(page: Page, *, cold: bool) -> float:
    """Click Invoices in the sidebar from the Overview (how staff move between pages).

    ``cold``: first press the Overview's Refresh, which forgets every cached invoice
    read, so the Invoices page reads its invoices from Stripe again.
    """
    menu = page.get_by_test_id("stSidebarNav")
    menu.get_by_text("Overview", exact=True).click()
    page.get_by_text("Show the invoices behind").wait_for()
    wait_for_app(page)
    if cold:
        page.get_by_role("button", name="Refresh").click()
        page.wait_for_timeout(500)
        page.get_by_text("Show the invoices behind").wait_for()
        wait_for_app(page)
    started = time.perf_counter()
    menu.get_by_text("Invoices", exact=True).click()
    table_shown(page)
    return time.perf_counter() - started


def look_up(page: Page, query: str) -> float:
    box = page.get_by_role("textbox", name="Search", exact=True)
    box.fill(query)
    started = time.perf_counter()
    box.press("Enter")
    table_shown(page, f"“{query}” reads as")
    return time.perf_counter() - started


def lookup_queries(client: stripe.StripeClient, count: int) -> list[tuple[str, str]]:
    """(kind, text) pairs: invoice numbers, customer names, emails-less ids, amounts."""
    invoices = client.v1.invoices.list(params={"limit": 100, "status": "open"}).data
    picked = invoices[:: max(1, len(invoices) // count)][:count]
    queries: list[tuple[str, str]] = []
    for index, invoice in enumerate(picked):
        kind = ("number", "id", "name", "amount")[index % 4]
        text = {
            "number": invoice.number, "id": invoice.id,
            "name": f"Bench customer {index}",
            "amount": f"{invoice.total / 100:.2f}",  # display text only, as a user types it
        }[kind]
        queries.append((kind, str(text)))
    return queries


def report(label: str, seconds: list[float], target: float) -> None:
    verdict = "meets" if max(seconds) < target else "MISSES"
    print(f"{label:40} median {statistics.median(seconds):5.2f} s  "
          f"max {max(seconds):5.2f} s  ({verdict} the {target:.0f} s target, n={len(seconds)})",
          flush=True)


def run(count: int, repeat: int, emulator_db: Path | None) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db = emulator_db or Path(scratch) / "emulator.sqlite3"
        filled = db.exists()
        with start_emulator(db) as emulator:
            client = stripe.StripeClient("sk_test_emulator",
                                         base_addresses={"api": emulator.base_url})
            if not filled:
                fill_seconds = fill(client, count)
                print(f"{count:,} invoices made through the API in {fill_seconds:.1f} s")
            measure(client, emulator.base_url, Path(scratch), repeat)


def measure(client: stripe.StripeClient, emulator_url: str, scratch: Path, repeat: int) -> None:
    """Open the dashboard on the filled emulator and time the Invoices page and Lookup."""
    queries = lookup_queries(client, 4 * repeat)
    with running_dashboard(scratch, emulator_url) as url, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(180_000)  # a cold page on 10,000 invoices can be slow
        log_in(page, url, "viewer", path="/lookup")  # not the Overview: time that below
        cold = open_invoices(page, url)
        rows = page.get_by_text(re.compile(r"invoices? · select a row")).first.inner_text()
        print(f"Invoices page shows: {rows}")
        report("Invoices URL opened, first (cold)", [cold], INVOICES_TARGET_S)
        warm = [open_invoices(page, url) for _ in range(repeat)]
        report("Invoices URL opened again (cached)", warm, INVOICES_TARGET_S)
        report("Overview, first (cold)", [open_overview(page, url)], INVOICES_TARGET_S)
        clicked = [click_invoices(page, cold=False) for _ in range(repeat)]
        report("Invoices clicked in the menu (cached)", clicked, INVOICES_TARGET_S)
        overview = [open_overview(page, url) for _ in range(repeat)]
        report("Overview again (cached)", overview, INVOICES_TARGET_S)
        page.goto(f"{url}/lookup")
        wait_for_app(page)
        lookups: dict[str, list[float]] = {kind: [] for kind, _ in queries}
        for kind, text in queries:
            lookups[kind].append(look_up(page, text))
        for kind, seconds in lookups.items():
            report(f"Lookup by {kind}", seconds, LOOKUP_TARGET_S)
        cold_clicks = [click_invoices(page, cold=True) for _ in range(repeat)]
        report("Invoices clicked in the menu (cold)", cold_clicks, INVOICES_TARGET_S)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--emulator-db", type=Path, default=None,
                        help="keep the filled emulator in this file; reused (not refilled) "
                             "when it exists")
    args = parser.parse_args()
    run(args.invoices, args.repeat, args.emulator_db)


if __name__ == "__main__":
    main()
