"""Fixtures of the library's tests: every storage test runs on SQLite and on a real PostgreSQL
that the session starts itself (and stops at the end)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pgserver import create_database, pg_bin, running_server

from estimator.storage import Library

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    if pg_bin() is None:
        pytest.skip("needs Debian's postgresql package (make test installs it)")
    with running_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: an SQLite file, or a new database on the test server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'library.sqlite3'}"
    return create_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def library(db_url: str) -> Iterator[Library]:
    lib = Library.open(db_url)
    try:
        yield lib
    finally:
        lib.close()
