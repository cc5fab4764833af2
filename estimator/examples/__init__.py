"""Example scenarios shipped with the product, by name."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent

EXAMPLES: dict[str, str] = {
    "retail_orders": "Retail orders pipeline (joins, windows, dedup)",
    "confluent_interactive_queries": "Confluent billing example: 5 interactive queries",
    "confluent_five_statements": "Confluent billing example: 5 statements, 309 CFU-minutes",
    "confluent_cfu_curve": "CFU curve: 1, 3, 2, 1 CFUs over an hour",
    "bursty_clickstream": "Bursty clickstream: 12 statements, 2 pools, one runs out",
}
DEFAULT_EXAMPLE = "retail_orders"


def example_path(name: str) -> Path:
    if name not in EXAMPLES:
        raise KeyError(f"no example named {name!r}; known: {', '.join(EXAMPLES)}")
    return FOLDER / f"{name}.yaml"


def example_text(name: str = DEFAULT_EXAMPLE) -> str:
    return example_path(name).read_text(encoding="utf-8")
