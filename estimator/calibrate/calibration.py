"""Calibration: run a scenario's statements on a local Flink and measure their cost per record.

For each chosen statement: generated sources shaped like its tables (estimator.calibrate.
datagen), its query unchanged into a blackhole sink at parallelism 1, and a pass-through of the
same sources in the same session, each at two source sizes (a fifth of `rows`, and `rows`).

Time is the JVM's CPU time over each job (every thread: tasks, timers, JIT, GC): what a CFU,
taken as one CPU, pays for. It is barely disturbed by other processes on the machine (a
wall-clock time would be, on a shared 2-core machine), and it counts the work of sources
that run side by side (a join's two inputs) instead of hiding it. The cost of a record is the
slope between the two sizes (the cheapest of `repeats` runs each): the JVM start, the
mini-cluster, the query's code generation and compilation cost the same at both sizes and
cancel (a tiny warm-up job is still run and reported: its cost is what the slope removes).
Records/s below are records per CPU-second: one core's throughput.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from estimator.calibrate import engine
from estimator.calibrate.cost import (
    ModelCost,
    measured_records_per_cfu_second,
    model_cost,
    operator_us_per_record,
    per_record_seconds,
)
from estimator.calibrate.datagen import ROWTIME, GeneratedSource, generated_source
from estimator.calibrate.defaults import (
    BACKENDS as BACKENDS,
)
from estimator.calibrate.defaults import (
    DEFAULT_REPEATS,
    DEFAULT_ROWS,
    DEFAULT_TIME_LIMIT_S,
)
from estimator.calibrate.errors import CalibrationError
from estimator.calibrate.queries import StatementQueries, read_statement
from estimator.calibrate.settings import CalibrationSettings
from estimator.calibrate.tables import TableDef, quote, read_table_defs
from estimator.parameters import Parameters
from estimator.scenario import Scenario, Statement
from estimator.sql import Classification, classify_statement

SMALL_FRACTION = 5
Backend = str  # "hashmap" | "rocksdb"
ProgressCallback = Callable[[str], None]


@dataclass(frozen=True)
class CalibrationResult:
    """What the local run measured for one statement, next to what the model assumes."""

    statement: str
    kind: str
    backend: str
    ok: bool
    error: str | None = None
    input_records: int = 0
    statement_records_per_second: float | None = None
    pass_through_records_per_second: float | None = None
    operator_us_per_record: float | None = None
    model_records_per_cfu_second: float | None = None
    model_operator_us_per_record: float | None = None
    measured_records_per_cfu_second: float | None = None
    key_counts: dict[str, int] = field(default_factory=dict)  # "table.column" -> keys
    seconds: float = 0.0  # wall time spent on this statement (JVM start excluded)
    jvm_seconds: float = 0.0  # the JVM start of the run this result came from
    flink_version: str = engine.FLINK_VERSION
    measured_on: str = ""

    @property
    def difference_us(self) -> float | None:
        """Measured minus assumed operator cost per record (us)."""
        if self.operator_us_per_record is None or self.model_operator_us_per_record is None:
            return None
        return self.operator_us_per_record - self.model_operator_us_per_record

    @property
    def source(self) -> str:
        """The text written as records_per_cfu_second_source by --apply."""
        return f"measured on local Apache Flink {self.flink_version}, {self.measured_on}, " + (
            f"{self.backend}"
        )


@dataclass
class _Job:
    statement: Statement
    classification: Classification
    model: ModelCost
    spec: dict[str, Any] | None
    input_records: int = 0
    sources: int = 0
    key_counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None


def available() -> bool:
    """True when the local Flink engine is set up (`make flink`)."""
    return engine.available()


def _classify(st: Statement) -> Classification:
    # Never raises: unreadable SQL comes back as kind "unknown" with its error.
    return classify_statement(st.sql, state_ttl=bool(st.state_ttl))


def _choose(scenario: Scenario, names: Sequence[str] | None) -> list[Statement]:
    by_name = {st.name: st for st in scenario.statements}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise CalibrationError(
                f"no statement named {', '.join(map(repr, unknown))}; the scenario has "
                f"{', '.join(by_name)}"
            )
        return [by_name[n] for n in names]
    return list(scenario.statements)


def _table_defs(scenario: Scenario, settings: CalibrationSettings) -> dict[str, TableDef]:
    scripts = [st.sql for st in scenario.statements if st.sql.strip()]
    ddl = [s for s in scripts if _classify_kind(s) == "ddl"]
    if settings.ddl:
        ddl.append(settings.ddl)
    return read_table_defs(ddl)


def _classify_kind(sql: str) -> str:
    try:
        return classify_statement(sql).kind
    except Exception:
        return "unknown"


def _build(
    st: Statement,
    c: Classification,
    model: ModelCost,
    tables: dict[str, TableDef],
    settings: CalibrationSettings,
    rows: int,
) -> _Job:
    job = _Job(st, c, model, None)
    try:
        read = read_statement(st.sql)
        missing = [t for t in read.sources if t.lower() not in tables]
        if missing:
            raise CalibrationError(
                f"no CREATE TABLE for {', '.join(missing)}: add it to the scenario's statements "
                "or to calibration.ddl"
            )
        sizes = []
        for n in source_sizes(rows):
            sources = [
                generated_source(
                    tables[t.lower()],
                    rows=n,
                    key_columns=read.key_columns,
                    uses_rowtime=read.uses_rowtime,
                    settings=settings,
                    message_bytes=st.message_bytes,
                    key_count=st.key_count,
                )
                for t in read.sources
            ]
            sizes.append(
                {
                    "rows": n,
                    "setup": [sql for s in sources for sql in s.setup],
                    "teardown": [sql for s in sources for sql in s.teardown],
                }
            )
    except CalibrationError as exc:
        job.error = str(exc)
        return job
    job.sources = len(sources)
    job.input_records = rows * len(sources)
    job.key_counts = {f"{s.table}.{k}": n for s in sources for k, n in s.key_counts.items()}
    job.spec = {
        "name": st.name,
        "sizes": sizes,
        "pass_through": [_pass_through(read, tables[s.table.lower()], s) for s in sources],
        "queries": list(read.queries),
    }
    return job


def _pass_through(read: StatementQueries, table: TableDef, source: GeneratedSource) -> str:
    names = [c.name for c in table.columns]
    if read.uses_rowtime and table.column(ROWTIME) is None:
        names.append(ROWTIME)
    columns = read.pass_through(names)
    listed = ", ".join(c if c == "*" else quote(c) for c in columns)
    return f"SELECT {listed} FROM {quote(source.table)}"


def source_sizes(rows: int) -> tuple[int, int]:
    """The two source sizes each statement runs at: a fifth of `rows`, and `rows`."""
    return max(1, rows // SMALL_FRACTION), rows


def _result(job: _Job, backend: str, **measured: Any) -> CalibrationResult:
    return CalibrationResult(
        statement=job.statement.name,
        kind=job.classification.kind,
        backend=backend,
        model_records_per_cfu_second=job.model.records_per_cfu_second,
        model_operator_us_per_record=job.model.operator_us,
        key_counts=job.key_counts,
        input_records=job.input_records,
        **measured,
    )


def _measured(job: _Job, event: dict[str, Any], backend: str) -> CalibrationResult:
    n = job.input_records
    stmt_s = per_record_seconds(event["runs"], "statement", job.sources) * n
    pass_s = per_record_seconds(event["runs"], "pass", job.sources) * n
    op_us = operator_us_per_record(stmt_s, pass_s, n)
    m = job.model
    return _result(
        job,
        backend,
        ok=True,
        statement_records_per_second=n / stmt_s if stmt_s > 0 else None,
        pass_through_records_per_second=n / pass_s if pass_s > 0 else None,
        operator_us_per_record=op_us,
        measured_records_per_cfu_second=measured_records_per_cfu_second(
            m.base_us, op_us, m.byte_bound
        ),
    )


def calibrate(
    scenario: Scenario,
    statements: Sequence[str] | None = None,
    *,
    rows: int = DEFAULT_ROWS,
    backend: Backend = "hashmap",
    progress: ProgressCallback | None = None,
    settings: CalibrationSettings | None = None,
    repeats: int = DEFAULT_REPEATS,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    managed_memory_mb: int = 1024,
) -> list[CalibrationResult]:
    """Measure the chosen statements (default: every one that runs a query) on local Flink.

    Raises EngineMissing when the engine is not set up, CalibrationError for an unknown
    statement name or a failed engine; a statement the engine cannot run is a result with
    `ok=False` and Flink's message, and the others still run.
    """
    if backend not in BACKENDS:
        raise CalibrationError(f"state backend must be one of {', '.join(BACKENDS)}")
    if rows < 1:
        raise CalibrationError("rows must be at least 1")
    say = progress or (lambda _msg: None)
    if not engine.available():
        raise engine.EngineMissing(engine.SETUP_HINT)
    settings = settings or scenario.calibration or CalibrationSettings()
    params = Parameters(scenario.parameters)
    chosen = _choose(scenario, statements)
    tables = _table_defs(scenario, settings)
    jobs: list[_Job] = []
    for st in chosen:
        c = _classify(st)
        if c.kind == "ddl" or not st.sql.strip():
            if statements:  # asked for by name: say why it is left out
                say(f"{st.name}: skipped ({'DDL' if st.sql.strip() else 'no SQL'})")
            continue
        model = model_cost(
            c,
            params,
            message_bytes=st.message_bytes,
            key_count=st.key_count,
            udf_count=st.udf_count,
        )
        jobs.append(_build(st, c, model, tables, settings, rows))
    for job in jobs:
        if job.error:
            say(f"{job.statement.name}: skipped: {job.error}")
    runnable = [j for j in jobs if j.spec is not None]
    measured: dict[str, CalibrationResult] = {}
    if runnable:
        measured = _run(runnable, backend, rows, repeats, time_limit_s, managed_memory_mb, say)
    results: list[CalibrationResult] = []
    for job in jobs:
        if job.spec is None:
            results.append(_result(job, backend, ok=False, error=job.error))
        else:
            results.append(measured[job.statement.name])
    return results


def _run(
    jobs: list[_Job],
    backend: str,
    rows: int,
    repeats: int,
    time_limit_s: float,
    managed_memory_mb: int,
    say: ProgressCallback,
) -> dict[str, CalibrationResult]:
    by_name = {j.statement.name: j for j in jobs}
    state: dict[str, Any] = {"version": engine.FLINK_VERSION}
    started: dict[str, float] = {}
    results: dict[str, CalibrationResult] = {}
    today = dt.date.today().isoformat()

    def on_event(event: dict[str, Any]) -> None:
        kind = event.get("event")
        name = event.get("statement", "")
        if kind == "started":
            state["version"] = event.get("flink_version", state["version"])
            state["jvm"] = event["jvm_seconds"]
            say(f"Flink {state['version']} started in {event['jvm_seconds']:.1f} s ({backend})")
            state["clock"] = time.monotonic()
        elif kind == "warmup":
            state["clock"] = time.monotonic()
            say(
                f"warm-up job: {event['seconds']:.2f} s, {event['cpu_seconds']:.2f} CPU-s fixed "
                "cost per job (cancelled out by measuring at two sizes)"
            )
        elif kind == "progress":
            started.setdefault(name, state.get("clock", time.monotonic()))
            say(
                f"{name}: {event['phase']}: {event['seconds']:.2f} s, "
                f"{event['cpu_seconds']:.2f} CPU-s"
            )
        elif kind == "result":
            job = by_name[name]
            begun = started.get(name, state.get("clock", time.monotonic()))
            state["clock"] = time.monotonic()
            extra = {
                "seconds": state["clock"] - begun,
                "flink_version": state["version"],
                "measured_on": today,
                "jvm_seconds": state.get("jvm", 0.0),
            }
            if event.get("ok"):
                results[name] = _measured(job, event, backend)
                results[name] = replace(results[name], **extra)
                r = results[name]
                say(f"{name}: {r.operator_us_per_record:.2f} us per record above pass-through")
            else:
                results[name] = _result(job, backend, ok=False, error=event["error"], **extra)
                say(f"{name}: cannot run on local Flink: {event['error']}")

    spec = {
        "backend": backend,
        "managed_memory_mb": managed_memory_mb,
        "repeats": repeats,
        "time_limit_s": time_limit_s,
        "jobs": [j.spec for j in jobs],
    }
    say(f"starting local Flink for {len(jobs)} statement(s), {rows:,} rows per source")
    engine.run_runner(spec, on_event, silence_limit=time_limit_s + 90)
    for job in jobs:  # a statement the runner never reported (it should not happen)
        if job.statement.name not in results:
            results[job.statement.name] = _result(
                job, backend, ok=False, error="no result from the local engine"
            )
    return results
