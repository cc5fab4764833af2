"""Connections to the library's database and its migrations, applied when it is opened.

SQLite: the file's folder is created on first use; write transactions start with
BEGIN IMMEDIATE (one writer at a time, others wait up to 30 s) in WAL mode, so two sessions
saving at once both land. PostgreSQL: psycopg 3, a short connect timeout so an unreachable
server is reported at once; migrations hold an advisory lock so two starting apps do not race.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from estimator.storage.config import describe
from estimator.storage.errors import LibraryUnavailable

CONNECT_TIMEOUT_S = 5
SQLITE_BUSY_TIMEOUT_S = 30
MIGRATION_LOCK_KEY = 0x0CF0E57  # pg_advisory_xact_lock key: the library's migrations
IMMEDIATE = "cfu_sqlite_immediate"


def make_engine(url: URL) -> Engine:
    """An engine for the library's URL (see estimator.storage.config)."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(
        url,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "cfu-estimator"},
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
    )


def _sqlite_engine(url: URL) -> Engine:
    path = url.database or ""
    if path and path != ":memory:" and not path.startswith("file:"):
        try:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryUnavailable(
                f"The scenario library cannot create its folder {Path(path).parent} "
                f"({exc.strerror}); set CFU_ESTIMATOR_DATA_DIR to a writable folder. "
                "Estimates work without the library."
            ) from None
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below start transactions, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def unavailable(url: URL, exc: BaseException) -> LibraryUnavailable:
    """The one message a user sees when the database cannot be reached."""
    reason = getattr(exc, "orig", None) or exc
    text = " ".join(str(reason).split())[:300]
    return LibraryUnavailable(
        f"The scenario library's database cannot be reached ({describe(url)}: {text}). "
        "Check DATABASE_URL or CFU_ESTIMATOR_DATA_DIR; estimates work without the library."
    )


@contextlib.contextmanager
def reporting(url: URL) -> Iterator[None]:
    """Turn a database failure (not a constraint violation) into LibraryUnavailable."""
    try:
        yield
    except IntegrityError:
        raise
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        raise unavailable(url, exc) from None


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: on SQLite it takes the write lock at its start."""
    with engine.connect() as conn:
        conn.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            yield conn


def migrations_folder() -> Path:
    return Path(str(resources.files("estimator.storage") / "migrations"))


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_folder()))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (a no-op when it is there already)."""
    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return
    with write_transaction(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
