"""The login cookie in real Chromium: HttpOnly and SameSite=Strict, kept across reloads, gone
and useless after logout; forged cookies must not crash.

Uses the browser harness of ``tests/ui/browser`` (its own dashboard server for this
module). The cookie is set by the server's ``/session/login`` route (``ui/http_routes.py``):
``HttpOnly`` (no script in the page can read it), ``SameSite=Strict``, and ``Secure``
only when the page is served over HTTPS (here plain http on 127.0.0.1, so not).
"""

from __future__ import annotations

import time

import jwt
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ui.browser import conftest as harness
from tests.ui.browser.conftest import COOKIE_NAME, Dashboard, log_in, login_cookie, wait_for_app

pytestmark = pytest.mark.browser

# The browser harness's fixtures, for this module outside tests/ui/browser.
dashboard = harness.dashboard
browser_type_launch_args = harness.browser_type_launch_args
_needs_chromium = harness._needs_chromium


def test_login_cookie_is_httponly_and_samesite_strict_with_a_half_day_lifetime(
    dashboard: Dashboard, page: Page
) -> None:
    log_in(page, dashboard.url, "anna")
    cookie = login_cookie(page)
    assert cookie is not None, "the login cookie was not set"
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # http://127.0.0.1: a Secure cookie would be dropped
    assert cookie["path"] == "/"
    assert abs(cookie["expires"] - (time.time() + 0.5 * 86400)) < 600
    assert COOKIE_NAME not in page.evaluate("document.cookie")  # scripts cannot read it
    # nor overwrite it: a script's cookie of the same name does not replace the server's
    page.evaluate(f"document.cookie = '{COOKIE_NAME}=from-a-script; path=/'")
    assert login_cookie(page) == cookie


def test_reload_keeps_the_login_and_logout_makes_the_cookie_useless(
    dashboard: Dashboard, browser: Browser
) -> None:
    first = browser.new_context()
    page = first.new_page()
    log_in(page, dashboard.url, "carl", path="/invoices")
    assert "/session/" not in page.url and page.url.endswith("/invoices")
    copied = login_cookie(page)
    assert copied is not None and copied["httpOnly"] is True
    page.reload()
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("carl · clerk")
    expect(page.get_by_role("textbox", name="Password")).to_have_count(0)

    with page.expect_navigation(url=lambda url: "/session/" not in url):
        page.get_by_role("button", name="Log out").click()
    wait_for_app(page)
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    assert login_cookie(page, timeout=1) is None  # deleted by the server
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()

    second = browser.new_context()
    second.add_cookies([copied])
    other = second.new_page()
    other.goto(f"{dashboard.url}/invoices")
    wait_for_app(other)
    expect(other.get_by_role("textbox", name="Password")).to_be_visible()
    expect(other.get_by_role("button", name="Log out")).to_have_count(0)
    first.close()
    second.close()


@pytest.mark.parametrize("algorithm", ["none", "HS512"])
def test_forged_cookie_shows_the_login_form(
    dashboard: Dashboard, browser: Browser, algorithm: str
) -> None:
    key = None if algorithm == "none" else dashboard.env["LOGIN_COOKIE_KEY"]
    token = jwt.encode({"username": "anna", "exp_date": time.time() + 3600}, key,
                       algorithm=algorithm)
    context = browser.new_context()
    context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": dashboard.url}])
    page = context.new_page()
    page.goto(f"{dashboard.url}/invoices")
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    context.close()


def test_unknown_name_and_wrong_password_read_the_same(dashboard: Dashboard, page: Page) -> None:
    said = []
    for name in ("vera", "nobody-at-all"):
        page.goto(dashboard.url)
        wait_for_app(page)
        page.get_by_role("textbox", name="Username").fill(name)
        page.get_by_role("textbox", name="Password").fill("wrong-password")
        page.get_by_role("button", name="Login").click()
        wait_for_app(page)
        alert = page.get_by_test_id("stAlertContentError")
        expect(alert).to_be_visible()
        said.append(alert.inner_text())
    assert said == ["Username or password is incorrect."] * 2
