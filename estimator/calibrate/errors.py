"""Errors of the calibration."""

from __future__ import annotations

from estimator.errors import EstimatorError


class CalibrationError(EstimatorError):
    """A statement cannot be calibrated (its SQL, its tables or the local engine)."""


class EngineMissing(CalibrationError):
    """The local Flink engine (.flink-venv with apache-flink, and Java) is not set up."""
