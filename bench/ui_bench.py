"""Dashboard figures with 10,000 invoices in the emulator: Invoices page and lookup.

Run: ``python -m bench.ui_bench [--invoices 10000] [--repeat 5]``.

A fresh emulator (SQLite file) is filled directly with 1,000 customers and
``--invoices`` invoices (the emulator bench's fillers), then:

- *Invoices page, server*: one AppTest run of ``pages/invoices.py`` as a viewer
  with empty caches (login check, filters, service call, formatting, table),
  and the same with warm caches. Target: under 2 s.
- *Invoices page, browser* (when /usr/bin/chromium exists): ``streamlit run
  app.py`` against the same emulator; time from ``goto(/invoices)`` (already
  logged in) to the table's canvas being visible.
- *Lookup*: ``services.lookup.search`` for an invoice number, an email and a
  customer name. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bcrypt
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from bench import emulator_bench, emulator_invoice_bench
from scripts.launcher import dashboard_server
from stripe_emulator.embedded import start_emulator
from ui import runtime

ROOT = Path(__file__).resolve().parents[1]
COOKIE_KEY = "b" * 64


def _timed(work: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(first, median of the rest) in seconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples[0], statistics.median(samples[1:] or samples)


def _users_file(workdir: Path) -> Path:
    path = workdir / "users.yaml"
    hashed = bcrypt.hashpw(b"bench-pass", bcrypt.gensalt(4)).decode()
    path.write_text(yaml.safe_dump({"credentials": {"usernames": {
        "bench": {"name": "Bench", "roles": ["viewer"], "password": hashed}}}}))
    return path


def _page_run(users_file: Path) -> None:
    at = AppTest.from_file(str(ROOT / "pages/invoices.py"), default_timeout=60)
    at.secrets["login"] = {"users_file": str(users_file), "cookie_key": COOKIE_KEY}
    for key, value in {"authentication_status": True, "name": "Bench", "username": "bench",
                       "roles": ["viewer"], "logout": None}.items():
        at.session_state[key] = value
    at.run()
    if at.exception or not at.dataframe:
        raise RuntimeError(f"the Invoices page did not show its table: {at.exception}")


def _browser_figure(env: dict[str, str], repeat: int) -> str:
    """Seconds from opening /invoices (logged in) to the table being visible."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return "skipped (no /usr/bin/chromium)"
    from playwright.sync_api import sync_playwright

    path = "/invoices" if (ROOT / "pages/overview.py").exists() else "/"
    with dashboard_server(env) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium))
        page = browser.new_page()
        page.goto(url)
        page.get_by_role("textbox", name="Username").fill("bench")
        page.get_by_role("textbox", name="Password").fill("bench-pass")
        page.get_by_role("button", name="Login").click()
        page.get_by_test_id("stSidebar").get_by_text("bench · viewer").wait_for()
        for _ in range(100):  # the login cookie is written by a component, a moment later
            if any(c["name"] == "invoicing_dashboard_auth" for c in page.context.cookies()):
                break
            page.wait_for_timeout(100)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            page.goto(f"{url}{path}")
            try:
                page.get_by_test_id("stDataFrame").first.wait_for(state="visible",
                                                                  timeout=60_000)
            except Exception:
                page.screenshot(path=str(Path(tempfile.gettempdir()) / "ui_bench.png"))
                raise
            samples.append(time.perf_counter() - started)
        browser.close()
    return f"first {samples[0]:.2f} s, median {statistics.median(samples[1:] or samples):.2f} s"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        emulator = start_emulator(workdir / "emulator.sqlite3")
        try:
            sample: dict[str, Any] = {}
            emulator_bench.fill_customers(emulator.state, 1_000, sample)
            emulator_invoice_bench.fill_invoices(emulator.state, args.invoices, sample)
            env = {"STRIPE_API_KEY": "sk_test_emulator", "STRIPE_API_BASE": emulator.base_url,
                   "DATABASE_URL": f"sqlite:///{workdir / 'dashboard.sqlite3'}",
                   "LOGIN_USERS_FILE": str(_users_file(workdir)), "LOGIN_COOKIE_KEY": COOKIE_KEY,
                   "DASHBOARD_DATA_DIR": str(workdir / "data"), "LOAD_DEMO_DATA": "0"}
            os.environ.update(env)
            from services.container import build_services
            from services.core.settings import Settings

            services = build_services(Settings.from_mapping(env))
            runtime.install_services_factory(lambda: services, replace=True)
            users_file = Path(env["LOGIN_USERS_FILE"])
            print(f"\n== {args.invoices:,} invoices over 1,000 customers")

            def cold() -> None:
                st.cache_data.clear()
                _page_run(users_file)

            first, median = _timed(cold, args.repeat)
            print(f"Invoices page, server, empty caches: first {first:.2f} s, median {median:.2f} s"
                  " (target < 2 s)")
            first, median = _timed(lambda: _page_run(users_file), args.repeat)
            print(f"Invoices page, server, warm caches:  first {first:.2f} s, "
                  f"median {median:.2f} s")
            if not args.no_browser:
                print(f"Invoices page, browser: {_browser_figure(env, args.repeat)}")
            for label, text in (("invoice number", sample["invoice_number"]),
                                ("email", sample["email"]), ("customer name", "Client 500")):
                first, median = _timed(functools.partial(services.lookup.search, text), args.repeat)
                print(f"Lookup by {label:15} first {first * 1000:7.1f} ms, median "
                      f"{median * 1000:7.1f} ms (target < 1 s)")
        finally:
            emulator.stop()


if __name__ == "__main__":
    main()
