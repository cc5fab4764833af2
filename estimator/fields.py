"""The base of every scenario-file model, and small field checks the models share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown fields are errors (a misspelt field must not be silently ignored); NaN and
    infinity are refused in every number field (they would turn estimates into nonsense)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


def strictly_increasing(minutes: list[int], what: str) -> list[tuple[str, str]]:
    """A (field, message) problem for the first minute that does not come after the last."""
    for i in range(1, len(minutes)):
        if minutes[i] <= minutes[i - 1]:
            return [
                (
                    f"{what}[{i}]",
                    f"minute {minutes[i]} does not come after minute {minutes[i - 1]}; "
                    "list them in increasing order of minute, each minute once",
                )
            ]
    return []
