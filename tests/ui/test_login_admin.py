"""The Admin page's login panel: current throttles listed, "Lift" lifts one, and it is audited."""

from __future__ import annotations

import pytest

from services.core import login_guard
from services.core.access import Role
from services.core.login_guard import Account
from tests.ui.conftest import PASSWORDS, texts
from tests.ui.page_fixtures import stripe_services_fixture  # noqa: F401  (fixture)
from tests.ui.test_login_throttle import audit_rows
from ui import auth

PAGE = "pages/admin.py"


@pytest.fixture
def throttled(dashboard_env, monkeypatch) -> login_guard.LoginGuard:  # type: ignore[no-untyped-def]
    """carl (and the address he used) after failed logins: carl must wait, the address not yet."""
    monkeypatch.setattr(login_guard, "_now", lambda: 1_900_000_000.0)
    guard = auth.login_guard()
    accounts = {"carl": Account("$2b$04$" + "x" * 53, Role.CLERK)}
    for _ in range(5):
        guard.log_in("carl", "wrong", "203.0.113.5", accounts)
    guard.log_in("*made-up*](http://x)", "wrong", "203.0.113.5", accounts)
    return guard


def _lift_buttons(at):  # type: ignore[no-untyped-def]
    return {b.key: b for b in at.button if str(b.key).startswith("login_lift_")}


def test_admin_sees_the_throttles_and_lifts_one(app_test, stripe_services, throttled):
    at = app_test(PAGE, role="admin").run()
    assert not at.exception
    shown = [t.value for t in at.text]
    assert "Username carl" in shown
    assert "Address 203.0.113.5" in shown
    assert "Username *made-up*](http://x)" in shown  # typed text stays plain text
    assert any("5 failed" in t and "waiting 15 seconds more" in t for t in shown)
    assert set(_lift_buttons(at)) == {"login_lift_user:carl", "login_lift_address:203.0.113.5",
                                      "login_lift_user:*made-up*](http://x)"}

    _lift_buttons(at)["login_lift_user:carl"].click().run()
    assert "Username carl" not in [t.value for t in at.text]
    assert "user:carl" not in {t.key for t in throttled.throttles()}
    lifted = audit_rows("login_throttle_lifted")
    assert list(lifted["username"]) == ["adam"]
    assert list(lifted["object_id"]) == ["user:carl"]


def test_carl_may_log_in_at_once_after_the_lift(app_test, stripe_services, throttled):
    at = app_test(PAGE, role="admin").run()
    _lift_buttons(at)["login_lift_user:carl"].click().run()
    login = app_test("tests/ui/apps/gated_page.py").run()
    login.text_input[0].input("carl")
    login.text_input[1].input(PASSWORDS["carl"][1])
    login.button[0].click().run()
    # carl is logged in (the gated page itself is for approvers: his role is refused there)
    assert login.session_state["authentication_status"] is True
    assert "Your role (clerk) may not open this page" in texts(login)


def test_no_failed_logins_says_so(app_test, stripe_services):
    at = app_test(PAGE, role="admin").run()
    assert "No failed logins in the last hour." in texts(at)
    assert not _lift_buttons(at)
