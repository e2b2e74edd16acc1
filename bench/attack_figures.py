"""The figures of issue 13's attack table, measured again on a real dashboard server.

Starts ``streamlit run app.py`` in demo mode (embedded emulator, demo users, no demo
data) with a fresh data folder under umask 022, then measures what the issue measured:

- login timing: median seconds from clicking Login to the refusal, in Chromium, for
  known names with a wrong password and for unknown names (alternating), and the same
  at the login guard alone with the demo users' bcrypt cost;
- the webhook: server memory (VmRSS, VmHWM from /proc) before and after one 100 MB
  unsigned request, declared and chunked; the answer to a signature dated an hour ahead;
- secrets at rest: the modes of the data folder, demo users, cookie key, app database;
- the listening address: whether the port answers on this machine's network address;
- the login cookie: HttpOnly, SameSite, in ``document.cookie`` or not, after reload,
  and a copied cookie after logout; forged ``alg: none`` and HS512 cookies.

Run: ``.venv/bin/python -m bench.attack_figures`` (needs /usr/bin/chromium). Prints one
line per figure. Takes about two minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import socket
import stat
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
from playwright.sync_api import Page, sync_playwright

from scripts.launcher import free_port, start_server, stop_server, wait_until_healthy

CHROMIUM = "/usr/bin/chromium"
COOKIE = "invoicing_dashboard_auth"
DEMO = {"viewer": "viewer-demo", "clerk": "clerk-demo", "approver": "approver-demo",
        "admin": "admin-demo"}


def rss_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def post_unsigned(port: int, size: int, *, chunked: bool) -> tuple[int, float]:
    """POST ``size`` bytes of JSON-looking junk to /webhooks/stripe; (status, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.monotonic()
    piece = b"x" * (1 << 20)
    headers = {"Content-Type": "application/json"}

    def body() -> Iterator[bytes]:
        for _ in range(size // len(piece)):
            yield piece

    try:
        if chunked:
            conn.request("POST", "/webhooks/stripe", body=body(), headers=headers,
                         encode_chunked=True)
        else:
            headers["Content-Length"] = str(size)
            conn.putrequest("POST", "/webhooks/stripe")
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            try:
                for chunk in body():
                    conn.send(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed before the body was sent: refused early
        status = conn.getresponse().status
    finally:
        conn.close()
    return status, time.monotonic() - started


def webhook_secret(database: Path) -> str | None:
    import sqlite3

    with sqlite3.connect(database) as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
            for column in columns:
                if "secret" in column:
                    row = conn.execute(f"SELECT {column} FROM {table} LIMIT 1").fetchone()
                    if row and str(row[0]).startswith("whsec_"):
                        return str(row[0])
    return None


def future_signature_status(port: int, secret: str | None) -> str:
    if secret is None:
        return "no whsec_ secret found in the app database"
    body = json.dumps({"id": "evt_future", "object": "event", "type": "invoice.paid",
                       "created": int(time.time()), "data": {"object": {}}}).encode()
    stamp = int(time.time()) + 3600
    signature = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/webhooks/stripe", body=body,
                 headers={"Stripe-Signature": f"t={stamp},v1={signature}",
                          "Content-Type": "application/json"})
    answer = conn.getresponse()
    return f"{answer.status} {answer.read()[:80].decode(errors='replace')}"


def wait_for_app(page: Page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def logged_in(page: Page) -> bool:
    """After a page load: True when the page shows "Log out", False for the login form."""
    form = page.get_by_role("textbox", name="Password")
    out = page.get_by_role("button", name="Log out")
    form.or_(out).first.wait_for()
    return out.count() == 1


def refusal_seconds(page: Page, url: str, name: str, password: str) -> float:
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("textbox", name="Username").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    started = time.monotonic()
    page.get_by_role("button", name="Login").click()
    page.get_by_test_id("stAlertContentError").wait_for()
    return time.monotonic() - started


def guard_timing(samples: int) -> tuple[float, float]:
    import bcrypt
    from sqlalchemy import create_engine

    from services.core.access import Role
    from services.core.login_guard import Account, LoginGuard

    accounts = {f"user{i}": Account(bcrypt.hashpw(b"right", bcrypt.gensalt()).decode(),
                                    Role.CLERK) for i in range(samples)}
    guard = LoginGuard(create_engine("sqlite://"))
    known: list[float] = []  # seconds per refused login, account exists
    unknown: list[float] = []  # the same for a name with no account
    for i in range(samples):
        for name, into in ((f"user{i}", known), (f"nobody{i}", unknown)):
            started = time.perf_counter()
            guard.log_in(name, "wrong", f"10.0.{i}.{len(into)}", accounts)
            into.append(time.perf_counter() - started)
    return statistics.median(known), statistics.median(unknown)


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="attack-figures-"))
    data = home / "data"
    port = free_port()
    env = {"DASHBOARD_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data}/dashboard.sqlite3",
           "LOAD_DEMO_DATA": "0", "STRIPE_API_KEY": "", "LOGIN_COOKIE_KEY": "",
           "LOGIN_USERS_FILE": str(home / "no-users.yaml")}
    old_umask = os.umask(0o022)
    log = (home / "server.log").open("w")
    process = start_server(env, port, log=log)
    os.umask(old_umask)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{url}/healthz", process, 120)
        print(f"server pid {process.pid} at {url}; data folder {data}")

        # -- secrets at rest -------------------------------------------------------------------
        for path in sorted([data, *data.iterdir()]):
            print(f"mode {stat.filemode(path.stat().st_mode)} {oct(path.stat().st_mode & 0o777)}"
                  f" {path.relative_to(home)}")

        # -- listening address -----------------------------------------------------------------
        listening = subprocess.run(["ss", "-ltn", f"sport = :{port}"], capture_output=True,
                                   text=True, check=False).stdout.strip().splitlines()[1:]
        print(f"listening sockets on :{port}: {[line.split()[3] for line in listening]}")
        outside = subprocess.run(["hostname", "-I"], capture_output=True, text=True,
                                 check=False).stdout.split()
        for address in outside[:1]:
            try:
                socket.create_connection((address, port), timeout=3).close()
                print(f"connect {address}:{port}: ANSWERED")
            except OSError as err:
                print(f"connect {address}:{port}: refused ({type(err).__name__})")

        # -- webhook ---------------------------------------------------------------------------
        for chunked in (False, True):
            before = rss_kb(process.pid)
            status, seconds = post_unsigned(port, 100 * (1 << 20), chunked=chunked)
            time.sleep(1)
            after = rss_kb(process.pid)
            kind = "chunked" if chunked else "Content-Length"
            print(f"100 MB unsigned ({kind}): {status} in {seconds:.2f} s; VmRSS "
                  f"{before['VmRSS'] / 1024:.0f} -> {after['VmRSS'] / 1024:.0f} MB, VmHWM "
                  f"{before['VmHWM'] / 1024:.0f} -> {after['VmHWM'] / 1024:.0f} MB")
        secret = webhook_secret(data / "dashboard.sqlite3")
        print(f"signature dated an hour ahead: {future_signature_status(port, secret)}")

        # -- browser: timing, cookie, forged cookies -------------------------------------------
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM)
            context = browser.new_context()
            page = context.new_page()
            known, unknown = [], []
            for round_ in range(4):  # 4 free failures per name, 20 per address
                for name in DEMO:
                    known.append(refusal_seconds(page, url, name, "wrong-password"))
                    unknown.append(refusal_seconds(page, url, f"ghost{round_}{name}",
                                                   "wrong-password"))
                    if len(known) >= 9:
                        break
                if len(known) >= 9:
                    break
            print(f"browser refusal median: known {statistics.median(known):.3f} s, unknown "
                  f"{statistics.median(unknown):.3f} s (n={len(known)}+{len(unknown)})")
            context.close()

            context = browser.new_context()
            page = context.new_page()
            page.goto(url)
            wait_for_app(page)
            page.get_by_role("textbox", name="Username").fill("admin")
            page.get_by_role("textbox", name="Password").fill(DEMO["admin"])
            with page.expect_navigation(url=lambda u: "/session/" not in u):
                page.get_by_role("button", name="Login").click()
            wait_for_app(page)
            page.get_by_role("button", name="Log out").wait_for()
            [cookie] = [c for c in context.cookies() if c["name"] == COOKIE]
            print(f"cookie: httpOnly={cookie['httpOnly']} sameSite={cookie['sameSite']} "
                  f"secure={cookie['secure']}; in document.cookie: "
                  f"{COOKIE in page.evaluate('document.cookie')}")
            page.reload()
            wait_for_app(page)
            print(f"after reload logged in: {logged_in(page)}")
            with page.expect_navigation(url=lambda u: "/session/" not in u):
                page.get_by_role("button", name="Log out").click()
            wait_for_app(page)
            left = [c for c in context.cookies() if c["name"] == COOKIE]
            print(f"after logout cookie in the jar: {bool(left)}")
            replay = browser.new_context()
            replay.add_cookies([{  # the copied cookie as the browser held it
                "name": cookie["name"], "value": cookie["value"], "domain": cookie["domain"],
                "path": cookie["path"], "expires": cookie["expires"],
                "httpOnly": cookie["httpOnly"], "secure": cookie["secure"],
                "sameSite": cookie["sameSite"]}])
            other = replay.new_page()
            other.goto(url)
            wait_for_app(other)
            print(f"copied cookie after logout logs in: {logged_in(other)}")
            replay.close()
            key = (data / "demo-cookie-key").read_text().strip()
            for algorithm in ("none", "HS512"):
                token = jwt.encode({"username": "admin", "exp_date": time.time() + 3600},
                                   "" if algorithm == "none" else key, algorithm=algorithm)
                forged = browser.new_context()
                forged.add_cookies([{"name": COOKIE, "value": token, "url": url}])
                fpage = forged.new_page()
                fpage.goto(url)
                wait_for_app(fpage)
                shown = "the page" if logged_in(fpage) else "the login form"
                print(f"forged {algorithm} cookie: {shown}, exceptions "
                      f"{fpage.get_by_test_id('stException').count()}")
                forged.close()
            browser.close()
    finally:
        stop_server(process)
        log.close()
    known_s, unknown_s = guard_timing(15)
    print(f"login guard alone (bcrypt cost 12): median known {known_s:.3f} s, "
          f"unknown {unknown_s:.3f} s")


if __name__ == "__main__":
    main()
