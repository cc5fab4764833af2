"""Runs calibration jobs on a local Apache Flink (PyFlink) and prints JSON results.

This module runs under the Flink virtual environment's Python (.flink-venv), never inside the
app: it imports only pyflink and the standard library. It reads one JSON job spec on standard
input and writes one JSON event per line on standard output, each prefixed with `MARKER` (the
JVM may print to the same stream). Events:

    {"event": "started", "jvm_seconds": 2.3, "flink_version": "2.3.0"}
    {"event": "warmup", "seconds": 0.13, "cpu_seconds": 0.3}   # a tiny job's fixed cost
    {"event": "progress", "statement": "s", "phase": "...", "seconds": 0.8, "cpu_seconds": 1.1}
    {"event": "result", "statement": "s", "ok": true,
     "runs": [{"rows": 20000, "phase": "pass" | "statement", "seconds": 0.5, "cpu": 1.2,
               "task_cpu": 0.9, "threads": {"rocksdb:low": 0.1, ...}}, ...]}
                                                        # or "ok": false, "error": "..."
    {"event": "done"}

Seconds are a job's net runtime (JobExecutionResult); CPU seconds are the JVM's process CPU
time over the job (every thread), which other processes on the machine barely disturb;
task_cpu counts only the threads that run the job's data path (TaskCpu), without the planning,
RPC and start-up work of the local mini-cluster, whose cost varies from job to job; threads
splits it by thread name (task threads, RocksDB's, the VM thread where the serial GC runs).

Spec: {"backend": "hashmap" | "rocksdb", "managed_memory_mb": int, "repeats": int,
"config": {"table.exec.mini-batch.enabled": "true", ...} (optional, more Flink settings),
"time_limit_s": float, "deadline_unix": float (optional: jobs not started by then are reported
as skipped), "jars": [path] (optional: jars Flink loads through pipeline.jars, e.g. a
connector), "jit_warmup_rows": int (optional, default 300,000), "jobs": [{"name",
"pass_through": [query], "queries": [query], "repeats": int (optional, else the spec's),
"config": {planner setting: value} (optional, this job only), and "gc_before_job": bool
(optional: a full GC before each measured job, so no job pays for an earlier one's garbage),
"sizes": [{"rows": int, "setup": [sql], "teardown": [sql], "repeats": int (optional)}]}]}.
For each size, the setup
creates the generated sources with that many rows; the pass-through queries, then the
statement's queries, each run as one job into blackhole sinks; then the teardown drops them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

MARKER = "@@calibrate "
_WARMUP_SQL = (
    "CREATE TEMPORARY TABLE `__calib_warmup` (x BIGINT) WITH ('connector' = 'datagen', "
    "'number-of-rows' = '1', 'rows-per-second' = '1000000000')"
)
# Compiles the engine's common paths (datagen, casts, strings, hashing, state, blackhole)
# before the first measurement.
_JIT_WARMUP_SQL = (
    "CREATE TEMPORARY TABLE `__calib_jit` (k BIGINT, v DECIMAL(10, 2), "
    "ts AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3)), WATERMARK FOR ts AS ts) "
    "WITH ('connector' = 'datagen', 'number-of-rows' = '{rows}', "
    "'rows-per-second' = '1000000000', 'fields.k.min' = '0', 'fields.k.max' = '9999')"
)
_JIT_WARMUP_QUERIES = [
    "SELECT CONCAT(CAST(k AS STRING), REPEAT('x', 20)) AS s, v, ts FROM `__calib_jit`",
    "SELECT CAST(k AS STRING) AS s, COUNT(*) AS c, SUM(v) AS v FROM `__calib_jit` GROUP BY k",
    "SELECT a.k, b.v FROM `__calib_jit` a JOIN `__calib_jit` b ON a.k = b.k",
]
_JAVA_NOISE = ("at ", "...", "Caused by: java.lang.reflect", "Traceback")


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(MARKER + json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def first_useful_line(exc: BaseException) -> str:
    """The message a user can act on, from a (Java) exception's text.

    Flink wraps the real problem ("No match found for function signature FOO(...)", "Object
    'x' not found") in generic messages; the innermost cause usually says it best.
    """
    text = str(exc).strip() or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    causes = [line[len("Caused by: ") :] for line in lines if line.startswith("Caused by: ")]
    candidates = [*reversed(causes), *lines]
    for line in candidates:
        if line.startswith(_JAVA_NOISE):
            continue
        head, sep, message = line.partition(": ")
        # Strip a Java class name prefix (org.apache...Exception: message).
        if sep and "." in head and " " not in head:
            line = message
        if line and not line.startswith(_JAVA_NOISE):
            return line[:500]
    return text.splitlines()[0][:500]


class TimeLimit(Exception):
    pass


def _settings(spec: dict[str, Any]) -> Any:
    from pyflink.common import Configuration
    from pyflink.table import EnvironmentSettings

    config = Configuration()
    config.set_string("parallelism.default", "1")
    config.set_string("table.exec.resource.default-parallelism", "1")
    config.set_string("state.backend.type", spec.get("backend", "hashmap"))
    config.set_string("taskmanager.memory.managed.size", f"{spec.get('managed_memory_mb', 1024)}m")
    config.set_string("rest.bind-port", "0")
    for key, value in (spec.get("config") or {}).items():  # e.g. table.exec.mini-batch.*
        config.set_string(str(key), str(value))
    return EnvironmentSettings.new_instance().in_streaming_mode().with_configuration(config).build()


_JVM_PID: list[int] = []
_COMPILER_THREADS = ("C1 CompilerThre", "C2 CompilerThre")  # names as Linux shows them


def _name_and_ticks(stat_path: str) -> tuple[str, int]:
    """A thread's (or process's) name as it is now, and its CPU ticks, from one read of stat."""
    with open(stat_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    head, rest = text.rsplit(")", 1)
    fields = rest.split()
    return head.split("(", 1)[1], int(fields[11]) + int(fields[12])  # utime + stime (14, 15)


def _ticks(stat_path: str) -> int:
    return _name_and_ticks(stat_path)[1]


def cpu_seconds() -> float:
    """CPU seconds the JVM has used so far, without its JIT compiler threads: task threads,
    timers, network and GC count; compiling the query's generated code does not (it is a fixed
    cost that varies from job to job). Read from /proc (Linux)."""
    if not _JVM_PID:
        from pyflink.java_gateway import get_gateway

        _JVM_PID.append(int(get_gateway().jvm.java.lang.ProcessHandle.current().pid()))
    pid = _JVM_PID[0]
    total = _ticks(f"/proc/{pid}/stat")
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm", encoding="utf-8") as f:
                name = f.read().strip()
            if name.startswith(_COMPILER_THREADS):
                total -= _ticks(f"/proc/{pid}/task/{tid}/stat")
        except OSError:
            continue  # the thread ended meanwhile
    return total / os.sysconf("SC_CLK_TCK")


# Threads whose CPU is not the job's data path: the py4j gateway (SQL planning), JIT
# compilers, RPC, schedulers, metrics, I/O pools of the mini-cluster and JVM housekeeping.
# Left: task threads (sources, operators, sinks), RocksDB's, GC, output flushers.
_NOT_TASK = (
    "Thread-",
    "C1 CompilerThre",
    "C2 CompilerThre",
    "flink-",
    "pekko",
    "jobmanager",
    "mini-cluster",
    "pool-",
    "Sweeper",
    "VM Periodic",
    "Signal Dispatch",
    "Common-Cleaner",
    "Reference Handl",
    "Finalizer",
    "Attach Listener",
    "process reaper",
    "RMI ",
    "Notification",
    "ForkJoinPool",
    "Timer",
)


class TaskCpu:
    """CPU ticks of the JVM's task threads over a job, sampled from /proc while it runs.

    A thread's ticks can only be read while it lives: what a task thread uses between the
    last sample and its exit is missed, so samples come every SAMPLE_S. To keep each sample
    cheap, a thread that has carried a name outside the task threads for NAMED_S is not read
    again (a new thread carries the name of the thread that started it, a pool's, for a
    moment, until the JVM names it: a name read once at first sight could count a task
    thread's whole CPU as the pool's, so it is read again until then).
    """

    SAMPLE_S = 0.005
    NAMED_S = 0.5

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.first_seen: dict[str, float] = {}
        self.settled: set[str] = set()  # threads outside the task threads, named for good
        self.base = self._sample()
        self.last = dict(self.base)
        # Before the job starts, no thread is about to become a task thread.
        self.settled = {tid for tid in self.base if not self._is_task(tid)}

    def _is_task(self, tid: str) -> bool:
        return not self.names.get(tid, "").startswith(_NOT_TASK)

    def _sample(self) -> dict[str, int]:
        """Ticks of every task thread now (and of threads whose name may still change)."""
        if not _JVM_PID:
            cpu_seconds()
        pid, out, now = _JVM_PID[0], {}, time.monotonic()
        for tid in os.listdir(f"/proc/{pid}/task"):
            if tid in self.settled:
                continue
            try:
                self.names[tid], out[tid] = _name_and_ticks(f"/proc/{pid}/task/{tid}/stat")
            except (OSError, IndexError, ValueError):
                continue  # the thread ended meanwhile
            named_for = now - self.first_seen.setdefault(tid, now)
            if not self._is_task(tid) and named_for > self.NAMED_S:
                self.settled.add(tid)
        return out

    def sample(self) -> None:
        self.last.update(self._sample())

    def _delta(self, tid: str) -> int:
        return self.last[tid] - self.base.get(tid, 0)

    def seconds(self) -> float:
        ticks = sum(self._delta(tid) for tid in self.last if self._is_task(tid))
        return ticks / os.sysconf("SC_CLK_TCK")

    def by_thread(self) -> dict[str, float]:
        """The task threads' CPU seconds per thread name (digits dropped, so a task's threads
        of successive jobs share a name): where a job's CPU went (task, RocksDB, GC)."""
        out: dict[str, float] = {}
        for tid in self.last:
            if self._is_task(tid):
                name = "".join(c for c in self.names.get(tid, "?") if not c.isdigit()).strip()
                out[name] = out.get(name, 0.0) + self._delta(tid)
        clk = os.sysconf("SC_CLK_TCK")
        return {name: ticks / clk for name, ticks in sorted(out.items()) if ticks}


