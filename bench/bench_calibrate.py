"""How long a calibration on the local Apache Flink takes: JVM start and time per statement.

Prints the JVM start, then per statement its calibration time (wall clock, four jobs: a
pass-through and the statement at two source sizes) and what it measured. Skips (exit 0) with
a note when the engine is not set up (`make flink`).
Usage: python bench/bench_calibrate.py [ROWS]   (default: the command's, 1,000,000 rows per source)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from estimator.calibrate import DEFAULT_ROWS, available, calibrate  # noqa: E402
from estimator.calibrate.command import load_for_calibration  # noqa: E402

SCENARIO = ROOT / "tests" / "calibrate" / "scenario_calibrate.yaml"
STATEMENTS = ["clean_orders", "spend_per_customer", "orders_with_shipments"]


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def main() -> int:
    if not available():
        print("calibrate: skipped, the local Flink engine is not set up (run `make flink`)")
        return 0
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ROWS
    scenario, settings, _ = load_for_calibration(SCENARIO)
    started = time.monotonic()
    results = calibrate(scenario, STATEMENTS, rows=rows, settings=settings, repeats=1)
    total = time.monotonic() - started
    print(f"calibrate: JVM start {results[0].jvm_seconds:.1f} s; {rows:,} rows per source")
    for r in results:
        if not r.ok:
            print(f"calibrate: {r.statement:<24} not measured: {r.error}")
            continue
        print(
            f"calibrate: {r.statement:<24} {r.seconds:5.1f} s  "
            f"{r.operator_us_per_record:6.2f} us/record above pass-through  "
            f"({_rate(r.statement_records_per_second)} vs "
            f"{_rate(r.pass_through_records_per_second)} records per CPU-second)"
        )
    print(f"calibrate: {len(results)} statements in {total:.1f} s (JVM included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
