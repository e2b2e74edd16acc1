"""Server-side record of logouts, so a copied login cookie stops working.

streamlit-authenticator's login cookie is a signed token that stays valid until
it expires, even after the user logs out. The dashboard therefore keeps, per
user, the moment of their last logout ("not before"): a session or cookie that
started before that moment is refused. One small table on the shared
:data:`services.core.database.metadata`; no Streamlit here.
"""

from __future__ import annotations

import time

from sqlalchemy import Column, Engine, Float, String, Table, select

from services.core.database import ensure_schema, insert_ignore, metadata, write_transaction

login_revocations = Table(
    "login_revocations",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("not_before", Float, nullable=False),  # epoch seconds of the last logout
)


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
