"""Alembic environment: migrations run on the connection estimator.storage.database hands over
(inside its transaction and lock), never from a config file or the command line's URL."""

from __future__ import annotations

from alembic import context

from estimator.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - offline SQL generation is not offered
    raise RuntimeError("run migrations through estimator.storage.database.upgrade(engine)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
