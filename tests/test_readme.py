"""The README's examples work exactly as written."""

from __future__ import annotations

import re
from pathlib import Path

from estimator.estimate import estimate
from estimator.scenario import loads_scenario

README = Path(__file__).resolve().parent.parent / "README.md"


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_scenario_loads_and_estimates():
    blocks = [b for b in _yaml_blocks() if "statements:" in b]
    assert blocks, "README has no scenario example"
    for block in blocks:
        est = estimate(loads_scenario(block))
        assert est.totals.cfu_minutes > 0
        assert all(s.error is None for s in est.statements), [s.error for s in est.statements]
        kinds = {s.name: s.kind for s in est.statements}
        assert kinds["sessions"] == "aggregate"
