"""The login guard: throttles that grow and end, no username enumeration, audit, shared state;
and the strict reader of the login cookie's token.

Every test here runs on SQLite and on PostgreSQL (``--app-database=postgresql``).
Time is a fake clock, so waits of minutes take no time.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import jwt
import pytest

from services.core.access import Actor, Role
from services.core.audit import AuditLog
from services.core.database import make_engine
from services.core.errors import PermissionDenied
from services.core.login_guard import (
    MAX_DELAY,
    USER_RULE,
    Account,
    LoginGuard,
    Result,
    address_subject,
    dummy_hash,
)
from services.core.sessions import issue_login_token, read_login_token

PASSWORD = "anna-pass-1"
ADMIN = Actor("adam", Role.ADMIN)
KEY = "k" * 64


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _accounts(rounds: int = 4) -> dict[str, Account]:
    def hashed(password: str) -> str:
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()

    return {
        "anna": Account(hashed(PASSWORD), Role.APPROVER),
        "adam": Account(hashed("adam-pass-1"), Role.ADMIN),
    }


ACCOUNTS = _accounts()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_guard(app_database_url: str, clock: Clock) -> Callable[[], LoginGuard]:
    """A guard on the test's app database; each call a new engine (as another server)."""

    def make() -> LoginGuard:
        engine = make_engine(app_database_url)
        return LoginGuard(engine, AuditLog(engine), clock=clock)

    return make


@pytest.fixture
def guard(make_guard: Callable[[], LoginGuard]) -> LoginGuard:
    return make_guard()


def _audit(guard: LoginGuard, action: str | None = None):  # type: ignore[no-untyped-def]
    return guard._audit.table(action=action)


# -- throttling instead of lockout -------------------------------------------------------------


def test_waits_grow_per_failure_and_end_by_themselves(guard, clock):
    for _ in range(USER_RULE.free):  # a few typos cost nothing
        attempt = guard.log_in("anna", "typo", "203.0.113.5", ACCOUNTS)
        assert (attempt.result, attempt.retry_after) == (Result.WRONG, 0.0)
    waits = []
    for _ in range(8):
        attempt = guard.log_in("anna", "wrong", "203.0.113.5", ACCOUNTS)
        assert attempt.result is Result.WRONG
        waits.append(attempt.retry_after)
        # While the wait runs even the right password is refused, without a check.
        refused = guard.log_in("anna", PASSWORD, "203.0.113.5", ACCOUNTS)
        assert refused.result is Result.THROTTLED
        assert refused.retry_after == pytest.approx(attempt.retry_after)
        clock.advance(attempt.retry_after)
    assert waits == [15, 30, 60, 120, 240, 480, 900, 900]  # doubling, capped at 15 minutes
    assert max(waits) <= MAX_DELAY
    assert guard.log_in("anna", PASSWORD, "203.0.113.5", ACCOUNTS).ok  # it ended by itself


def test_a_good_login_starts_the_count_again(guard, clock):
    for _ in range(USER_RULE.free):
        guard.log_in("anna", "typo", None, ACCOUNTS)
    assert guard.log_in("anna", PASSWORD, None, ACCOUNTS).ok
    assert guard.log_in("anna", "typo", None, ACCOUNTS).retry_after == 0.0


def test_failures_are_forgotten_after_a_quiet_hour(guard, clock):
    for _ in range(USER_RULE.free + 1):
        attempt = guard.log_in("anna", "wrong", None, ACCOUNTS)
    assert attempt.retry_after == 15
    clock.advance(3600 + 16)
    assert guard.log_in("anna", "wrong", None, ACCOUNTS).retry_after == 0.0
    assert {t.key: t.failures for t in guard.throttles()} == {"user:anna": 1, "address:local": 1}


def test_one_address_trying_many_names_is_throttled(guard, clock):
    # 20 free failures per address, names known or not; then that address waits,
    # while the same names from another address may still try.
    for n in range(20):
        assert guard.log_in(f"name{n}", "guess", "198.51.100.7", ACCOUNTS).retry_after == 0
    attempt = guard.log_in("name20", "guess", "198.51.100.7", ACCOUNTS)
    assert attempt.retry_after == 15
    assert guard.log_in("anna", PASSWORD, "198.51.100.7", ACCOUNTS).result is Result.THROTTLED
    assert guard.log_in("anna", PASSWORD, "192.0.2.1", ACCOUNTS).ok


def test_a_good_login_gives_back_the_address_failure_it_counted(guard, clock):
    for _ in range(10):
        guard.log_in("anna", PASSWORD, "198.51.100.8", ACCOUNTS)
    assert not guard.throttles()  # successes never add up to a throttle


def test_addresses_are_grouped_as_attackers_get_them():
    assert address_subject("203.0.113.5") == "203.0.113.5"
    assert address_subject("2001:db8:1:2:3:4:5:6") == address_subject("2001:db8:1:2::9")
    assert address_subject("2001:db8:1:2::9") == "2001:db8:1:2::/64"
    assert address_subject("::ffff:203.0.113.5") == "203.0.113.5"
    assert address_subject(None) == "local"  # Streamlit's answer for a loopback client
    assert address_subject("not an address") == address_subject(object()) == "unknown"