def run_job(t_env: Any, queries: list[str], time_limit: float) -> tuple[float, float]:
    """Run `queries` into blackhole sinks as one job: its net runtime and the JVM's CPU
    seconds over the job, both in seconds."""
    seconds, cpu, _ = run_job_measured(t_env, queries, time_limit)
    return seconds, cpu


def collect_garbage() -> None:
    """A full GC, so the garbage of earlier jobs is not collected (and counted) in the next."""
    from pyflink.java_gateway import get_gateway

    get_gateway().jvm.java.lang.System.gc()


def run_job_measured(
    t_env: Any,
    queries: list[str],
    time_limit: float,
    *,
    gc_first: bool = False,
    details: dict[str, Any] | None = None,
) -> tuple[float, float, float]:
    """run_job, and the CPU seconds of the JVM's task threads alone (TaskCpu); `details`, when
    given, receives "threads": those seconds per thread name."""
    from pyflink.table import TableDescriptor

    if gc_first:
        collect_garbage()
    cpu_before = cpu_seconds()
    tasks = TaskCpu()
    statements = t_env.create_statement_set()
    for query in queries:
        sink = TableDescriptor.for_connector("blackhole").build()
        statements.add_insert(sink, t_env.sql_query(query))
    result = statements.execute()
    client = result.get_job_client()
    finished = client.get_job_execution_result()
    deadline = time.monotonic() + time_limit
    checks = 0
    while checks % 4 or not finished.done():  # asks the JVM every 4th sample
        checks += 1
        if time.monotonic() > deadline:
            # It may have finished meanwhile, or its mini-cluster may be gone already.
            with contextlib.suppress(Exception):
                client.cancel().result()
            raise TimeLimit(f"stopped after the time limit of {time_limit:g} s")
        tasks.sample()
        time.sleep(TaskCpu.SAMPLE_S)
    tasks.sample()
    execution = finished.result()  # raises when the job failed
    if details is not None:
        details.update(threads=tasks.by_thread())
    return (
        float(execution.get_net_runtime()) / 1000.0,
        cpu_seconds() - cpu_before,
        tasks.seconds(),
    )


