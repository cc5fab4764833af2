"""Benchmark the xlsx export on a 20-statement, 7-day scenario (201,600 per-minute rows).

Run as `python bench/bench_export.py`. It builds the scenario here (14 statements with an
input rate, 6 with a cfu_schedule; horizon 10,080 minutes), estimates it once, then prints:
- the time of `write_workbook` (per-minute sheet included) to a file, its size and the
  process's peak resident memory during the export;
- the time of pandas `DataFrame.to_csv` of the same per-minute rows (the frame built from the
  estimate's timeline, as per_minute.csv is) and the ratio of the two;
- the time of `write_csv_dir` (statements, hourly, per-minute CSV and the JSON estimate).
Goals on the project's 2-core machine: the workbook in at most 15 s, under 1 GB.
Exit code 1 when a goal is missed.
"""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estimator.estimate import Estimate, estimate  # noqa: E402
from estimator.export.csv_export import write_csv_dir  # noqa: E402
from estimator.export.xlsx import write_workbook  # noqa: E402
from estimator.scenario import Scenario  # noqa: E402

GOAL_SECONDS = 15.0
GOAL_BYTES = 1 << 30
HORIZON = 7 * 24 * 60

SQL = {
    "filter": "INSERT INTO out_{i} SELECT id, amount FROM src_{i} WHERE amount > 0",
    "join": (
        "INSERT INTO out_{i} SELECT o.id, s.carrier FROM orders_{i} o JOIN shipments s "
        "ON o.id = s.order_id"
    ),
    "window": (
        "INSERT INTO out_{i} SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE src_{i}, "
        "DESCRIPTOR(ts), INTERVAL '1' MINUTES)) GROUP BY window_start, window_end"
    ),
    "agg": "INSERT INTO out_{i} SELECT customer_id, SUM(amount) FROM src_{i} GROUP BY customer_id",
}


def bench_scenario(statements: int = 20, horizon: int = HORIZON) -> Scenario:
    """Statements with an input rate, and every fourth one with a known CFU schedule."""
    kinds = list(SQL)
    rows: list[dict[str, Any]] = []
    for i in range(statements):
        kind = kinds[i % len(kinds)]
        row: dict[str, Any] = {
            "name": f"{kind}_{i:02d}",
            "pool": "etl" if i % 2 else "analytics",
            "sql": SQL[kind].format(i=i),
        }
        if i % 4 == 3:
            day = 24 * 60
            steps = []
            for _ in range(horizon // day):
                steps += [{"minutes": 480, "cfu": 1}, {"minutes": 600, "cfu": 3}]
                steps += [{"minutes": day - 1080, "cfu": 2}]
            row["cfu_schedule"] = steps
        else:
            row.update(rps=1000.0 * (i + 1), message_bytes=500 + 50 * i, partitions=12)
        rows.append(row)
    return Scenario.model_validate(
        {
            "name": f"Export benchmark: {statements} statements, {horizon // 1440} days",
            "horizon_minutes": horizon,
            "pools": [{"name": "etl", "max_cfu": 50}, {"name": "analytics", "max_cfu": 50}],
            "statements": rows,
        }
    )


def _reset_peak_rss() -> bool:
    try:  # Linux >= 4.0: writing 5 resets the peak resident set size (VmHWM)
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _timed(func: Any) -> float:
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def run(est: Estimate, folder: Path) -> bool:
    rows = est.timeline.cfu.size
    xlsx = folder / "bench.xlsx"
    exact = _reset_peak_rss()
    seconds = _timed(lambda: write_workbook(est, xlsx))
    peak = _peak_rss_bytes()
    csv_seconds = _timed(lambda: est.timeline.frame().to_csv(folder / "frame.csv", index=False))
    dir_seconds = _timed(lambda: write_csv_dir(est, folder / "csv"))
    print(
        f"per-minute rows: {rows:,} ({len(est.statements)} statements x {est.timeline.minutes:,})"
    )
    print(f"write_workbook: {seconds:.2f} s, {xlsx.stat().st_size / 1e6:.1f} MB")
    print(
        f"peak resident memory during the export: {peak / 2**20:,.0f} MiB"
        + ("" if exact else " (process peak; could not reset it)")
    )
    print(f"pandas to_csv of the same rows: {csv_seconds:.2f} s")
    print(f"ratio workbook / to_csv: {seconds / csv_seconds:.2f}")
    print(f"write_csv_dir (6 files): {dir_seconds:.2f} s")
    ok = seconds <= GOAL_SECONDS and peak <= GOAL_BYTES
    print(
        f"goal (<= {GOAL_SECONDS:.0f} s, <= {GOAL_BYTES / 2**30:.0f} GiB): "
        + ("met" if ok else "MISSED")
    )
    return ok


def main() -> int:
    start = time.perf_counter()
    est = estimate(bench_scenario())
    print(f"estimate: {time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        return 0 if run(est, Path(tmp)) else 1


if __name__ == "__main__":
    sys.exit(main())
