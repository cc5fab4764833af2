"""Assumption sources a customer can follow: references to the project's own notes
(DOMAIN.md sections) become the public pages or measurements they stand for
(estimator/data/public_sources.yaml)."""

from __future__ import annotations

import functools
from importlib import resources

import yaml


@functools.cache
def _table() -> tuple[tuple[str, str], ...]:
    text = resources.files("estimator.data").joinpath("public_sources.yaml").read_text("utf-8")
    rows = yaml.safe_load(text) or []
    # Longest note first, so 'DOMAIN.md, Throughput' wins over a bare 'DOMAIN.md'.
    return tuple(sorted(((r["note"], r["public"]) for r in rows), key=lambda r: -len(r[0])))


def public_source(source: str) -> str:
    """The source with every note reference replaced by its public counterpart."""
    if "DOMAIN.md" not in source:
        return source
    for note, public in _table():
        source = source.replace(note, public)
    return source
