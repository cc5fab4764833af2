"""Errors of the scenario library, each one a user can act on."""

from __future__ import annotations

from estimator.errors import EstimatorError


class LibraryError(EstimatorError):
    """A library request that cannot be done as asked: an unknown id, a name too long, ..."""


class LibraryUnavailable(LibraryError):
    """The library's database cannot be reached or opened. Estimates work without it."""
