"""The login cookie's token, and the server-side record of logouts that makes a copy useless.

The login cookie holds a JWT ``{"username": ..., "exp_date": <epoch seconds>}`` signed
HS256 with the cookie key (streamlit-authenticator's format, so cookies it wrote before
still read). The dashboard's ``/session/login`` route sets it as an HttpOnly cookie
from a one-time ticket (:mod:`services.core.login_tickets`).
:func:`read_login_token` is the one place that reads it, and it is strict: the
token is attacker input (anyone can send any cookie), so anything but a well-formed,
HS256-signed, unexpired token of the expected shape — ``alg: none``, another
algorithm, a bad signature, garbage, missing or mistyped claims, a lifetime longer
than configured — means "no login", never an exception. (The library's own reader
crashed every page for a cookie signed with another algorithm.)
:func:`issue_login_token` makes tokens in the same format, so cookies written by
either keep working.

The token stays valid until it expires, even after the user logs out. The dashboard
therefore keeps, per user, the moment of their last logout ("not before"): a session
or cookie that started before that moment is refused. Both sides fail closed: a
logout that cannot be recorded still ends the session (:meth:`LogoutRegistry.try_record_logout`
says so), and a login whose logouts cannot be read is not valid
(:meth:`LogoutRegistry.check` answers ``UNCHECKED``). One small table on the shared
:data:`services.core.database.metadata`; no Streamlit here.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

import jwt
from sqlalchemy import Column, Engine, Float, String, Table, select
from sqlalchemy.exc import SQLAlchemyError

from services.core.database import ensure_schema, insert_ignore, metadata, write_transaction

LOG = logging.getLogger(__name__)

SIGNING_ALGORITHM = "HS256"  # the only algorithm accepted, whatever the token's header says
MAX_TOKEN_CHARS = 4096  # a real token is ~150 characters; browsers cap a cookie at 4 KB
CLOCK_SKEW = 300.0  # seconds of disagreement between dashboard servers' clocks tolerated
_DAY = 86400.0


@dataclass(frozen=True)
class LoginToken:
    """A verified login cookie: who, and when the login was made and ends (epoch seconds)."""

    username: str
    issued_at: float
    expires_at: float


def issue_login_token(
    username: str, key: str, expiry_days: float, now: float | None = None
) -> tuple[str, LoginToken]:
    """A signed token for ``username`` in streamlit-authenticator's format, and what it says.

    ``now`` (epoch seconds, default the current time) is when the login was made: the
    token expires ``expiry_days`` after it, and :func:`read_login_token` reads it back
    as the login's start (which the logout registry compares). Raises ``ValueError``
    for an empty username.
    """
    if not username:
        raise ValueError("username: a login token must name its user")
    issued = time.time() if now is None else now
    expires = issued + expiry_days * _DAY
    claims = {"username": username, "exp_date": expires}
    token = jwt.encode(claims, key, algorithm=SIGNING_ALGORITHM)
    return token, LoginToken(username, issued, expires)


def read_login_token(
    raw: object, key: str, expiry_days: float, now: float | None = None
) -> LoginToken | None:
    """The login in cookie text ``raw``, or ``None`` for any defect (never raises).

    Refused: not text or oversized; a header whose ``alg`` is not HS256 (``none``,
    HS512, RS256 with the key as a "public key", ...); a bad signature; claims that
    are not ``{"username": non-empty text, "exp_date": a finite number}``; expired;
    or valid for longer than ``expiry_days`` from now (a token from a longer
    configured expiry, or a forged lifetime).
    """
    moment = time.time() if now is None else now
    if not isinstance(raw, str) or not raw or len(raw) > MAX_TOKEN_CHARS:
        return None
    try:
        # PyJWT would refuse another algorithm too, but with an exception type the
        # library did not catch; checking the header first states the rule plainly.
        if jwt.get_unverified_header(raw).get("alg") != SIGNING_ALGORITHM:
            return None
        claims: Any = jwt.decode(raw, key, algorithms=[SIGNING_ALGORITHM])
    except Exception as err:  # any defect of attacker-controlled text: not logged in
        LOG.info("login cookie refused: %s", type(err).__name__)
        return None
    if not isinstance(claims, dict):
        return None
    username, expires = claims.get("username"), claims.get("exp_date")
    if not isinstance(username, str) or not username.strip() or len(username) > 200:
        return None
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        return None
    expires = float(expires)
    if not math.isfinite(expires) or expires <= moment:
        return None
    if expires > moment + expiry_days * _DAY + CLOCK_SKEW:
        return None
    return LoginToken(username, expires - expiry_days * _DAY, expires)


login_revocations = Table(
    "login_revocations",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("not_before", Float, nullable=False),  # epoch seconds of the last logout
)


class LoginCheck(Enum):
    """What the logout registry says about one login."""

    VALID = "valid"  # no logout after it started
    REVOKED = "revoked"  # the user logged out after it started
    UNCHECKED = "unchecked"  # the registry could not be read: treat as not valid


class LogoutRegistry:
    """Per-user "not before" timestamps: logins older than a logout are refused."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def record_logout(self, username: str, at: float | None = None) -> float:
        """Remember that ``username`` logged out at ``at`` (now by default); return it."""
        if not username:
            raise ValueError("username: a logout must name the user who logged out")
        moment = time.time() if at is None else at
        # Insert-or-raise, never update-then-insert: two dashboard servers recording
        # the same user's logout at once must not collide on the primary key. The
        # cutoff only moves forward, so a late, older logout cannot un-revoke a cookie.
        row = {"username": username, "not_before": moment}
        with write_transaction(self._engine) as conn:
            if not insert_ignore(conn, login_revocations, row):
                conn.execute(
                    login_revocations.update()
                    .where(
                        login_revocations.c.username == username,
                        login_revocations.c.not_before < moment,
                    )
                    .values(not_before=moment)
                )
        return moment

    def not_before(self, username: str) -> float | None:
        """The last logout of ``username`` (epoch seconds), or ``None`` if never."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(login_revocations.c.not_before).where(
                    login_revocations.c.username == username
                )
            ).scalar_one_or_none()

    def is_revoked(self, username: str, logged_in_at: float) -> bool:
        """True when a login that started at ``logged_in_at`` predates a later logout."""
        cutoff = self.not_before(username)
        return cutoff is not None and logged_in_at <= cutoff

    def check(self, username: str, logged_in_at: float) -> LoginCheck:
        """Whether a login that started at ``logged_in_at`` may go on; never raises for a
        database failure: :attr:`LoginCheck.UNCHECKED` then, which callers must treat as
        not valid (fail closed: an unreadable registry cannot vouch for a cookie)."""
        try:
            revoked = self.is_revoked(username, logged_in_at)
        except SQLAlchemyError:
            LOG.exception("the logouts of %s could not be read", username)
            return LoginCheck.UNCHECKED
        return LoginCheck.REVOKED if revoked else LoginCheck.VALID

    def try_record_logout(self, username: str, at: float | None = None) -> bool:
        """:meth:`record_logout`, answering ``False`` (logged) when the database fails.

        The caller ends the session anyway and tells the user the logout was not
        recorded (a copied cookie then stays refused only while the registry cannot
        be read)."""
        try:
            self.record_logout(username, at)
        except SQLAlchemyError:
            LOG.exception("the logout of %s could not be recorded", username)
            return False
        return True