@contextlib.contextmanager
def job_config(t_env: Any, settings: dict[str, str]) -> Any:
    """Planner settings for one job (e.g. table.exec.mini-batch.*), undone after it."""
    config = t_env.get_config()
    missing = "\x00"
    before = {key: config.get(key, missing) for key in settings}
    for key, value in settings.items():
        config.set(str(key), str(value))
    try:
        yield
    finally:
        for key, value in before.items():
            if value == missing:
                config.get_configuration().remove_config(key)
            else:
                config.set(key, value)


def calibrate_job(
    t_env: Any, job: dict[str, Any], repeats: int, time_limit: float, *, gc_first: bool = False
) -> None:
    """Run a job's pass-through and statement at each of its source sizes, `repeats` times (a
    size may say it needs fewer: "repeats" in the size)."""
    name = job["name"]
    runs: list[dict[str, Any]] = []
    try:
        for i in range(repeats):
            for size in job["sizes"]:
                if i >= int(size.get("repeats", repeats)):
                    continue
                try:
                    for sql in size["setup"]:
                        t_env.execute_sql(sql)
                    for phase, queries in (
                        ("pass", job["pass_through"]),
                        ("statement", job["queries"]),
                    ):
                        if not queries:  # measured by another job of the same run
                            continue
                        details: dict[str, Any] = {}
                        seconds, cpu, task_cpu = run_job_measured(
                            t_env, queries, time_limit, gc_first=gc_first, details=details
                        )
                        runs.append(
                            {
                                "rows": size["rows"],
                                "phase": phase,
                                "seconds": seconds,
                                "cpu": cpu,
                                "task_cpu": task_cpu,
                                **details,
                            }
                        )
                        label = "pass-through" if phase == "pass" else phase
                        emit(
                            "progress",
                            statement=name,
                            phase=f"{label}, {size['rows']:,} rows, run {i + 1}/{repeats}",
                            seconds=round(seconds, 4),
                            cpu_seconds=round(cpu, 4),
                        )
                finally:
                    for sql in size["teardown"]:
                        with contextlib.suppress(Exception):
                            t_env.execute_sql(sql)
        emit("result", statement=name, ok=True, runs=runs)
    except TimeLimit as exc:
        emit("result", statement=name, ok=False, error=str(exc))
    except Exception as exc:
        emit("result", statement=name, ok=False, error=first_useful_line(exc))


