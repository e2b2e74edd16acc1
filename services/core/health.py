"""Is the dashboard able to work? The app database and Stripe, checked for ``/healthz``.

:func:`problems` answers in words a person can act on; an empty list means healthy.
The Stripe check (``GET /v1/events?limit=1``, the cheapest read every key may make)
is remembered for ``STRIPE_CHECK_SECONDS`` so a load balancer polling every few
seconds costs Stripe one request per half minute.
"""

from __future__ import annotations

import threading
import time

import stripe
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

STRIPE_CHECK_SECONDS = 30.0


class HealthCheck:
    """Checks the app database on every call and Stripe at most every 30 seconds."""

    def __init__(self, engine: Engine, client: stripe.StripeClient) -> None:
        self._engine = engine
        self._client = client
        self._lock = threading.Lock()
        self._stripe_checked_at = float("-inf")
        self._stripe_problem: str | None = None

    def problems(self) -> list[str]:
        """What does not work now; empty when everything does."""
        found = []
        database = self._database_problem()
        if database:
            found.append(database)
        stripe_problem = self._stripe()
        if stripe_problem:
            found.append(stripe_problem)
        return found

    def _database_problem(self) -> str | None:
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                conn.execute(text("SELECT count(*) FROM alembic_version"))
        except SQLAlchemyError as err:
            return f"app database unusable: {type(err).__name__}"
        return None

    def _stripe(self) -> str | None:
        with self._lock:
            if time.monotonic() - self._stripe_checked_at < STRIPE_CHECK_SECONDS:
                return self._stripe_problem
            try:
                self._client.v1.events.list(params={"limit": 1})
                self._stripe_problem = None
            except stripe.StripeError as err:
                self._stripe_problem = f"Stripe unreachable: {type(err).__name__}"
            self._stripe_checked_at = time.monotonic()
            return self._stripe_problem
