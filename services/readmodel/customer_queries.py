"""Customers for the views, read from the read model in SQL: lists, pages, email and name matches.

Newest first (``created``, then id), deleted customers never shown. Stripe's plain
customer list leaves out customers on test clocks; the read model holds them all
(the backfill lists each clock), so ``include_test_clocks=False`` (live mode) leaves
them out the same way. Matching is on the folded columns (``columns.fold``): any case,
any accents. No Stripe request is made.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from services.core.errors import InvalidInput
from services.core.models import Customer, customer_from_stripe
from services.readmodel.columns import fold
from services.readmodel.tables import customers

# Shorter name text matches whole words only (Stripe's search needs three characters
# for a substring match; one or two letters would match nearly every name).
MIN_SUBSTRING = 3
_NEWEST_FIRST = (customers.c.created.desc(), customers.c.id.desc())


def _shown(include_test_clocks: bool) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [customers.c.deleted.is_(False)]
    if not include_test_clocks:
        found.append(customers.c.test_clock.is_(None))
    return found


def _customers(
    engine: Engine, where: Sequence[ColumnElement[bool]], limit: int | None
) -> list[Customer]:
    statement = select(customers.c.data).where(and_(*where)).order_by(*_NEWEST_FIRST)
    if limit is not None:
        statement = statement.limit(max(limit, 0))
    with engine.connect() as conn:
        return [customer_from_stripe(json.loads(data)) for data in conn.scalars(statement)]


def count_customers(engine: Engine, *, include_test_clocks: bool) -> int:
    """How many customers the lists can show (not deleted; those on test clocks only when
    ``include_test_clocks``)."""
    statement = (select(func.count()).select_from(customers)
                 .where(and_(*_shown(include_test_clocks))))
    with engine.connect() as conn:
        return int(conn.scalar(statement) or 0)


def newest_customers(
    engine: Engine, *, limit: int | None, include_test_clocks: bool
) -> list[Customer]:
    """Up to ``limit`` customers (all when None), newest first."""
    return _customers(engine, _shown(include_test_clocks), limit)


def customer_page(
    engine: Engine,
    *,
    limit: int,
    starting_after: str | None,
    test_clock: str | None,
    include_test_clocks: bool,
) -> tuple[list[Customer], bool]:
    """One page of customers newest first, after the customer ``starting_after``
    (those on ``test_clock`` when given), and whether more follow."""
    where = _shown(include_test_clocks or test_clock is not None)
    if test_clock is not None:
        where.append(customers.c.test_clock == test_clock)
    if starting_after:
        with engine.connect() as conn:
            cursor = conn.execute(
                select(customers.c.created, customers.c.id).where(
                    customers.c.id == starting_after, customers.c.deleted.is_(False)
                )
            ).first()
        if cursor is None:
            raise InvalidInput(
                f"There is no customer {starting_after} to continue the list after.",
                field="cursor",
            )
        where.append(
            or_(
                customers.c.created < cursor.created,
                and_(customers.c.created == cursor.created, customers.c.id < cursor.id),
            )
        )
    found = _customers(engine, where, limit + 1)
    return found[:limit], len(found) > limit


def customers_with_email(
    engine: Engine, email: str, *, limit: int, include_test_clocks: bool
) -> list[Customer]:
    """Customers whose email is ``email``, in any case."""
    folded = fold(email.strip()) or ""
    where = [*_shown(include_test_clocks), customers.c.email_folded == folded]
    return _customers(engine, where, limit)


def customers_named(
    engine: Engine, text: str, *, limit: int, include_test_clocks: bool
) -> list[Customer]:
    """Customers whose name contains ``text`` (any case and accents); text shorter than
    three characters matches whole words of the name."""
    folded = fold(text.strip()) or ""
    if not folded:
        return []
    name: Any = customers.c.name_folded
    if len(folded) >= MIN_SUBSTRING:
        matches = name.contains(folded, autoescape=True)
    else:
        matches = or_(
            name == folded,
            name.startswith(f"{folded} ", autoescape=True),
            name.endswith(f" {folded}", autoescape=True),
            name.contains(f" {folded} ", autoescape=True),
        )
    return _customers(engine, [*_shown(include_test_clocks), matches], limit)
