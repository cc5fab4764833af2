"""Where the library lives, from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.storage import Library, LibraryError, LibraryUnavailable
from estimator.storage.config import database_url


def test_sqlite_in_the_data_folder_by_default(tmp_path: Path) -> None:
    url = database_url({"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert url.drivername == "sqlite+pysqlite"
    assert url.database == str(tmp_path / "xdg" / "cfu-estimator" / "library.sqlite3")
    url = database_url({"CFU_ESTIMATOR_DATA_DIR": str(tmp_path / "d")})
    assert url.database == str(tmp_path / "d" / "library.sqlite3")


def test_data_folder_is_created_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CFU_ESTIMATOR_DATA_DIR", str(tmp_path / "new" / "folder"))
    lib = Library.open()
    lib.close()
    assert (tmp_path / "new" / "folder" / "library.sqlite3").is_file()


@pytest.mark.parametrize(
    "raw", ["postgresql://u:p@db:5432/lib", "postgres://u:p@db/lib", "postgresql+psycopg2://u@db/x"]
)
def test_postgresql_urls_use_psycopg3(raw: str) -> None:
    assert database_url({"DATABASE_URL": raw}).drivername == "postgresql+psycopg"


@pytest.mark.parametrize("raw", ["mysql://u@h/db", "not a url"])
def test_other_urls_are_refused(raw: str) -> None:
    with pytest.raises(LibraryError, match="DATABASE_URL"):
        database_url({"DATABASE_URL": raw})


def test_an_unusable_data_folder_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LibraryUnavailable, match="CFU_ESTIMATOR_DATA_DIR"):
        Library.open(f"sqlite:///{blocker / 'sub' / 'library.sqlite3'}")
