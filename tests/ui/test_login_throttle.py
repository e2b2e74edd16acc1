"""The real login form against attackers: waits instead of lockout, the same answer and the
same work for every name, and an audit row for each attempt and logout.

The form is driven through AppTest on the test's own app database (SQLite, or
PostgreSQL with ``--app-database=postgresql``). Time is moved by replacing the
guard's wall clock, never by sleeping.
"""

from __future__ import annotations

import os
import threading

import bcrypt
import pytest

from services.core import login_guard
from services.core.audit import AuditLog
from services.core.database import make_engine
from tests.ui.conftest import PASSWORDS, texts
from tests.ui.test_login_cookies import browser

GATED = "tests/ui/apps/gated_page.py"
WRONG = "Username or password is incorrect."


def throttled_text(wait: str) -> str:
    return f"Too many failed logins: try again in {wait}, or ask an admin to lift the wait."


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:  # type: ignore[no-untyped-def]
    """The guard's wall clock, moved by the test."""
    fake = Clock(1_900_000_000.0)
    monkeypatch.setattr(login_guard, "_now", fake)
    return fake


def attempt(at, username: str, password: str) -> str:  # type: ignore[no-untyped-def]
    """Submit the login form once; what it says (the first error, or "" on success)."""
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception
    return at.error[0].value if at.error else ""


def audit_rows(action: str | None = None):  # type: ignore[no-untyped-def]
    log = AuditLog(make_engine(os.environ["DATABASE_URL"]))
    return log.table(action=action).iloc[::-1].reset_index(drop=True)  # oldest first


# -- throttling instead of lockout -------------------------------------------------------------


def test_failed_logins_make_the_next_wait_and_the_wait_ends_by_itself(app_test, clock):
    at = app_test(GATED)
    said = [attempt(at, "anna", "wrong") for _ in range(5)]
    assert said == [WRONG] * 4 + [f"{WRONG} {throttled_text('15 seconds')}"]
    # While the wait runs the right password is refused too (it is not even checked) ...
    assert attempt(at, "anna", PASSWORDS["anna"][1]) == throttled_text("15 seconds")
    clock.now += 10
    assert attempt(at, "anna", PASSWORDS["anna"][1]) == throttled_text("5 seconds")
    # ... and then the wait is over, with no restart and no admin.
    clock.now += 5
    assert attempt(at, "anna", PASSWORDS["anna"][1]) == ""
    assert "Gated content" in texts(at)


def test_waits_double_and_never_pass_15_minutes(app_test, clock):
    at = app_test(GATED)
    for _ in range(4):
        attempt(at, "carl", "wrong")
    waits = []
    for _ in range(8):
        said = attempt(at, "carl", "wrong")
        waits.append(said.removeprefix(f"{WRONG} Too many failed logins: try again in ")
                     .split(",")[0])
        clock.now += 15 * 60
    assert waits == ["15 seconds", "30 seconds", "1 minute", "2 minutes", "4 minutes",
                     "8 minutes", "15 minutes", "15 minutes"]


def test_admins_are_throttled_like_anyone_and_not_locked_out(app_test, clock):
    at = app_test(GATED)
    for _ in range(5):
        attempt(at, "adam", "wrong")
    clock.now += 15
    assert attempt(at, "adam", PASSWORDS["adam"][1]) == ""


def test_one_address_trying_many_names_is_throttled_there_only(app_test, clock, monkeypatch):
    client = browser(monkeypatch, ip="203.0.113.5")
    at = app_test(GATED)
    for n in range(20):
        assert attempt(at, f"guess{n}", "wrong") == WRONG
    assert attempt(at, "guess20", "wrong") == f"{WRONG} {throttled_text('15 seconds')}"
    assert attempt(at, "anna", PASSWORDS["anna"][1]) == throttled_text("15 seconds")
    client.remote_ip = "198.51.100.1"  # anna from her own machine
    assert attempt(at, "anna", PASSWORDS["anna"][1]) == ""


# -- no username enumeration -------------------------------------------------------------------


def test_unknown_and_known_names_get_the_same_messages(app_test, clock):
    def messages(name: str) -> list[str]:
        at = app_test(GATED)
        return [attempt(at, name, "wrong") for _ in range(7)]

    known, unknown = messages("carl"), messages("nobody-here")
    assert known == unknown
    assert known[-1] == throttled_text("15 seconds")


def test_unknown_and_known_names_cost_one_bcrypt_check_each(app_test, monkeypatch):
    """The old form answered an unknown name without any bcrypt check (0.2 s faster)."""
    costs: list[int] = []
    lock = threading.Lock()
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        with lock:
            costs.append(int(hashed.split(b"$")[2]))
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    at = app_test(GATED)
    attempt(at, "carl", "wrong")
    known = list(costs)
    costs.clear()
    attempt(at, "nobody-here", "wrong")
    assert known == costs == [4]  # the users file's hashes have cost 4 in these tests


# -- audit -------------------------------------------------------------------------------------


def test_failed_and_successful_logins_and_logouts_are_audited(app_test, clock):
    at = app_test(GATED)
    attempt(at, "anna", "not-her-password")
    attempt(at, "nobody-here", "a-guess")
    attempt(at, "anna", PASSWORDS["anna"][1])
    at.sidebar.button(key="sidebar_logout").click().run()
    rows = audit_rows()
    assert list(rows["action"]) == ["login", "login", "login", "logout"]
    assert list(rows["username"]) == ["anna", "nobody-here", "anna", "anna"]
    assert list(rows["outcome"]) == ["failure", "failure", "success", "success"]
    assert list(rows["error"].iloc[:2]) == ["wrong password", "no such user"]
    assert list(rows["role"]) == ["approver", "none", "approver", "approver"]
    everything = rows.astype(str).to_string()
    assert "not-her-password" not in everything and "a-guess" not in everything
    assert PASSWORDS["anna"][1] not in everything


def test_a_throttle_is_audited_when_it_starts(app_test, clock):
    at = app_test(GATED)
    for _ in range(5):
        attempt(at, "carl", "wrong")
    attempt(at, "carl", PASSWORDS["carl"][1])  # refused while waiting: audited too
    started = audit_rows("login_throttle")
    assert list(started["object_id"]) == ["user:carl"]
    assert "5 failed logins" in started["reason"].iloc[0]
    refused = audit_rows("login").iloc[-1]
    assert refused["outcome"] == "failure" and "throttled" in refused["error"]
