"""The operator benchmark's plan, spec and journal (no Flink needed: what run.py asks the runner
to do, and what it keeps when a run is cut short)."""

from __future__ import annotations

import csv
import re
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "model"))

import run  # noqa: E402
from cases import (  # noqa: E402
    EVENT_ROWS_PER_SECOND,
    STEADY_RECORDS,
    reference_cases,
    source_sql,
)


def test_one_smaller_run_is_paired_with_every_larger_run() -> None:
    # 10,000 and 50,000 rows: 40,000 rows between them. Larger runs cost 4.2 s and 4.6 s of
    # CPU, the single smaller run 1.0 s: (4.2 - 1.0) / 40,000 = 80 us; (4.6 - 1.0) = 90 us.
    runs = [
        {"rows": 10_000, "phase": "statement", "cpu": 9.0, "task_cpu": 1.0},
        {"rows": 50_000, "phase": "statement", "cpu": 9.0, "task_cpu": 4.2},
        {"rows": 50_000, "phase": "statement", "cpu": 9.0, "task_cpu": 4.6},
    ]
    got = run.slopes(runs, "statement", 1)
    assert [round(x, 6) for x in got] == [80.0, 90.0]
    # Two-input cases: each row of the size is two input records.
    assert [round(x, 6) for x in run.slopes(runs, "statement", 2)] == [40.0, 45.0]


def test_every_class_is_measured_on_rocksdb_first_and_mini_batch_for_the_classes_it_changes():
    stages = run.plan(quick=False)
    first = stages[0]
    assert first.backend == "rocksdb"
    reference = {c.name for c in reference_cases()}
    off = [r for r in first.runs if not r.mini_batch and r.case.name in reference]
    assert {r.case.name for r in off} == reference
    assert all(r.repeats >= 2 for r in off)
    # The reference runs come before anything else of the stage (a short budget keeps them).
    assert [r.case.name for r in first.runs[: len(off)]] == [r.case.name for r in off]
    on = {r.case.op for r in first.runs if r.mini_batch}
    assert on == run.MINI_BATCH_OPS
    sweeps = [r.case.name for r in first.runs if "@" in r.case.name]
    assert any(n.startswith("group_by@1e+06") for n in sweeps)
    assert any(n.startswith("group_by@4000 B") for n in sweeps)
    assert stages[-1].backend == "hashmap"


def test_spec_runs_the_smaller_size_once_and_sets_mini_batch_per_job() -> None:
    stage = run.plan(quick=False)[0]
    stage = stage.keep(lambda r: r.case.name in {"group_by", "select_distinct"})
    spec, pass_of = run.build_spec(stage, None, 1024, deadline=1234.5)
    assert spec["deadline_unix"] == 1234.5
    assert spec["config"]["pipeline.auto-watermark-interval"] == "10 ms"
    jobs = {j["name"]: j for j in spec["jobs"]}
    assert set(jobs) == {
        "group_by",
        "select_distinct",
        "group_by | mini-batch",
        "select_distinct | mini-batch",
        *pass_of.values(),
    }
    for name in ("group_by", "group_by | mini-batch"):
        small, large = jobs[name]["sizes"]
        assert small["repeats"] == 1 and "repeats" not in large
        # The smaller run fills the state: the slope starts where the cost has levelled off.
        assert (small["rows"], large["rows"]) == (STEADY_RECORDS, 300_000)
        assert jobs[name]["repeats"] == 2
    assert jobs["group_by | mini-batch"]["config"]["table.exec.mini-batch.enabled"] == "true"
    assert jobs["group_by"]["config"] == {}
    # Mini-batch does not change a pass-through: the runs with and without it share one.
    assert pass_of["group_by"] == pass_of["group_by | mini-batch"]


def test_event_time_advances_with_the_row_number() -> None:
    setup, _ = source_sql("a", 1000, 10, 100)
    table = setup[0]
    assert "'fields.n.kind' = 'sequence'" in table and "'fields.n.end' = '999'" in table
    step = re.search(r"CAST\(n \* ([0-9.]+) AS BIGINT\)", table)
    assert step and float(step.group(1)) == 1000 / EVENT_ROWS_PER_SECOND
    assert "CURRENT_TIMESTAMP" not in table  # the wall clock made event time depend on speed