def test_many_attempts_at_once_cannot_slip_past_the_throttle(guard, clock, monkeypatch):
    """Each attempt counts itself before its bcrypt check: 16 concurrent sessions get
    exactly the free tries plus one, not 16 guesses."""
    checks = _count_bcrypt_checks(monkeypatch)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(
            lambda _n: guard.log_in("anna", "guess", "203.0.113.9", ACCOUNTS).result, range(16)
        ))
    assert results.count(Result.WRONG) == USER_RULE.free + 1
    assert results.count(Result.THROTTLED) == 16 - USER_RULE.free - 1
    assert len(checks) == USER_RULE.free + 1


def test_throttles_are_shared_by_servers_on_one_database(make_guard, clock):
    first, second = make_guard(), make_guard()  # two engines: two dashboard processes
    assert first._engine is not second._engine
    for _ in range(USER_RULE.free + 1):
        first.log_in("anna", "wrong", "203.0.113.5", ACCOUNTS)
    assert second.log_in("anna", PASSWORD, "192.0.2.1", ACCOUNTS).result is Result.THROTTLED
    assert [t.key for t in second.throttles() if t.locked(clock.now)] == ["user:anna"]
    assert second.lift("user:anna", ADMIN)
    assert first.log_in("anna", PASSWORD, "192.0.2.1", ACCOUNTS).ok
    # and they survive a restart: a third server still sees the address's count
    assert {t.key: t.failures for t in make_guard().throttles()} == {"address:203.0.113.5": 5}


# -- lifting -----------------------------------------------------------------------------------


def _fail(guard: LoginGuard, clock: Clock, times: int, name: str = "anna") -> None:
    """``times`` failed logins, each after the previous one's wait."""
    for _ in range(times):
        attempt = guard.log_in(name, "wrong", "203.0.113.5", ACCOUNTS)
        assert attempt.result is Result.WRONG
        clock.advance(attempt.retry_after)
    clock.advance(-1)  # the last wait is still running


def test_an_admin_lifts_a_throttle_and_it_is_audited(guard, clock):
    _fail(guard, clock, USER_RULE.free + 2)
    listed = {t.key: t for t in guard.throttles()}
    assert listed["user:anna"].locked(clock.now) and listed["user:anna"].failures == 6
    assert guard.lift("user:anna", ADMIN) is True
    assert "user:anna" not in {t.key for t in guard.throttles()}
    assert guard.log_in("anna", PASSWORD, "203.0.113.5", ACCOUNTS).ok
    lifted = _audit(guard, "login_throttle_lifted")
    assert list(lifted["username"]) == ["adam"]
    assert list(lifted["role"]) == ["admin"]
    assert list(lifted["object_id"]) == ["user:anna"]
    assert "after 6 failed logins" in lifted["reason"].iloc[0]
    assert guard.lift("user:anna", ADMIN) is False  # nothing left: no second row
    assert len(_audit(guard, "login_throttle_lifted")) == 1


def test_only_admins_may_lift(guard):
    for _ in range(USER_RULE.free + 1):
        guard.log_in("anna", "wrong", None, ACCOUNTS)
    with pytest.raises(PermissionDenied):
        guard.lift("user:anna", Actor("anna", Role.APPROVER))
    assert "user:anna" in {t.key for t in guard.throttles()}


# -- no username enumeration -------------------------------------------------------------------


