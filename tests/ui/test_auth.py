"""Login, logout, roles and the per-page gate, through AppTest and the real login form."""

from __future__ import annotations

import time

import pytest

from services.core.errors import ConfigurationError
from tests.ui.conftest import PASSWORDS, texts
from tests.ui.test_login_cookies import COOKIE, browser, signed
from ui import config, runtime, users

GATED = "tests/ui/apps/gated_page.py"


def login_via_form(at, username: str, password: str):
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def test_page_without_login_shows_only_the_login_form(app_test):
    at = app_test(GATED).run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Gated content" not in texts(at)
    assert not at.sidebar.button  # no logout, no lookup: nothing but the form


def test_real_login_form_logs_in_and_shows_the_page(app_test):
    at = login_via_form(app_test(GATED), "anna", PASSWORDS["anna"][1])
    assert at.session_state["authentication_status"] is True
    assert "Gated content" in texts(at)
    assert "anna · approver" in texts(at.sidebar)


def test_wrong_password_is_refused_in_words(app_test):
    at = login_via_form(app_test(GATED), "anna", "not-her-password")
    assert "Gated content" not in texts(at)
    assert [e.value for e in at.error] == ["Username or password is incorrect."]


def test_failed_logins_make_the_next_one_wait_instead_of_locking(app_test):
    # Throttling (tests/ui/test_login_throttle.py): the wait ends by itself.
    at = app_test(GATED)
    for _ in range(5):
        login_via_form(at, "carl", "wrong")
    login_via_form(at, "carl", PASSWORDS["carl"][1])
    assert at.session_state["authentication_status"] is not True
    assert at.error[0].value == (
        "Too many failed logins: try again in 15 seconds, or ask an admin to lift the wait."
    )


def test_role_that_may_not_use_the_page_is_refused(app_test):
    at = app_test(GATED, role="clerk").run()
    assert "Gated content" not in texts(at)
    assert "Your role (clerk) may not open this page" in at.error[0].value
    assert app_test(GATED, role="approver").run().header[0].value == "Gated content"


def test_logout_from_the_sidebar_ends_the_session(app_test):
    at = app_test(GATED, role="admin").run()
    at.sidebar.button(key="sidebar_logout").click().run()
    assert [i.value for i in at.info] == ["You have logged out."]
    assert "Gated content" not in texts(at)
    assert runtime.logout_registry().not_before("adam") is not None


def test_cookie_copied_before_logout_no_longer_logs_in(app_test, monkeypatch):
    logout_at = runtime.logout_registry().record_logout("anna")
    browser(monkeypatch, {COOKIE: signed("anna", issued=logout_at - 60)})
    at = app_test(GATED).run()
    assert "Gated content" not in texts(at)
    assert [i.value for i in at.info] == ["You were logged out. Please log in again."]


def test_cookie_from_a_login_after_the_logout_still_works(app_test, monkeypatch):
    logout_at = runtime.logout_registry().record_logout("anna", at=time.time() - 120)
    browser(monkeypatch, {COOKIE: signed("anna", issued=logout_at + 60)})
    at = app_test(GATED).run()
    assert "Gated content" in texts(at)


def test_logout_elsewhere_ends_an_open_session(app_test):
    at = app_test(GATED, role="approver").run()
    assert "Gated content" in texts(at)
    runtime.logout_registry().record_logout("anna")
    at.run()
    assert "Gated content" not in texts(at)


def test_demo_users_are_created_in_emulator_mode(dashboard_env, tmp_path):
    cfg = config.LoginConfig(None, "c", 0.5, tmp_path / "missing.yaml")
    setup = runtime._login_setup(str(cfg.users_file), None, "c", 0.5, False, str(tmp_path))
    assert setup.demo_users is True
    assert set(setup.credentials["usernames"]) == set(users.DEMO_PASSWORDS)
    assert len(setup.cookie_key) == 64


def test_demo_users_refused_against_stripe(tmp_path):
    demo_file, _key = users.ensure_demo_users(tmp_path)
    with pytest.raises(ConfigurationError, match="demo users") as err:
        runtime._login_setup(str(demo_file), "k" * 64, "c", 0.5, True, str(tmp_path))
    assert err.value.field == "login.users_file"


def test_example_cookie_key_refused_against_stripe(dashboard_env):
    with pytest.raises(ConfigurationError, match="example value") as err:
        runtime._login_setup(
            dashboard_env["users_file"], config.EXAMPLE_COOKIE_KEY, "c", 0.5, True, "data"
        )
    assert err.value.field == "login.cookie_key"


def test_login_longer_than_a_day_is_refused():
    with pytest.raises(ConfigurationError) as err:
        config.LoginConfig.from_mapping({"cookie_expiry_days": 30})
    assert err.value.field == "login.cookie_expiry_days"


def test_users_file_with_plain_password_is_refused(tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text("credentials:\n  usernames:\n    x: {roles: [clerk], password: secret}\n")
    with pytest.raises(ConfigurationError, match="bcrypt"):
        users.load_users(path)


def test_highest_role_wins():
    assert users.highest_role(["viewer", "approver", "unknown"]).value == "approver"
    assert users.highest_role(["finance"]) is None


# -- logout fails closed when the app database does not answer ------------------------------
def _database_locked(*_args, **_kwargs):  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    raise OperationalError("UPDATE login_revocations", {}, Exception("database is locked"))


def _browser_sent_to(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Where the page sends the browser (AppTest has none to follow it)."""
    from ui import login_cookie

    paths: list[str] = []
    monkeypatch.setattr(login_cookie, "send_browser_to", lambda path: paths.append(path) or True)
    return paths


def test_logout_with_the_database_locked_still_logs_out_and_says_so(app_test, monkeypatch):
    from services.core.sessions import LogoutRegistry

    sent_to = _browser_sent_to(monkeypatch)
    at = app_test(GATED, role="admin").run()
    assert "Gated content" in texts(at)
    monkeypatch.setattr(LogoutRegistry, "record_logout", _database_locked)
    at.sidebar.button(key="sidebar_logout").click().run()
    assert not at.exception
    assert at.session_state["authentication_status"] is not True
    assert "Gated content" not in texts(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    # sent to the route that deletes the cookie (no database needed), then to a form saying so
    assert sent_to == ["/session/logout?next=%2F%3Flogout%3Dunrecorded"]
    [notice] = [i.value for i in at.info]
    assert "could not be recorded" in notice and "cookie" in notice
    at.run()  # the next run too: still logged out
    assert "Gated content" not in texts(at)


def test_a_cookie_is_not_valid_while_logouts_cannot_be_read(app_test, monkeypatch):
    from services.core.sessions import LogoutRegistry

    browser(monkeypatch, {COOKIE: signed("anna")})
    monkeypatch.setattr(LogoutRegistry, "not_before", _database_locked)
    at = app_test(GATED).run()
    assert not at.exception
    assert "Gated content" not in texts(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "cannot be checked" in at.info[0].value
    monkeypatch.undo()  # the database answers again: the cookie (no logout since) works
    browser(monkeypatch, {COOKIE: signed("anna")})
    assert "Gated content" in texts(at.run())


def test_an_open_session_shows_the_login_form_while_logouts_cannot_be_read(app_test,
                                                                           monkeypatch):
    from services.core.sessions import LogoutRegistry

    at = app_test(GATED, role="approver").run()
    assert "Gated content" in texts(at)
    monkeypatch.setattr(LogoutRegistry, "not_before", _database_locked)
    at.run()
    assert not at.exception
    assert "Gated content" not in texts(at)