def _row(case: str, backend: str = "rocksdb", mb: str = "off", median: float = 1.0) -> dict:
    return {k: "" for k in run.COLUMNS} | {
        "case": case,
        "backend": backend,
        "mini_batch": mb,
        "op_us_median": median,
    }


def test_journal_rewrites_the_table_after_each_case_and_keeps_what_it_does_not_redo(tmp_path):
    out = tmp_path / "m.csv"
    kept = [_row("old_case", "hashmap"), _row("group_by", median=9.0)]
    journal = run.Journal(out, kept)
    journal.add(_row("group_by", median=2.0))
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {(r["case"], r["backend"], r["op_us_median"]) for r in rows} == {
        ("old_case", "hashmap", "1.0"),
        ("group_by", "rocksdb", "2.0"),
    }
    journal.add(_row("group_by", mb="on", median=3.0))
    with out.open(newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 3
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]  # no temporary file left behind


def test_a_run_of_the_plan_keeps_the_rows_of_the_sets_outside_it(tmp_path: Path) -> None:
    """The run-length, 10^7-key and small-memory sets run alone (--set); a later run of the
    whole plan rewrites the table but keeps their rows, and drops the plan's old rows."""
    out = tmp_path / "m.csv"
    extra = {c.name for make in run.EXTRA_SETS.values() for s in make() for c in s.cases}
    assert any(n.startswith("group_by@run ") for n in extra)
    assert "group_by@1e+07 keys" in extra
    assert any("128 MB managed" in n for n in extra)
    length = next(n for n in extra if n.startswith("group_by@run "))
    run.write_csv([_row("group_by"), _row(length), _row("no_longer_in_the_plan")], out)
    kept = run._kept(out, run.plan(quick=False), extra_only=True)
    assert [r["case"] for r in kept] == [length]


def test_cheap_classes_run_three_times_and_the_small_memory_set_sets_its_memory() -> None:
    stage = run.plan(quick=False)[0]
    repeats = {r.case.name: r.repeats for r in stage.runs if not r.mini_batch}
    assert repeats["tumble"] == repeats["filter_project_cheap"] == 3
    assert repeats["group_by"] == repeats["session"] == 2
    (small,) = run.EXTRA_SETS["managed-128"]()
    spec, _ = run.build_spec(small, None, 1024)
    assert spec["managed_memory_mb"] == 128


def test_domain_figures_name_cases_the_benchmark_measures() -> None:
    """fidelity.py compares DOMAIN.md's earlier figures with these cases, by name."""
    names = {c.name for s in run.plan(quick=False) for c in s.cases}
    names |= {c.name for make in run.EXTRA_SETS.values() for s in make() for c in s.cases}
    with (ROOT / "bench" / "model" / "domain_figures.csv").open(encoding="utf-8") as f:
        figures = list(csv.DictReader(f))
    assert figures
    for d in figures:
        assert d["case"] in names and d["case_128_mb"] in names, d


def test_heap_runs_the_shorter_cases_long_enough_to_lift_their_slope_above_the_noise() -> None:
    """On heap the joins and the dearest classes cost a few us a record: they run 300,000 rows
    per source from 60,000; on RocksDB they keep their own sizes."""
    rocks, heap = run.plan(quick=False)
    heap_rows = {r.case.name: run._rows(r.case, None) for r in heap.runs}
    rocks_rows = {r.case.name: run._rows(r.case, None) for r in rocks.runs if not r.mini_batch}
    for name in ("match_recognize", "session", "interval_join", "regular_join"):
        assert heap_rows[name] == (60_000, 300_000)
        assert rocks_rows[name][1] < 300_000  # 150,000 rows, or 75,000 to 150,000 a side
    assert heap_rows["group_by"] == rocks_rows["group_by"] == (STEADY_RECORDS, 300_000)
