"""The operator benchmark on real Flink (`make model-bench`; `--quick` for a one-minute subset).

For each case of bench/model/cases.py: its query and a pass-through of the same generated
sources (same columns) run as jobs into blackhole sinks on local Apache Flink (PyFlink in
.flink-venv, the calibration engine: estimator/calibrate/engine.py and runner.py), at
parallelism 1, at two source sizes, `--repeats` times. A job's cost is the JVM's CPU time
(JIT compiler threads left out); the slope between the two sizes cancels every fixed cost.
Per repeat: operator us per input record = statement slope - pass-through slope; the table
keeps the median, min and max over repeats.

Configurations (one JVM each): RocksDB with mini-batch off (the reference: Confluent keeps
state on disk; Flink's default is no mini-batch), RocksDB with mini-batch on (2 s / 5,000
rows, as Nexmark runs), heap state with mini-batch off. RocksDB gets `--managed-mb` of managed
memory. Every figure is written with the Flink version, backend, settings, machine and date to
estimator/data/operator_measurements.csv (`--out`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from cases import QUICK, Case, reference_cases, source_sql, sweep_cases  # noqa: E402

from estimator.calibrate import engine  # noqa: E402

OUT = ROOT / "estimator" / "data" / "operator_measurements.csv"
COLUMNS = (
    "case",
    "op",
    "variant",
    "backend",
    "mini_batch",
    "keys",
    "message_bytes",
    "sources",
    "aggregates",
    "emits_per_input",
    "skew",
    "rows_per_source",
    "repeats",
    "op_us_median",
    "op_us_min",
    "op_us_max",
    "op_us_runs",
    "pass_us_median",
    "statement_us_median",
    "flink_version",
    "java",
    "machine",
    "date",
    "settings",
)
MINI_BATCH = {
    "table.exec.mini-batch.enabled": "true",
    "table.exec.mini-batch.allow-latency": "2 s",
    "table.exec.mini-batch.size": "5000",
}
MINI_BATCH_OPS = {"group_aggregate", "global_aggregate", "distinct", "deduplicate", "regular_join"}


@dataclass(frozen=True)
class Config:
    backend: str
    mini_batch: bool

    @property
    def label(self) -> str:
        return f"{self.backend}, mini-batch {'on' if self.mini_batch else 'off'}"


def _plan(quick: bool) -> dict[Config, list[Case]]:
    ref = reference_cases()
    rocks, rocks_mb, heap = (
        Config("rocksdb", False),
        Config("rocksdb", True),
        Config("hashmap", False),
    )
    if quick:
        chosen = [c for c in ref if c.name in QUICK]
        return {rocks: chosen}
    sweeps = sweep_cases()
    return {
        rocks: ref + sweeps,
        rocks_mb: [c for c in ref if c.op in MINI_BATCH_OPS],
        heap: [c for c in ref if c.stateful]
        + [c for c in sweeps if c.name.split("@")[0] in {"group_by", "deduplicate"}],
    }


def _rows(case: Case, rows: int) -> int:
    """Rows per source: two-input cases get half, so each job handles about `rows` records."""
    if case.sources == 2 and case.right_rows is None:
        return max(1000, rows // 2)
    return rows


def _sources(case: Case, n: int) -> tuple[list[str], list[str]]:
    setup, teardown = source_sql("a", n, case.keys, case.message_bytes, skew=case.skew)
    if case.sources == 2:
        versioned = case.op in {"temporal_join", "lookup_join"}
        right_n = case.right_rows or n
        s2, t2 = source_sql("b", right_n, case.keys, case.message_bytes, primary_key=versioned)
        setup, teardown = setup + s2, t2 + teardown
    return setup, teardown


def _pass_query(case: Case) -> list[str]:
    cols = ", ".join(case.columns)
    queries = [f"SELECT {cols} FROM a"]
    if case.sources == 2:
        right = (
            [c for c in case.columns if c != "g"]
            if case.op in {"temporal_join", "lookup_join"}
            else list(case.columns)
        )
        queries.append(f"SELECT {', '.join(right)} FROM b")
    return queries


def _signature(case: Case, rows: int) -> tuple[Any, ...]:
    return (
        case.sources,
        case.keys,
        case.message_bytes,
        case.skew,
        case.right_rows,
        case.columns,
        case.op in {"temporal_join", "lookup_join"},
        _rows(case, rows),
    )


def build_spec(
    config: Config,
    cases: list[Case],
    rows: int,
    repeats: int,
    managed_mb: int,
    small_fraction: int = 5,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The runner spec for one configuration, and each case's pass-through job name."""
    jobs: list[dict[str, Any]] = []
    pass_of: dict[str, str] = {}
    seen: dict[tuple[Any, ...], str] = {}
    for case in cases:
        n = _rows(case, rows)
        sizes = []
        for size in (max(1000, n // small_fraction), n):
            setup, teardown = _sources(case, size)
            sizes.append({"rows": size, "setup": setup, "teardown": teardown})
        sig = _signature(case, rows)
        if sig not in seen:
            seen[sig] = f"pass#{len(seen)}"
            jobs.append(
                {
                    "name": seen[sig],
                    "pass_through": _pass_query(case),
                    "queries": [],
                    "sizes": sizes,
                }
            )
        pass_of[case.name] = seen[sig]
        jobs.append({"name": case.name, "pass_through": [], "queries": [case.sql], "sizes": sizes})
    spec = {
        "backend": config.backend,
        "managed_memory_mb": managed_mb,
        "repeats": repeats,
        "time_limit_s": 900,
        "config": MINI_BATCH if config.mini_batch else {},
        "jobs": jobs,
    }
    return spec, pass_of


def slopes(runs: Iterable[dict[str, Any]], phase: str, inputs_per_row: int) -> list[float]:
    """Per repeat: CPU us per input record between the two sizes (the k-th run of each size
    belongs to repeat k)."""
    by_size: dict[int, list[float]] = defaultdict(list)
    for run in runs:
        if run["phase"] == phase:
            by_size[int(run["rows"])].append(float(run["cpu"]))
    if len(by_size) < 2:
        return []
    small, large = min(by_size), max(by_size)
    return [
        (b - a) / ((large - small) * inputs_per_row) * 1e6
        for a, b in zip(by_size[small], by_size[large], strict=False)
    ]


def _inputs_per_row(case: Case) -> int:
    """Input records per source row that grow with the size (a bounded right side does not)."""
    return 2 if case.sources == 2 and case.right_rows is None else 1


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or platform.processor()}, {os.cpu_count()} vCPU, {platform.system()}"


def java_version() -> str:
    try:
        out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=20)
        first = (out.stderr or out.stdout).splitlines()[0]
        return first.replace('"', "")
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def run_config(
    config: Config, cases: list[Case], *, rows: int, repeats: int, managed_mb: int, say: Any
) -> list[dict[str, Any]]:
    spec, pass_of = build_spec(config, cases, rows, repeats, managed_mb)
    results: dict[str, dict[str, Any]] = {}
    info: dict[str, Any] = {}

    def on_event(event: dict[str, Any]) -> None:
        if event.get("event") == "started":
            info["flink"] = event.get("flink_version", engine.FLINK_VERSION)
            say(f"[{config.label}] Flink {info['flink']} started in {event['jvm_seconds']:.1f} s")
        elif event.get("event") == "result":
            results[event["statement"]] = event
            status = "ok" if event.get("ok") else f"FAILED: {event.get('error')}"
            say(f"[{config.label}] {event['statement']}: {status}")

    engine.run_runner(spec, on_event, silence_limit=spec["time_limit_s"] + 90)
    today = dt.date.today().isoformat()
    settings = (
        f"parallelism 1; datagen -> blackhole; state.backend.type {config.backend}; managed "
        f"memory {managed_mb} MB; JVM {engine.JVM_ARGS}; mini-batch "
        + ("on (2 s, 5000 rows)" if config.mini_batch else "off")
        + "; CPU time of the JVM without JIT compiler threads; slope between "
        f"{max(1000, rows // 5):,} and {rows:,} rows per source"
    )
    rows_out = []
    for case in cases:
        event, pass_event = results.get(case.name), results.get(pass_of[case.name])
        if not event or not event.get("ok") or not pass_event or not pass_event.get("ok"):
            continue
        k = _inputs_per_row(case)
        stmt = slopes(event["runs"], "statement", k)
        base = slopes(pass_event["runs"], "pass", k)
        ops = [s - p for s, p in zip(stmt, base, strict=False)]
        if not ops:
            continue
        rows_out.append(
            {
                "case": case.name,
                "op": case.op,
                "variant": case.variant,
                "backend": config.backend,
                "mini_batch": "on" if config.mini_batch else "off",
                "keys": case.keys,
                "message_bytes": case.message_bytes,
                "sources": case.sources,
                "aggregates": case.aggregates,
                "emits_per_input": case.emits_per_input,
                "skew": "yes" if case.skew else "no",
                "rows_per_source": _rows(case, rows),
                "repeats": len(ops),
                "op_us_median": round(statistics.median(ops), 4),
                "op_us_min": round(min(ops), 4),
                "op_us_max": round(max(ops), 4),
                "op_us_runs": ";".join(f"{o:.4f}" for o in ops),
                "pass_us_median": round(statistics.median(base), 4),
                "statement_us_median": round(statistics.median(stmt), 4),
                "flink_version": info.get("flink", engine.FLINK_VERSION),
                "java": JAVA,
                "machine": MACHINE,
                "date": today,
                "settings": settings,
            }
        )
    return rows_out


