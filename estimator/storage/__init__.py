"""The scenario library: saved, versioned scenarios with short ids, in SQLite or PostgreSQL.

The core never imports this package; the app (estimator.ui.library_ui) and
`cfu-estimator library` (estimator.storage.command) do.

    lib = Library.open()                # DATABASE_URL, else SQLite in the data folder
    v = lib.save(scenario, customer="Acme", tags=["retail"], note="first cut", by="ana")
    lib.get(v.short_id).scenario()
"""

from __future__ import annotations

from estimator.storage.diff import Change, VersionDiff
from estimator.storage.errors import LibraryError, LibraryUnavailable
from estimator.storage.library import Library, SavedVersion, ScenarioSummary, VersionInfo

__all__ = [
    "Change",
    "Library",
    "LibraryError",
    "LibraryUnavailable",
    "SavedVersion",
    "ScenarioSummary",
    "VersionDiff",
    "VersionInfo",
]
