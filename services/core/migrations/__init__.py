"""Alembic migrations of the app database (SQLite and PostgreSQL).

``env.py`` runs them on the connection :func:`services.core.database.ensure_schema`
hands over; ``versions/`` holds one file per schema change, the first creating the
tables the dashboard had before migrations existed.
"""
