"""Where the library lives: SQLite in the data folder by default, PostgreSQL with DATABASE_URL.

- `CFU_ESTIMATOR_DATA_DIR`: the data folder (default `$XDG_DATA_HOME/cfu-estimator`, that is
  `~/.local/share/cfu-estimator`); the SQLite file `library.sqlite3` is created there on first use.
- `DATABASE_URL`: a `postgresql://user:password@host:5432/dbname` URL (or `sqlite:///path`)
  to use instead; `postgres://` is accepted too. The driver is psycopg 3.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from estimator.storage.errors import LibraryError

ENV_DATA_DIR = "CFU_ESTIMATOR_DATA_DIR"
ENV_DATABASE_URL = "DATABASE_URL"
DB_FILE = "library.sqlite3"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The data folder: CFU_ESTIMATOR_DATA_DIR, else the XDG data folder's cfu-estimator/."""
    env = os.environ if env is None else env
    if env.get(ENV_DATA_DIR, "").strip():
        return Path(env[ENV_DATA_DIR].strip()).expanduser()
    base = env.get("XDG_DATA_HOME", "").strip()
    root = Path(base).expanduser() if base else Path.home() / ".local" / "share"
    return root / "cfu-estimator"


def database_url(env: Mapping[str, str] | None = None) -> URL:
    """The library's database: DATABASE_URL when set, else SQLite in the data folder."""
    env = os.environ if env is None else env
    raw = env.get(ENV_DATABASE_URL, "").strip()
    if not raw:
        return URL.create("sqlite+pysqlite", database=str(data_dir(env) / DB_FILE))
    return normalise_url(raw)


def normalise_url(raw: str | URL) -> URL:
    """A database URL with this project's driver: psycopg 3 for PostgreSQL, sqlite3 for SQLite."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise LibraryError(
            "DATABASE_URL: is not a database URL; write postgresql://USER:PASSWORD@HOST:5432/DB "
            "or leave it unset for SQLite in the data folder"
        ) from None
    backend = url.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url.set(drivername="sqlite+pysqlite")
    raise LibraryError(
        f"DATABASE_URL: {backend!r} databases are not supported; use postgresql://... "
        "or leave it unset for SQLite in the data folder"
    )


def describe(url: URL) -> str:
    """The URL as shown to a user: never the password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
