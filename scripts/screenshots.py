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
from pathlib import Path

from playwright.sync_api import sync_playwright

from scripts.dashboard_server import CHROMIUM, app_database_url, log_in, running_dashboard
from scripts.demo_seed import payments, seed
from scripts.launcher import ROOT
from services.container import build_services
from services.core.settings import Settings
from services.reporting.receivables import InvoiceFilters
from stripe_emulator.embedded import start_emulator
from tests.ui.browser.conftest import wait_for_app

SETTLE_MS = 1500  # charts draw after the script run ends


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
        "catalog": "/catalog", "admin": "/admin",
    }


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
            page = browser.new_page(viewport={"width": 1440, "height": 1700})
            page.goto(url)
            wait_for_app(page)
            page.screenshot(path=args.out / "login.png")
            log_in(page, url, "admin")
            payments(services)  # now the dashboard receives the payment events
            page.wait_for_timeout(3000)
            for name, path in pages(services).items():
                page.goto(f"{url}{path}")
                wait_for_app(page)
                if name == "overview":  # show the rows behind a number, as staff would
                    page.get_by_role("radio", name=re.compile(r"^Overdue")).click()
                    wait_for_app(page)
                page.wait_for_timeout(SETTLE_MS)
                page.screenshot(path=args.out / f"{name}.png", full_page=True)
                print(f"{name:18} {path}")
            browser.close()
    print(f"saved to {args.out}")


if __name__ == "__main__":
    main()
