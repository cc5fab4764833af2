"""The metrics file formats `reconcile` reads (light: the command line's parser lists them)."""

from __future__ import annotations

FORMATS = ("auto", "json", "prometheus", "csv")
