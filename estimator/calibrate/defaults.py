"""Defaults of a calibration run, light to import (the command line's parser reads them)."""

from __future__ import annotations

DEFAULT_ROWS = 1_000_000
DEFAULT_REPEATS = 2
DEFAULT_TIME_LIMIT_S = 120.0
BACKENDS: tuple[str, ...] = ("hashmap", "rocksdb")
DEFAULT_BACKEND = "hashmap"
