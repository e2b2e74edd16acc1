"""Every page in Chromium against a Stripe as slow as the real one: time to its table or figures,
and the Stripe requests each page view makes (the read model's promise: none).

Run: ``python -m bench.browser_pages_bench`` (``--invoices 10000 --customers 20000``;
``--emulator-db FILE`` keeps the filled emulator and reuses it when the file exists, e.g.
one filled at 100,000 invoices by ``bench.read_model_bench``'s filler; ``--app-db FILE``
keeps the backfilled app database and reuses it when the file exists; ``--repeat 3``).

1. **The book** is written straight into the emulator's store (``bench.read_model_bench``'s
   fillers: ``--customers`` customers, ``--invoices`` invoices over 400 days in every
   status, USD and EUR, one in 500 with 25 lines; each customer has about
   invoices/customers of them), plus one large customer with 2,000 invoices
   (``bench.browser_book``; it is added to the working copy, the same for the same book).
   Through the API it would take hours under Stripe's 25 writes/s and 250 ms per answer
   (about four writes an invoice), so only the reads below go through HTTP.
2. **The emulator** then plays Stripe as the dashboard meets it: every answer 250 ms
   late (``--latency-ms``) and Stripe's test-mode rate limiter (25 reads/s, 25 writes/s,
   20 searches/s). Every request reaching it is counted (``RequestCounter``).
3. **The backfill** fills the dashboard's app database at the default 20 requests/s,
   timed, with its requests counted, before the dashboard starts. With ``--app-db FILE``
   (needs ``--emulator-db``): when FILE exists it is copied in instead and the backfill
   is not run (its figures are "not measured in this run"), provided FILE was made from
   this very ``--emulator-db`` (size and first-MB hash, kept in ``FILE.book.json``; else
   the run stops and says so); when FILE does not exist, the backfill runs and its
   result is kept there.
4. **The dashboard** (``streamlit run app.py`` by ``scripts.launcher``) is logged into
   as the admin (every page) in headless Chromium (Playwright, ``/usr/bin/chromium``). Each
   page of the menu, and the detail views (an invoice, a customer's page by
   ``/customers?customer=cus_…``, a customer statement, the Invoices filtered by a
   customer, each also for the large customer where it matters) is opened by its URL (a
   full page load, as typing it) and timed until its main table or figures are on screen
   and the script run is over. Stripe requests are counted over each view. Beside the
   bench's clock (which includes its own polling round trips to the browser, up to a few
   tenths of a second on a busy machine), the page's own clock gives the time from the
   navigation's start to the end of the last script run (``RUN_STATE_CLOCK``).
5. **Two passes.** First a browser new to the dashboard opens every page once on a
   server just started: each page's first view also loads and compiles Streamlit's
   scripts for its kind of elements (tables, date fields, charts) for the first time
   in that browser ("new browser"). Then the same dashboard is restarted (same port,
   database and login key: the browser stays logged in and keeps its cache, as a finance
   user's browser does from one day to the next: Streamlit serves its scripts as
   immutable for a year) and every page is opened again: its first view (nothing of it
   cached on the server) and ``--repeat`` more (the shared cache warm). The target is
   judged on the second pass, on the bench's clock; the new browser's figures are
   reported beside it.

The old way (every view listing Stripe live) is not run here: it needs the code before
the read model; its figures at 10,000 invoices are in issue 10 (Overview 28 s, Overdue
6 s, Invoices 5 s) and ``bench.read_model_bench`` measures both ways at the service level.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.browser_book import (
    LARGE_INVOICES,
    AppDatabaseCopy,
    add_large_customer,
    book_sample,
    fill_book,
    sqlite_file,
)
from bench.read_model_bench import BackfillFigure, RequestCounter, run_backfill
from scripts.dashboard_server import CHROMIUM, app_database_url, log_in, running_dashboard
from scripts.launcher import free_port
from stripe_emulator.embedded import RunningEmulator, start_emulator
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.invoice import INVOICES
from tests.ui.browser.conftest import wait_for_app

TARGET_SECONDS = 1.5  # issue 10: every page under 1.5 s in Chromium at 250 ms and 25/s
TABLE = "[data-testid='stDataFrame']"
#: In each document: when (ms after its navigation began) the app's script state last changed.
RUN_STATE_CLOCK = """(() => { window.__runStateAt = null;
  new MutationObserver(() => { window.__runStateAt = performance.now(); }).observe(document,
    {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']}); })()"""
RUN_OVER_AT = """() => { const app = document.querySelector("[data-testid='stApp']");
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    ? window.__runStateAt / 1000 : null; }"""


@dataclass
class PageFigure:
    name: str
    path: str
    new_browser: float = 0.0  # first view in a browser new to the dashboard (bench clock)
    first: float = 0.0
    again: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)  # Stripe requests per view
    in_browser: list[float] = field(default_factory=list)  # navigation start -> last run over


@dataclass(frozen=True)
class PageView:
    """A page, its URL path, and what is on screen when it is ready."""

    name: str
    path: str
    ready: Callable[[Page], None]


def _table(page: Page) -> None:
    page.locator(TABLE).first.wait_for()


def _text(text: str) -> Callable[[Page], None]:
    def ready(page: Page) -> None:
        page.get_by_text(text).first.wait_for()
    return ready


def _both(*steps: Callable[[Page], None]) -> Callable[[Page], None]:
    def ready(page: Page) -> None:
        for step in steps:
            step(page)
    return ready


def page_views(sample: dict[str, Any]) -> list[PageView]:
    """The pages a finance user opens, with the ids of this book (:func:`book_sample`)."""
    one, large = sample["customer"], sample["large_customer"]
    statement = _both(_text("Statement of"), _text("Opening balance"), _table)
    return [
        PageView("Overview", "/", _text("behind this number")),
        PageView("Invoices", "/invoices", _table),
        PageView("Overdue & aging", "/overdue", _both(_text("Who owes what"), _table)),
        PageView("Customers", "/customers", _table),
        PageView("Invoice", f"/invoice?invoice={sample['invoice']}", _text(sample["number"])),
        PageView("Lookup (a number)", f"/lookup?q={sample['number']}", _table),
        PageView("Lookup (a name)", f"/lookup?q={sample['name'].replace(' ', '+')}", _table),
        PageView("Catalog", "/catalog", _text("Catalog")),
        PageView("New invoice", "/new_invoice", _text("New invoice")),
        PageView("Payment activity", "/payment_activity", _text("Payment activity")),
        PageView("Cash received", "/cash_received",
                 _both(_text("Every payment in the period"), _table)),
        PageView("Invoices (a customer)", f"/invoices?customer={one}",
                 _both(_text("select a row to open it"), _table)),
        PageView("Customer", f"/customers?customer={one}", _both(_text("Outstanding"), _table)),
        PageView("Customer (large)", f"/customers?customer={large}",
                 _both(_text("Outstanding"), _table)),
        PageView("Statement", f"/statement?customer={one}", statement),
        PageView("Statement (large)", f"/statement?customer={large}", statement),
        PageView("Admin", "/admin", _both(_text("newest first."), _table)),
    ]


def open_page(page: Page, base: str, view: PageView) -> tuple[float, float]:
    """Open ``view`` by its URL: seconds until the bench saw its content shown and the run
    over, and seconds from the navigation's start to the end of the last script run as the
    browser clocked it (:data:`RUN_STATE_CLOCK`; without the bench's polling round trips)."""
    started = time.perf_counter()
    page.goto(f"{base}{view.path}")
    view.ready(page)
    wait_for_app(page)
    seconds = time.perf_counter() - started
    in_browser = page.evaluate(RUN_OVER_AT)
    return seconds, float(in_browser) if in_browser is not None else seconds


def new_browser_pass(page: Page, base: str, views: list[PageView]) -> dict[str, float]:
    """Log in and open every page once in a browser new to the dashboard: seconds per page
    name (bench clock)."""
    log_in(page, base, "admin", path="/lookup")
    wait_for_app(page)
    page.wait_for_timeout(3000)  # the server's start-up catch-up is over
    return {view.name: open_page(page, base, view)[0] for view in views}


def measure(page: Page, base: str, counter: RequestCounter, views: list[PageView],
            repeat: int) -> list[PageFigure]:
    """Open every page ``repeat + 1`` times on a server just (re)started, in a browser
    already logged in."""
    page.goto(f"{base}/lookup")
    wait_for_app(page)
    page.wait_for_timeout(3000)  # the server's start-up catch-up is over
    figures = []
    for view in views:
        figure = PageFigure(view.name, view.path)
        for attempt in range(repeat + 1):
            before = counter.total()
            seconds, in_browser = open_page(page, base, view)
            figure.requests.append(counter.total() - before)
            figure.in_browser.append(in_browser)
            if attempt == 0:
                figure.first = seconds
            else:
                figure.again.append(seconds)
        print(f"  {view.name:<22} first {figure.first:5.2f} s, again "
              f"{statistics.median(figure.again):5.2f} s, Stripe requests "
              f"{figure.requests}; in the browser {_seconds(figure.in_browser)}", flush=True)
        figures.append(figure)
    return figures


def run_passes(work: Path, emulator_url: str, counter: RequestCounter, views: list[PageView],
               repeat: int) -> list[PageFigure]:
    """The new browser's pass on one server, then the measured pass on the same dashboard
    restarted (same port, app database and login key; the browser keeps its cache)."""
    port, cookie_key = free_port(), os.urandom(32).hex()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(300_000)
        page.add_init_script(RUN_STATE_CLOCK)
        print("A browser new to the dashboard opens every page once ...", flush=True)
        with running_dashboard(work, emulator_url, port=port, cookie_key=cookie_key) as base:
            new_browser = new_browser_pass(page, base, views)
        print("The dashboard restarted; every page again ...", flush=True)
        with running_dashboard(work, emulator_url, port=port, cookie_key=cookie_key) as base:
            figures = measure(page, base, counter, views, repeat)
        browser.close()
    for figure in figures:
        figure.new_browser = new_browser[figure.name]
    return figures


def report(args: argparse.Namespace, size: tuple[int, int], sample: dict[str, Any],
           filled: BackfillFigure | None, figures: list[PageFigure]) -> None:
    customers, invoices = size
    print(f"\n=== PAGES IN CHROMIUM: {invoices:,} invoices, {customers:,} customers; Stripe at "
          f"{args.latency_ms:.0f} ms and 25 reads/s ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}) ===")
    print(f"Customers opened: {sample['customer']} ({sample['customer_invoices']} invoices) and "
          f"the large {sample['large_customer']} ({sample['large_invoices']:,} invoices)")
    if filled is None:
        print(f"Backfill at 20 requests/s: not measured in this run (the app database was "
              f"copied from {args.app_db}, backfilled from the same book in an earlier run)")
    else:
        print(f"Backfill at 20 requests/s: {filled.seconds:.0f} s; {filled.invoice_lists:,} "
              f"invoice pages (⌈N/100⌉ = {-(-invoices // 100):,}), {filled.line_pages} line "
              f"pages, {filled.customer_lists:,} customer pages, {filled.other} other; 429s "
              f"answered by Stripe {filled.refused}, reaching the caller "
              f"{filled.reached_caller}; storing {filled.store_seconds or 0:.0f} s of it")
    print(f"{'page':<22} {'first view':>11} {'again (p50)':>12} {'Stripe requests/view':>21}"
          f" {'target':>8}   in the browser: first, again (p50)   new browser")
    for f in figures:
        again = statistics.median(f.again) if f.again else f.first
        verdict = "meets" if max(f.first, again) < TARGET_SECONDS else "MISSES"
        browser_again = statistics.median(f.in_browser[1:] or f.in_browser)
        print(f"{f.name:<22} {f.first:10.2f}s {again:11.2f}s {max(f.requests):>21} "
              f"{verdict:>8}   {f.in_browser[0]:.2f}s, {browser_again:.2f}s"
              f"{f.new_browser:21.2f}s")
    print(f"  first view: the server just restarted, nothing of that page cached on it yet; "
          f"again: {args.repeat} more views (the shared cache warm); both in a browser that "
          f"has opened the dashboard before. Target: every page under {TARGET_SECONDS} s, "
          "judged on the bench's own clock (page.goto until content shown and run over, its "
          "polling round trips included). In the browser: navigation start to the end of "
          "the last script run, as the page clocked it. New browser: the first view in a "
          "browser that never opened the dashboard, on a server just started (not judged). "
          "Requests: the most any one view made.")


def _seconds(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "] s"


def prepare_book(args: argparse.Namespace, db: Path) -> dict[str, Any]:
    """Fill or copy the book into ``db``, add the large customer; the sample to open."""
    if args.emulator_db is not None and args.emulator_db.exists():
        print(f"Reusing the book in {args.emulator_db} ...", flush=True)
        shutil.copyfile(args.emulator_db, db)
    else:
        started = time.perf_counter()
        fill_book(db, args.customers, args.invoices)
        print(f"Book written in {time.perf_counter() - started:.0f} s", flush=True)
        if args.emulator_db is not None:
            shutil.copyfile(db, args.emulator_db)
    with start_emulator(db) as emulator:
        add_large_customer(emulator.state)
    return {**book_sample(db), "large_invoices": LARGE_INVOICES}


def fill_app_database(args: argparse.Namespace, emulator: RunningEmulator,
                      counter: RequestCounter, url: str, invoices: int) -> BackfillFigure | None:
    """Copy the kept app database in, or backfill it (and keep it when asked); the
    backfill's figures, None when it was copied."""
    kept = AppDatabaseCopy(args.app_db, args.emulator_db) if args.app_db else None
    if kept is not None and kept.exists():
        print(f"Reusing the app database in {args.app_db} (no backfill) ...", flush=True)
        kept.restore(sqlite_file(url))
        return None
    print(f"Backfill at 20 requests/s, {args.latency_ms:.0f} ms per answer ...", flush=True)
    filled, services = run_backfill("backfill", emulator, counter, url, 20, invoices)
    services.close()
    if filled.error:
        raise RuntimeError(filled.error)
    if kept is not None:
        kept.keep(sqlite_file(url))
        print(f"Backfilled app database kept in {args.app_db}", flush=True)
    return filled


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_pages_bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--emulator-db", type=Path, default=None,
                        help="the filled emulator file: reused when it exists, else filled "
                             "and kept (a copy is used, the file is left as it is)")
    parser.add_argument("--app-db", type=Path, default=None,
                        help="the backfilled app database (SQLite): reused when it exists and "
                             "was made from the same --emulator-db, else backfilled and kept")
    args = parser.parse_args(argv)
    if args.app_db is not None and args.emulator_db is None:
        parser.error("--app-db needs --emulator-db: a kept app database matches one kept book")
    with tempfile.TemporaryDirectory(prefix="browser-pages-bench-") as scratch:
        work = Path(scratch)
        db = work / "stripe.sqlite3"
        sample = prepare_book(args, db)
        with start_emulator(db, latency_ms=args.latency_ms, rate_limit="test") as emulator:
            store = emulator.state.store
            size = (store.count(CUSTOMERS, Where().eq("deleted", 0)), store.count(INVOICES))
            counter = RequestCounter(emulator.throttle)
            filled = fill_app_database(args, emulator, counter, app_database_url(work), size[1])
            figures = run_passes(work, emulator.base_url, counter, page_views(sample),
                                 args.repeat)
            report(args, size, sample, filled, figures)


if __name__ == "__main__":
    main()
