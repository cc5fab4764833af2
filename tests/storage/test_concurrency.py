"""Two sessions saving at the same moment both land as versions, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import yaml

from estimator.examples import example_text
from estimator.storage import Library, VersionInfo

SAVES = 4


def curve() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(example_text("confluent_cfu_curve"))
    return data


def _save_many(url: str, who: str, barrier: Any, out: Any) -> None:
    lib = Library.open(url)
    try:
        barrier.wait(timeout=60)
        for i in range(SAVES):
            v = lib.save(curve(), name="Shared", customer="Acme", note=f"{who} {i}", by=who)
            out.put((v.short_id, v.number))
    finally:
        lib.close()


def _check(lib: Library, results: list[tuple[str, int]], sessions: int) -> None:
    total = sessions * SAVES
    assert len(results) == total
    assert sorted(n for _, n in results) == list(range(1, total + 1))
    [row] = lib.list_scenarios()
    assert row.versions == total
    history = lib.history(row.latest.short_id)
    assert sorted(v.short_id for v in history) == sorted(i for i, _ in results)
    assert {v.created_by for v in history} == {f"s{k}" for k in range(sessions)}


def test_threads_saving_at_once_all_land(db_url: str) -> None:
    sessions = 4
    barrier = threading.Barrier(sessions)
    import queue

    out: queue.Queue[tuple[str, int]] = queue.Queue()
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            _save_many(db_url, f"s{k}", barrier, out)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    lib = Library.open(db_url)
    try:
        _check(lib, [out.get_nowait() for _ in range(out.qsize())], sessions)
    finally:
        lib.close()


def test_processes_saving_at_once_all_land(db_url: str) -> None:
    sessions = 2
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(sessions)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_save_many, args=(db_url, f"s{k}", barrier, out))
        for k in range(sessions)
    ]
    for p in procs:
        p.start()
    results: list[VersionInfo | tuple[str, int]] = [
        out.get(timeout=120) for _ in range(sessions * SAVES)
    ]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    lib = Library.open(db_url)
    try:
        _check(lib, results, sessions)  # type: ignore[arg-type]
    finally:
        lib.close()