def _matches(name: str, pattern: str) -> bool:
    """A case name, or a prefix ending in '*'."""
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def _kept(path: Path, plan: dict[Config, list[Case]]) -> Iterable[dict[str, Any]]:
    """Rows of an earlier table that this run does not measure again."""
    if not path.is_file():
        return []
    redo = {
        (c.backend, "on" if c.mini_batch else "off", x.name) for c, xs in plan.items() for x in xs
    }
    with path.open(newline="", encoding="utf-8") as f:
        return [
            r for r in csv.DictReader(f) if (r["backend"], r["mini_batch"], r["case"]) not in redo
        ]


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    os.chmod(tmp, 0o644)  # a data file of the repository, not a private temporary one
    os.replace(tmp, path)


JAVA = "unknown"
MACHINE = "unknown"


def main(argv: list[str] | None = None) -> int:
    global JAVA, MACHINE
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a one-minute subset (tests)")
    p.add_argument("--rows", type=int, default=None, help="rows per source (default 600,000)")
    p.add_argument("--repeats", type=int, default=None, help="runs of each (default 3)")
    p.add_argument("--managed-mb", type=int, default=1024, help="RocksDB managed memory (MB)")
    p.add_argument("--out", type=Path, default=None, help=f"CSV to write (default {OUT})")
    p.add_argument("--only", action="append", help="run only this case (NAME, or PREFIX*)")
    p.add_argument(
        "--config",
        action="append",
        help='run only this configuration, e.g. "rocksdb, mini-batch off" (repeatable)',
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the rows of --out that this run does not redo"
    )
    args = p.parse_args(argv)
    rows = args.rows or (200_000 if args.quick else 600_000)
    repeats = args.repeats or (2 if args.quick else 3)
    out = args.out or (
        Path(tempfile.gettempdir()) / "operator_measurements_quick.csv" if args.quick else OUT
    )
    if not engine.available():
        print(f"model-bench: {engine.SETUP_HINT}", file=sys.stderr)
        return 2
    JAVA, MACHINE = java_version(), machine()
    started = time.monotonic()
    plan = _plan(args.quick)
    if args.only:
        plan = {
            c: [x for x in cases if any(_matches(x.name, o) for o in args.only)]
            for c, cases in plan.items()
        }
    if args.config:
        plan = {c: cases for c, cases in plan.items() if c.label in args.config}
    from estimator.sql import classify_statement

    for case in {c.name: c for cases in plan.values() for c in cases}.values():
        ops = classify_statement(f"INSERT INTO sink {case.sql}").operators
        if not set(case.expect_ops) <= set(ops):  # the bench must measure what the model prices
            print(f"model-bench: {case.name} is classified as {ops}", file=sys.stderr)
            return 2
    rows_out: list[dict[str, Any]] = list(_kept(out, plan)) if args.keep else []
    for config, cases in plan.items():
        if cases:
            rows_out += run_config(
                config,
                cases,
                rows=rows,
                repeats=repeats,
                managed_mb=args.managed_mb,
                say=lambda m: print(m, flush=True),
            )
            write_csv(rows_out, out)  # after each configuration: a long run keeps its figures
    minutes = (time.monotonic() - started) / 60
    print(f"model-bench: {len(rows_out)} measurements in {minutes:.1f} min -> {out}")
    for r in rows_out:
        print(
            f"{r['case']:<45} {r['backend']:<8} mb {r['mini_batch']:<3} "
            f"{r['op_us_median']:>9.3f} us  [{r['op_us_min']:.3f} .. {r['op_us_max']:.3f}]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