def _count_bcrypt_checks(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """Record the cost factor of every bcrypt check made from now on."""
    costs: list[int] = []
    lock = threading.Lock()
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        with lock:
            costs.append(int(hashed.split(b"$")[2]))
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    return costs


def test_unknown_and_known_names_get_the_same_answers_and_waits(guard, clock):
    def answers(name: str, address: str) -> list[tuple[Result, float]]:
        out = []
        for _ in range(8):
            attempt = guard.log_in(name, "wrong", address, ACCOUNTS)
            out.append((attempt.result, attempt.retry_after))
        return out

    assert answers("anna", "192.0.2.1") == answers("nobody", "192.0.2.2")


def test_unknown_and_known_names_cost_one_bcrypt_check_of_the_same_cost(guard, monkeypatch):
    accounts = _accounts(rounds=5)
    checks = _count_bcrypt_checks(monkeypatch)
    guard.log_in("anna", "wrong", None, accounts)
    known = list(checks)
    checks.clear()
    guard.log_in("nobody", "wrong", None, accounts)
    assert known == checks == [5]  # one check each, same cost as the real hashes
    assert dummy_hash(5) == dummy_hash(5)  # a fixed hash, made once


def test_unknown_and_known_names_take_the_same_time(guard, clock):
    """Medians of interleaved tries, at bcrypt cost 10 (~50 ms a check), must be close;
    the old login answered unknown names with no bcrypt check at all."""
    accounts = _accounts(rounds=10)
    guard.log_in("warm-up", "x", None, accounts)  # the dummy hash is made once per process
    timings: dict[str, list[float]] = {"anna": [], "nobody": []}
    for _ in range(7):
        for name in timings:
            clock.advance(3601)  # no throttle in the way: each try is a first failure
            started = time.perf_counter()
            attempt = guard.log_in(name, "wrong", None, accounts)
            timings[name].append(time.perf_counter() - started)
            assert attempt.result is Result.WRONG
    known, unknown = (statistics.median(timings[n]) for n in ("anna", "nobody"))
    assert abs(known - unknown) < 0.5 * max(known, unknown), (known, unknown)


def test_a_password_longer_than_bcrypt_takes_never_matches(guard):
    long_password = "a" * 72
    accounts = {"anna": Account(bcrypt.hashpw(long_password.encode(), bcrypt.gensalt(4))
                                .decode(), Role.APPROVER)}
    assert guard.log_in("anna", long_password, None, accounts).ok
    assert guard.log_in("anna", long_password + "b", None, accounts).result is Result.WRONG


def test_names_are_matched_as_the_users_file_stores_them(guard):
    assert guard.log_in("  Anna ", PASSWORD, None, ACCOUNTS).username == "anna"
    assert guard.log_in("  Anna ", PASSWORD, None, ACCOUNTS).ok


# -- audit -------------------------------------------------------------------------------------


def test_every_attempt_is_audited_without_the_password(guard, clock):
    guard.log_in("anna", "secret-guess-1", "203.0.113.5", ACCOUNTS)
    guard.log_in("nobody", "secret-guess-2", "203.0.113.5", ACCOUNTS)
    guard.log_in("anna", PASSWORD, "203.0.113.5", ACCOUNTS)
    for _ in range(USER_RULE.free + 1):
        guard.log_in("anna", "secret-guess-3", "203.0.113.5", ACCOUNTS)
    guard.log_in("anna", PASSWORD, "203.0.113.5", ACCOUNTS)  # refused: throttled
    rows = _audit(guard).iloc[::-1]  # oldest first
    logins = rows[rows["action"] == "login"]
    assert list(logins["username"].iloc[:3]) == ["anna", "nobody", "anna"]
    assert list(logins["role"].iloc[:3]) == ["approver", "none", "approver"]
    assert list(logins["outcome"].iloc[:3]) == ["failure", "failure", "success"]
    assert list(logins["error"].iloc[:2]) == ["wrong password", "no such user"]
    assert set(logins["reason"]) == {"from 203.0.113.5"}
    assert "throttled" in logins["error"].iloc[-1]
    throttled = rows[rows["action"] == "login_throttle"]
    assert list(throttled["object_id"]) == ["user:anna"]
    assert "5 failed logins" in throttled["reason"].iloc[0]
    everything = rows.astype(str).to_string()
    for secret in ("secret-guess", PASSWORD):
        assert secret not in everything


# -- the login cookie's token --------------------------------------------------------------------


NOW = 1_900_000_000.0


def _signed(claims: dict, key: str = KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def test_a_token_made_here_reads_back():
    token, issued = issue_login_token("anna", KEY, 0.5, now=NOW)
    assert read_login_token(token, KEY, 0.5, now=NOW + 60) == issued
    assert issued.issued_at == NOW and issued.expires_at == NOW + 43200


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(_signed({"username": "anna", "exp_date": NOW + 60}, KEY, "HS512"),
                     id="HS512"),
        pytest.param(jwt.encode({"username": "anna", "exp_date": NOW + 60}, None,
                                algorithm="none"), id="alg-none"),
        pytest.param(_signed({"username": "anna", "exp_date": NOW + 60}, "x" * 64),
                     id="bad-signature"),
        pytest.param("not.a.token", id="garbage"),
        pytest.param("%%%%", id="not-base64"),
        pytest.param("", id="empty"),
        pytest.param("a" * 5000, id="oversized"),
        pytest.param(_signed({"username": "anna"}), id="no-expiry"),
        pytest.param(_signed({"exp_date": NOW + 60}), id="no-user"),
        pytest.param(_signed({"username": 7, "exp_date": NOW + 60}), id="user-not-text"),
        pytest.param(_signed({"username": "anna", "exp_date": "soon"}), id="expiry-not-number"),
        pytest.param(_signed({"username": "anna", "exp_date": True}), id="expiry-bool"),
        pytest.param(_signed({"username": "anna", "exp_date": NOW - 1}), id="expired"),
        pytest.param(_signed({"username": "anna", "exp_date": NOW + 30 * 86400}),
                     id="longer-than-configured"),
        pytest.param(_signed({"username": "anna", "exp_date": NOW + 60, "exp": 1000}),
                     id="jwt-exp-passed"),
        pytest.param(None, id="no-cookie"),
        pytest.param(12345, id="not-text"),
    ],
)
def test_any_defect_in_the_token_means_no_login(token):
    assert read_login_token(token, KEY, 0.5, now=NOW) is None
