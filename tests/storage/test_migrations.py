"""Migrations build exactly the tables the code uses, and ship inside the package."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from setuptools import find_packages

from estimator.storage import Library
from estimator.storage.schema import metadata

ROOT = Path(__file__).resolve().parents[2]


def test_migrated_database_matches_the_schema(library: Library) -> None:
    with library.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_the_package_carries_the_migrations() -> None:
    """What setuptools puts in a wheel: the packages pyproject finds, and its package data."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = find_packages(str(ROOT), include=config["packages"]["find"]["include"])
    assert {"estimator.storage.migrations", "estimator.storage.migrations.versions"} <= set(
        packages
    )
    data = config["package-data"]["estimator"]
    assert any(fnmatch("storage/migrations/script.py.mako", pattern) for pattern in data)
    versions = ROOT / "estimator" / "storage" / "migrations" / "versions"
    assert sorted(p.name for p in versions.glob("0*.py")) == ["0001_library.py"]
