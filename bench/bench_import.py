"""How long the command line takes to start, measured with `python -X importtime`.

Run as `python bench/bench_import.py`. For each light entry point (building the parser that
`--help` and `prices` use, the `prices` command, `import estimator`) and, for scale, the whole
pipeline (`estimator.estimate`), it starts a fresh interpreter several times and prints the
median cumulative import time of our modules in milliseconds, and the ratio to the full
pipeline. Goal: the light commands start in well under half a second (import time < 300 ms).
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys

RUNS = 5
GOAL_MS = 300.0
CASES = {
    "cfu-estimator --help (parser)": "from estimator.cli import build_parser; build_parser()",
    "cfu-estimator prices": (
        "import io; from estimator.cli import main; main(['prices'], out=io.StringIO())"
    ),
    "import estimator": "import estimator",
    "estimator.estimate (whole pipeline)": "import estimator.estimate",
}
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def import_ms(code: str) -> float:
    """Cumulative microseconds of the top-level imports the snippet triggers, in ms."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0
    for line in proc.stderr.splitlines():
        m = LINE.match(line)
        if m and len(m.group(3)) == 1:  # top-level entries only: their times include children
            total += int(m.group(2))
    return total / 1000


def wall_ms(code: str) -> float:
    """Wall time of a fresh interpreter running the snippet, in ms (includes start-up)."""
    import time

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    results = {}
    for name, code in CASES.items():
        imports = statistics.median(import_ms(code) for _ in range(RUNS))
        wall = statistics.median(wall_ms(code) for _ in range(RUNS))
        results[name] = (imports, wall)
    full = results["estimator.estimate (whole pipeline)"][0]
    print(f"{'entry point':<38} {'imports ms':>10} {'wall ms':>8} {'vs pipeline':>11}")
    for name, (imports, wall) in results.items():
        print(f"{name:<38} {imports:>10.0f} {wall:>8.0f} {imports / full:>10.2f}x")
    light = max(results[k][0] for k in list(CASES)[:3])
    verdict = "met" if light < GOAL_MS else "MISSED"
    print(f"goal: light commands import in < {GOAL_MS:.0f} ms: {verdict} ({light:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