def main() -> int:
    spec = json.loads(sys.stdin.read())
    started = time.perf_counter()
    from pyflink.table import TableEnvironment

    t_env = TableEnvironment.create(_settings(spec))
    jars = [Path(j).resolve().as_uri() for j in spec.get("jars") or []]
    if jars:  # PyFlink also adds them to the class loader that plans and runs local jobs
        t_env.get_config().set("pipeline.jars", ";".join(jars))
    try:
        from importlib.metadata import version

        flink_version = version("apache-flink")
    except Exception:
        flink_version = "unknown"
    emit(
        "started", jvm_seconds=round(time.perf_counter() - started, 3), flink_version=flink_version
    )
    time_limit = float(spec.get("time_limit_s", 120))
    t_env.execute_sql(_WARMUP_SQL)
    warm = [run_job(t_env, ["SELECT * FROM `__calib_warmup`"], time_limit) for _ in range(3)]
    # The self-join's output grows with the square of the rows: on RocksDB 300,000 rows take
    # about a minute, which a long benchmark pays per JVM; "jit_warmup_rows" lowers it.
    t_env.execute_sql(_JIT_WARMUP_SQL.format(rows=int(spec.get("jit_warmup_rows", 300_000))))
    jit_started = time.perf_counter()
    run_job(t_env, _JIT_WARMUP_QUERIES, time_limit)
    emit(
        "warmup",
        seconds=min(w[0] for w in warm[1:]),
        cpu_seconds=min(w[1] for w in warm[1:]),
        first_seconds=warm[0][0],
        jit_seconds=round(time.perf_counter() - jit_started, 3),
    )
    deadline = spec.get("deadline_unix")  # optional: start no job after it (a time budget)
    for job in spec["jobs"]:
        if deadline is not None and time.time() > float(deadline):
            emit("result", statement=job["name"], ok=False, skipped=True, error="time budget")
            continue
        with job_config(t_env, job.get("config") or {}):
            calibrate_job(
                t_env,
                job,
                int(job.get("repeats", spec.get("repeats", 2))),
                time_limit,
                gc_first=bool(spec.get("gc_before_job")),
            )
    emit("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
