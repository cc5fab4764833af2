"""Run `cfu-estimator` command lines, each in a forked child with an address-space limit and a
CPU-time alarm, and report exit code, stderr, peak RSS and CPU seconds per case as JSON.

    python tests/hostile/forkrun.py CASES.json  ->  stdout: [{rc, stderr, rss_mb, cpu_s}, ...]

CASES.json is a list of {"argv": [...], "cwd": "..."}. The estimator is imported once (the
import is the slow part); each case then costs one fork. A child that exceeds the limits dies
(exit code -9 or -14 is reported), so the caller sees a failure rather than a hung test.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import sys
import tempfile

ADDRESS_SPACE_LIMIT = 3 * 1024**3  # virtual memory; numba/LLVM reserve more than they touch
CPU_SECONDS_LIMIT = 30  # hang guard: SIGXCPU past this many CPU seconds
WALL_SECONDS_LIMIT = 60  # hang guard for a child blocked without using CPU (a FIFO)


def _child(argv: list[str], cwd: str, err_path: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS_LIMIT, CPU_SECONDS_LIMIT + 5))
    signal.alarm(WALL_SECONDS_LIMIT)
    os.chdir(cwd)
    from estimator.cli import main

    err = open(err_path, "w", encoding="utf-8")  # noqa: SIM115 - closed by os._exit's flush
    sys.stderr = err
    sink = io.StringIO()
    try:
        rc = main(argv, out=sink)
    except SystemExit as exc:  # argparse
        rc = int(exc.code or 0)
    err.flush()
    os._exit(rc)


def run_cases(cases: list[dict[str, object]]) -> list[dict[str, object]]:
    import estimator.cli
    import estimator.estimate  # noqa: F401

    results = []
    for case in cases:
        with tempfile.NamedTemporaryFile("r", suffix=".err", delete=False) as fh:
            err_path = fh.name
        pid = os.fork()
        if pid == 0:
            try:
                _child(list(case["argv"]), str(case.get("cwd") or "."), err_path)  # type: ignore[arg-type]
            finally:
                os._exit(99)
        _, status, usage = os.wait4(pid, 0)
        rc = os.waitstatus_to_exitcode(status)
        with open(err_path, encoding="utf-8", errors="replace") as fh:
            stderr = fh.read()
        os.unlink(err_path)
        results.append(
            {
                "rc": rc,
                "stderr": stderr,
                "rss_mb": usage.ru_maxrss / 1024,
                "cpu_s": usage.ru_utime + usage.ru_stime,
            }
        )
    return results


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        print(json.dumps(run_cases(json.load(fh))))
