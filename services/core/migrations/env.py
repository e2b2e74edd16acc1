"""Alembic's entry point: run the migrations on the connection the dashboard hands over.

:func:`services.core.database.ensure_schema` puts an open connection in
``config.attributes["connection"]``; with none (the ``alembic`` command line, run
from the project root with ``alembic.ini``), ``DATABASE_URL`` names the database.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from services.core import audit, intents, sessions  # noqa: F401  (declare their tables)
from services.core.database import DEFAULT_DATABASE_URL, make_plain_engine, metadata
from services.payments import tables  # noqa: F401  (declares the payment-event tables)
from services.readmodel import stored_totals  # noqa: F401  (rm_invoice_totals, 0012)
from services.readmodel import tables as readmodel_tables  # noqa: F401  (the read model)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = make_plain_engine(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    with engine.begin() as connection:
        _run(connection)
