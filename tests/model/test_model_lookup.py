"""The lookup-join case's connector jar (bench/model/lookup_jar.py): built by javac once, reused
while its sources stay the same, rebuilt when they change; and what run.py asks the runner for.

Compiles a one-class source (no Flink on the classpath: about a second). Skipped, with the
reason, only when there is no javac and CI is not set (`make flink` installs the JDK)."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "model"))

import lookup_jar  # noqa: E402
import run  # noqa: E402
from cases import reference_cases, sweep_cases  # noqa: E402

SERVICES = "META-INF/services/org.apache.flink.table.factories.Factory"


def _source(src: Path, value: int) -> None:
    (src / "META-INF" / "services").mkdir(parents=True, exist_ok=True)
    (src / SERVICES).write_text("p.A\n", encoding="utf-8")
    (src / "A.java").write_text(
        f"package p;\npublic class A {{ public static int f() {{ return {value}; }} }}\n",
        encoding="utf-8",
    )


def _needs_javac() -> None:
    if lookup_jar.javac() is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI is set but javac is missing: run `make flink`")
        pytest.skip("no javac (run `make flink`); CI is not set")


def test_the_jar_is_reused_until_its_source_changes(tmp_path: Path, monkeypatch) -> None:
    _needs_javac()
    src, out = tmp_path / "src", tmp_path / "out"
    _source(src, 1)
    first = lookup_jar.ensure_jar(src, out, classpath=[])
    with zipfile.ZipFile(first) as z:
        assert set(z.namelist()) == {"p/A.class", SERVICES}
        assert z.read(SERVICES) == b"p.A\n"
    built = first.stat().st_mtime_ns
    # Unchanged sources: the same jar, not compiled again (no javac needed at all).
    monkeypatch.setattr(lookup_jar, "javac", lambda: None)
    assert lookup_jar.ensure_jar(src, out, classpath=[]) == first
    assert first.stat().st_mtime_ns == built
    monkeypatch.undo()
    # A changed source: a new jar of the new class; the old one is removed.
    _source(src, 2)
    second = lookup_jar.ensure_jar(src, out, classpath=[])
    assert second != first and not first.exists()
    assert [p.name for p in out.iterdir()] == [second.name]  # no build folder left behind
    with zipfile.ZipFile(second) as z:
        assert "p/A.class" in z.namelist()


def test_a_source_that_does_not_compile_says_why(tmp_path: Path) -> None:
    _needs_javac()
    src = tmp_path / "src"
    src.mkdir()
    (src / "B.java").write_text("public class B { int f() { return nope; } }\n", encoding="utf-8")
    with pytest.raises(lookup_jar.JarBuildError, match="nope"):
        lookup_jar.ensure_jar(src, tmp_path / "out", classpath=[])
    assert not list((tmp_path / "out").glob("*.jar"))


def test_no_javac_is_reported_with_the_way_to_get_it(tmp_path: Path, monkeypatch) -> None:
    src = tmp_path / "src"
    _source(src, 1)
    monkeypatch.setattr(lookup_jar, "javac", lambda: None)
    with pytest.raises(lookup_jar.JarBuildError, match="make flink"):
        lookup_jar.ensure_jar(src, tmp_path / "out", classpath=[])


def test_the_lookup_stage_loads_the_connector_and_reads_a_processing_time_stream(
    tmp_path: Path, monkeypatch
) -> None:
    """Only a stage with a lookup case asks for the jar; the case's setup creates the stream
    with proc_time and the in-memory table; its pass-through reads the stream alone."""
    jar = tmp_path / "bench-lookup-x.jar"
    monkeypatch.setattr(lookup_jar, "ensure_jar", lambda: jar)
    stage = run.plan(quick=False)[0]
    lookup = stage.keep(lambda r: r.case.op == "lookup_join")
    names = {c.name for c in lookup.cases}
    assert names == {
        "lookup_join",
        "lookup_join@10^6-row in-memory table",
        "lookup_join@async lookup function",
    }
    spec, pass_of = run.build_spec(lookup, None, 1024)
    assert spec["jars"] == [str(jar)]
    jobs = {j["name"]: j for j in spec["jobs"]}
    job = jobs["lookup_join"]
    setup = " ".join(job["sizes"][0]["setup"])
    assert "proc_time AS PROCTIME()" in setup
    assert "'connector' = 'bench-lookup', 'rows' = '10000'" in setup
    assert jobs[pass_of["lookup_join"]]["pass_through"] == ["SELECT k, v FROM a"]
    assert "'async' = 'false'" in setup
    big = jobs["lookup_join@10^6-row in-memory table"]["sizes"][1]["setup"]
    assert "'rows' = '1000000'" in " ".join(big)
    async_setup = " ".join(jobs["lookup_join@async lookup function"]["sizes"][1]["setup"])
    assert "'rows' = '10000', 'payload-bytes' = '100', 'async' = 'true'" in async_setup
    # The same stream: the async case shares the reference's pass-through.
    assert pass_of["lookup_join@async lookup function"] == pass_of["lookup_join"]
    other, _ = run.build_spec(stage.keep(lambda r: r.case.name == "group_by"), None, 1024)
    assert "jars" not in other


def test_the_lookup_case_runs_on_both_backends_and_is_not_scaled_as_state() -> None:
    (case,) = [c for c in reference_cases() if c.op == "lookup_join"]
    assert not case.stateful and case.lookup_rows == case.keys == 10_000
    rocks, heap = run.plan(quick=False)
    assert "lookup_join" in {c.name for c in rocks.cases}
    assert "lookup_join" in {c.name for c in heap.cases}
    big, async_ = [c for c in sweep_cases() if c.op == "lookup_join"]
    assert big.lookup_rows == big.keys == 1_000_000  # every lookup finds its row
    assert async_.lookup_async and not big.lookup_async and not case.lookup_async
