"""The operator benchmark on real Flink (`make model-bench`; `--quick` for a one-minute subset).

For each case of bench/model/cases.py: its query and a pass-through of the same generated
sources (same columns) run as jobs into blackhole sinks on local Apache Flink (PyFlink in
.flink-venv, the calibration engine: estimator/calibrate/engine.py and runner.py), at
parallelism 1, at two source sizes: the smaller once, the larger once per run. A job's cost is
the CPU time of the JVM's task threads (runner.TaskCpu; tests/calibrate/test_calibrate_flink.py
holds it against a workload of known cost); the slope between the two sizes cancels every fixed
cost, and for a stateful case starts once the state has filled (cases.STEADY_RECORDS). Per run:
operator us per input record = statement slope - pass-through slope; the table keeps the
median, min and max over runs.

The plan (`plan`) fits about 20 minutes of a 2-core machine: RocksDB (one JVM, `--managed-mb`
of managed memory) with mini-batch off for every class (the reference: Confluent keeps state on
disk; Flink's default is no mini-batch), on (2 s / 5,000 rows, as Nexmark runs) for the classes
it changes, then the sweeps; heap state last. No case starts after `--budget-min`; the cases
left are listed. Sets outside the plan (`--set`: run lengths, 10^7 keys, 128 MB of managed
memory) add their rows to the table. Each case's figures are written to the table (atomically)
as soon as the case ends, with the Flink version, backend, settings, machine and date, to
estimator/data/operator_measurements.csv (`--out`): an interrupted run keeps what it measured.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

import lookup_jar  # noqa: E402
from cases import (  # noqa: E402
    DEFAULT_ROWS,
    EVENT_ROWS_PER_SECOND,
    QUICK,
    Case,
    big_key_cases,
    lookup_table_sql,
    managed_memory_cases,
    reference_cases,
    run_length_cases,
    source_sql,
    sweep_cases,
)

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
    "statement_wall_us_median",
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
# Every stage: watermarks every 10 ms of wall time (the default 200 ms would let event time run
# ~10 s ahead of the watermark at the generator's pace, far more than a steady topic does).
SETTINGS = {"pipeline.auto-watermark-interval": "10 ms"}
MINI_BATCH_OPS = {"group_aggregate", "global_aggregate", "distinct", "deduplicate", "regular_join"}


@dataclass(frozen=True)
class Run:
    """A case, how many times its larger size runs, and with mini-batch or not."""

    case: Case
    repeats: int
    mini_batch: bool = False

    @property
    def job(self) -> str:
        return self.case.name + (" | mini-batch" if self.mini_batch else "")


@dataclass(frozen=True)
class Stage:
    """One runner (one JVM) on one state backend: its runs, in order. Mini-batch is a planner
    setting, set per job, so runs with and without it share a JVM and the pass-throughs."""

    backend: str
    runs: tuple[Run, ...]
    what: str
    managed_mb: int | None = None  # None: the run's --managed-mb
    time_limit_s: float = 240  # one job; a case that needs more is reported, not waited for

    @property
    def label(self) -> str:
        return f"{self.backend}, {self.what}"

    @property
    def cases(self) -> list[Case]:
        return [r.case for r in self.runs]

    def keep(self, wanted: Any) -> Stage:
        return replace(self, runs=tuple(r for r in self.runs if wanted(r)))


REFERENCE_RUNS = 2  # every class on RocksDB without mini-batch: the figure the model uses
# Classes whose cost is a few us a record (stateless, window TVFs that buffer in memory, the
# global aggregate): the first run of a new query is up to 0.5 us a record dearer (measured:
# TUMBLE 3.1 vs 2.0 and 2.4 us), as large as the cost; 3 runs are cheap and their median
# drops it.
CHEAP_RUNS = 3
CHEAP_OPS = {"window_aggregate", "global_aggregate"}


def reference_runs(case: Case) -> int:
    cheap = not case.stateful or (case.op in CHEAP_OPS and case.rows == DEFAULT_ROWS)
    return CHEAP_RUNS if cheap else REFERENCE_RUNS


MINI_BATCH_RUNS = 2


def heap_case(case: Case) -> Case:
    """A case on heap state: a case shorter than DEFAULT_ROWS rows per source on RocksDB (the
    joins, 150,000 a side; the dearest classes, 150,000) runs DEFAULT_ROWS per source with a
    fifth as the smaller run. On heap these cost a few us a record, so a slope of 50,000 to
    100,000 records is noise there (MATCH_RECOGNIZE, 3 heap runs from 100,000 to 150,000 rows:
    -9.6 [-10.0..10.8] us, its pass-through slope -5.4; from 60,000 to 300,000: 17.1
    [14.4..19.9]). The heap stage took 2.8 minutes so (2026-12-02)."""
    if case.rows >= DEFAULT_ROWS:
        return case
    return case.with_(rows=DEFAULT_ROWS, small_rows=DEFAULT_ROWS // 5)


def plan(quick: bool) -> list[Stage]:
    """The stages and their runs, the most valuable first: a case not started when the budget
    ends is listed as not measured.

    RocksDB (one JVM): every operator class with mini-batch off (the reference), 2 runs (3 for
    the classes of a few us a record, reference_runs); the
    classes mini-batch changes (aggregations, deduplication, regular join) with it on, 2 runs;
    then what moves the cost (key count, bytes in state, aggregates, skew, rows out per input),
    1 run each (the reference runs show the noise). Heap state (a second JVM): the stateful
    classes and the lookup join (it keeps no state: both backends should agree), 1 run (how
    much RocksDB adds). Each run is one job at the larger size; the smaller
    size runs once per case (its cost is the fixed cost every run subtracts).
    """
    ref = reference_cases()
    if quick:
        return [Stage("rocksdb", tuple(Run(c, 2) for c in ref if c.name in QUICK), "quick")]
    rocks = (
        tuple(Run(c, reference_runs(c)) for c in ref)
        + tuple(Run(c, MINI_BATCH_RUNS, True) for c in ref if c.op in MINI_BATCH_OPS)
        + tuple(Run(c, 1) for c in sweep_cases())
    )
    return [
        Stage("rocksdb", rocks, "every class, mini-batch classes, sweeps"),
        Stage(
            "hashmap",
            tuple(Run(heap_case(c), 1) for c in ref if c.stateful or c.lookup_rows),
            "stateful classes and the lookup join",
        ),
    ]


SMALL_MANAGED_MB = 128  # Flink's default managed memory for one slot (DOMAIN.md's runs)
# Sets outside the 20-minute plan (`--set NAME`), recorded in the same table.
EXTRA_SETS = {
    "run-length": lambda: [
        Stage("rocksdb", tuple(Run(c, 1) for c in run_length_cases()), "run lengths")
    ],
    # 10 million rows at 10^7 keys: minutes a job.
    "keys-1e7": lambda: [
        Stage("rocksdb", tuple(Run(c, 1) for c in big_key_cases()), "10^7 keys", time_limit_s=900)
    ],
    f"managed-{SMALL_MANAGED_MB}": lambda: [
        Stage(
            "rocksdb",
            tuple(Run(c, 2) for c in managed_memory_cases(SMALL_MANAGED_MB)),
            f"{SMALL_MANAGED_MB} MB managed memory",
            managed_mb=SMALL_MANAGED_MB,
        )
    ],
}


def _rows(case: Case, rows: int | None) -> tuple[int, int]:
    """Rows per source of the smaller and the larger run (`rows` overrides the case's)."""
    large = rows or case.rows
    small = case.small_rows if case.small_rows and not rows else max(1000, large // 5)
    return small, large


def _sources(case: Case, n: int) -> tuple[list[str], list[str]]:
    lookup = case.lookup_rows is not None
    setup, teardown = source_sql(
        "a", n, case.keys, case.message_bytes, skew=case.skew, proctime=lookup
    )
    if case.sources == 2:
        versioned = case.op == "temporal_join"
        right_n = case.right_rows or n
        s2, t2 = source_sql("b", right_n, case.keys, case.message_bytes, primary_key=versioned)
        setup, teardown = setup + s2, t2 + teardown
    if case.lookup_rows is not None:
        s2, t2 = lookup_table_sql(case.lookup_rows, case.message_bytes, async_=case.lookup_async)
        setup, teardown = setup + s2, t2 + teardown
    return setup, teardown


def _pass_query(case: Case) -> list[str]:
    cols = ", ".join(case.columns)
    queries = [f"SELECT {cols} FROM a"]
    if case.sources == 2:
        right = (
            [c for c in case.columns if c != "g"]
            if case.op == "temporal_join"
            else list(case.columns)
        )
        queries.append(f"SELECT {', '.join(right)} FROM b")
    return queries


def _signature(case: Case, rows: int | None) -> tuple[Any, ...]:
    return (
        case.sources,
        case.keys,
        case.message_bytes,
        case.skew,
        case.right_rows,
        case.columns,
        case.op == "temporal_join",
        case.lookup_rows,
        _rows(case, rows),
    )


# The CPU of the JVM's task threads (sources, operators, sinks, RocksDB, GC): without the
# mini-cluster's start-up and SQL planning, which varied by up to 1 s a job on a busy machine.
CPU = "task_cpu"
JIT_WARMUP_ROWS = 50_000  # the runner's warm-up jobs (its self-join took ~1 min at 300,000)


def build_spec(
    stage: Stage,
    rows: int | None,
    managed_mb: int,
    deadline: float | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The runner spec for one stage, and each run's pass-through job name. The smaller size
    runs once, the larger as many times as the run asks; a pass-through shared by several
    runs runs as often as the most demanding of them, just before the first."""
    jobs: list[dict[str, Any]] = []
    pass_of: dict[str, str] = {}
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for run in stage.runs:
        case = run.case
        sizes = []
        for i, size in enumerate(_rows(case, rows)):
            setup, teardown = _sources(case, size)
            sizes.append({"rows": size, "setup": setup, "teardown": teardown})
            if i == 0:
                sizes[-1]["repeats"] = 1
        sig = _signature(case, rows)
        if sig not in seen:
            seen[sig] = {
                "name": f"pass#{len(seen)}",
                "pass_through": _pass_query(case),
                "queries": [],
                "sizes": sizes,
                "repeats": run.repeats,
            }
            jobs.append(seen[sig])
        seen[sig]["repeats"] = max(run.repeats, seen[sig]["repeats"])
        pass_of[run.job] = seen[sig]["name"]
        jobs.append(
            {
                "name": run.job,
                "pass_through": [],
                "queries": [case.sql],
                "sizes": sizes,
                "repeats": run.repeats,
                "config": MINI_BATCH if run.mini_batch else {},
            }
        )
    spec: dict[str, Any] = {
        "backend": stage.backend,
        "managed_memory_mb": stage.managed_mb or managed_mb,
        "repeats": 1,
        "time_limit_s": stage.time_limit_s,
        "jit_warmup_rows": JIT_WARMUP_ROWS,
        "gc_before_job": True,  # a 2.5-million-row job's garbage made the next one look dear
        "config": SETTINGS,
        "jobs": jobs,
    }
    if deadline is not None:
        spec["deadline_unix"] = deadline
    if any(c.lookup_rows is not None for c in stage.cases):
        spec["jars"] = [str(lookup_jar.ensure_jar())]  # the bench-lookup connector
    return spec, pass_of


def slopes(
    runs: Iterable[dict[str, Any]], phase: str, inputs_per_row: int, measure: str = CPU
) -> list[float]:
    """Per run of the larger size: CPU us per input record between the two sizes (the k-th
    run of each size belongs to repeat k; a single smaller run is paired with every one).
    `measure` "seconds": the job's net runtime instead (wall time)."""
    by_size: dict[int, list[float]] = defaultdict(list)
    for run in runs:
        if run["phase"] == phase:
            by_size[int(run["rows"])].append(float(run.get(measure, run["cpu"])))
    if len(by_size) < 2:
        return []
    small, large = min(by_size), max(by_size)
    smalls, larges = by_size[small], by_size[large]
    if len(smalls) != len(larges):  # one smaller run serves every larger one
        smalls = [statistics.median(smalls)] * len(larges)
    return [
        (b - a) / ((large - small) * inputs_per_row) * 1e6
        for a, b in zip(smalls, larges, strict=True)
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


class Journal:
    """The output table, rewritten (atomically) each time a case ends: an interrupted run keeps
    every case it finished. Rows of `kept` stay unless this run measures them again."""

    def __init__(self, path: Path, kept: Iterable[dict[str, Any]] = ()) -> None:
        self.path = path
        self.rows: dict[tuple[str, str, str], dict[str, Any]] = {
            (r["backend"], r["mini_batch"], r["case"]): r for r in kept
        }
        self.measured = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows[(row["backend"], row["mini_batch"], row["case"])] = row
        self.measured += 1
        write_csv(list(self.rows.values()), self.path)


def _row(
    run: Run,
    stage: Stage,
    event: dict[str, Any],
    pass_event: dict[str, Any],
    *,
    rows: int | None,
    managed_mb: int,
    flink: str,
) -> dict[str, Any] | None:
    case = run.case
    k = _inputs_per_row(case)
    stmt = slopes(event["runs"], "statement", k)
    base = slopes(pass_event["runs"], "pass", k)
    ops = [s - p for s, p in zip(stmt, base, strict=False)]
    if not ops:
        return None
    small, large = _rows(case, rows)
    wall = slopes(event["runs"], "statement", k, "seconds")
    managed_mb = stage.managed_mb or managed_mb
    settings = (
        f"parallelism 1; datagen -> blackhole; state.backend.type {stage.backend}; managed "
        f"memory {managed_mb} MB; JVM {engine.JVM_ARGS}; mini-batch "
        + ("on (2 s, 5000 rows)" if run.mini_batch else "off")
        + f"; event time {EVENT_ROWS_PER_SECOND:,} rows/s, watermark 1 s behind, emitted every "
        f"{SETTINGS['pipeline.auto-watermark-interval']}; CPU time of the JVM's task threads "
        f"(sources, operators, sinks, RocksDB, GC; a full GC before each job); slope between "
        f"{small:,} and {large:,} "
        "rows per source"
    )
    return {
        "case": case.name,
        "op": case.op,
        "variant": case.variant,
        "backend": stage.backend,
        "mini_batch": "on" if run.mini_batch else "off",
        "keys": case.keys,
        "message_bytes": case.message_bytes,
        "sources": case.sources,
        "aggregates": case.aggregates,
        "emits_per_input": case.emits_per_input,
        "skew": "yes" if case.skew else "no",
        "rows_per_source": large,
        "repeats": len(ops),
        "op_us_median": round(statistics.median(ops), 4),
        "op_us_min": round(min(ops), 4),
        "op_us_max": round(max(ops), 4),
        "op_us_runs": ";".join(f"{o:.4f}" for o in ops),
        "pass_us_median": round(statistics.median(base), 4),
        "statement_us_median": round(statistics.median(stmt), 4),
        "statement_wall_us_median": round(statistics.median(wall), 4) if wall else "",
        "flink_version": flink,
        "java": JAVA,
        "machine": MACHINE,
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "settings": settings,
    }


def run_stage(
    stage: Stage,
    journal: Journal,
    *,
    rows: int | None,
    managed_mb: int,
    deadline: float | None,
    started: float,
    say: Any,
) -> list[str]:
    """Run one stage; each case's row goes to the journal as soon as the case ends. Returns the
    cases not measured (skipped past the deadline, failed or timed out), each with why."""
    spec, pass_of = build_spec(stage, rows, managed_mb, deadline)
    runs = {r.job: r for r in stage.runs}
    results: dict[str, dict[str, Any]] = {}
    info: dict[str, Any] = {"last": time.monotonic()}
    missing: list[str] = []

    def on_event(event: dict[str, Any]) -> None:
        now = time.monotonic()
        if event.get("event") == "started":
            info["flink"] = event.get("flink_version", engine.FLINK_VERSION)
            say(f"[{stage.label}] Flink {info['flink']} started in {event['jvm_seconds']:.1f} s")
            info["last"] = now
            return
        if event.get("event") == "warmup":
            say(f"[{stage.label}] warm-up jobs took {now - info['last']:.1f} s")
            info["last"] = now
            return
        if event.get("event") != "result":
            return
        name = event["statement"]
        results[name] = event
        if name not in runs:  # a shared pass-through: its time counts to the next case
            return
        took, info["last"] = now - info["last"], now
        total = (time.time() - started) / 60
        pass_event = results.get(pass_of[name], {})
        row = None
        if event.get("ok") and pass_event.get("ok"):
            row = _row(
                runs[name],
                stage,
                event,
                pass_event,
                rows=rows,
                managed_mb=managed_mb,
                flink=info.get("flink", engine.FLINK_VERSION),
            )
        if row is not None:
            journal.add(row)
            lo, hi = row["op_us_min"], row["op_us_max"]
            status = f"{row['op_us_median']:.2f} us [{lo:.2f}..{hi:.2f}]"
        else:
            why = event.get("error") or pass_event.get("error") or "no slope"
            status = f"not measured: {why}"
            missing.append(f"{stage.backend}: {name} ({why})")
        say(f"[{stage.label}] {name}: {status}  ({took:.1f} s; {total:.1f} min in all)")

    engine.run_runner(spec, on_event, silence_limit=spec["time_limit_s"] + 90)
    return missing


def _label(backend: str, mini_batch: bool) -> str:
    return f"{backend}, mini-batch {'on' if mini_batch else 'off'}"


def _matches(name: str, pattern: str) -> bool:
    """A case name, or a prefix ending in '*'."""
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


def _kept(path: Path, stages: list[Stage], *, extra_only: bool = False) -> list[dict[str, Any]]:
    """Rows of an earlier table that this run does not measure again (`extra_only`: only the
    rows of the sets outside the plan, which a run of the plan never redoes)."""
    if not path.is_file():
        return []
    redo = {
        (s.backend, "on" if r.mini_batch else "off", r.case.name) for s in stages for r in s.runs
    }
    extra = {r.case.name for make in EXTRA_SETS.values() for s in make() for r in s.runs}
    with path.open(newline="", encoding="utf-8") as f:
        return [
            r
            for r in csv.DictReader(f)
            if (r["backend"], r["mini_batch"], r["case"]) not in redo
            and (r["case"] in extra or not extra_only)
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
    p.add_argument(
        "--set",
        choices=sorted(EXTRA_SETS),
        help="run a set outside the plan instead (its rows join the table, as with --keep)",
    )
    p.add_argument(
        "--rows", type=int, default=None, help="rows per source of every case's larger run"
    )
    p.add_argument("--repeats", type=int, default=None, help="runs of each case (every stage)")
    p.add_argument(
        "--budget-min",
        type=float,
        default=20.0,
        help="start no case after this many minutes (default 20); what is left is listed",
    )
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
    out = args.out or (
        Path(tempfile.gettempdir()) / "operator_measurements_quick.csv" if args.quick else OUT
    )
    if not engine.available():
        print(f"model-bench: {engine.SETUP_HINT}", file=sys.stderr)
        return 2
    JAVA, MACHINE = java_version(), machine()
    started = time.time()
    deadline = started + args.budget_min * 60
    stages = EXTRA_SETS[args.set]() if args.set else plan(args.quick)
    if args.only:
        stages = [
            s.keep(lambda r: any(_matches(r.case.name, o) for o in args.only)) for s in stages
        ]
    if args.config:
        stages = [
            s.keep(lambda r, s=s: _label(s.backend, r.mini_batch) in args.config) for s in stages
        ]
    if args.repeats:
        stages = [
            replace(s, runs=tuple(replace(r, repeats=args.repeats) for r in s.runs)) for s in stages
        ]
    stages = [s for s in stages if s.cases]
    from estimator.sql import classify_statement

    for case in {c.name: c for s in stages for c in s.cases}.values():
        ops = classify_statement(f"INSERT INTO sink {case.sql}").operators
        if not set(case.expect_ops) <= set(ops):  # the bench must measure what the model prices
            print(f"model-bench: {case.name} is classified as {ops}", file=sys.stderr)
            return 2
    keep_all = args.keep or bool(args.set)
    journal = Journal(out, _kept(out, stages, extra_only=not keep_all))
    missing: list[str] = []
    for stage in stages:
        if time.time() > deadline:
            missing += [f"{stage.backend}: {r.job} (time budget)" for r in stage.runs]
            continue
        missing += run_stage(
            stage,
            journal,
            rows=args.rows,
            managed_mb=args.managed_mb,
            deadline=deadline,
            started=started,
            say=lambda m: print(m, flush=True),
        )
    minutes = (time.time() - started) / 60
    print(f"model-bench: {journal.measured} measurements in {minutes:.1f} min -> {out}")
    if missing:
        print(f"model-bench: {len(missing)} not measured:")
        for m in missing:
            print(f"  {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
