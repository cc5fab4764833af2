"""Exports of an Estimate: JSON, CSV and xlsx. They only read numbers the core computed."""
