"""How good is the estimate: the model against our measurements and every published figure.

`make fidelity` prints one table, operator class by operator class: the model's operator cost
(expected and range, estimator/data/model_parameters.yaml), our measurement on local Flink
(RocksDB and heap, estimator/data/operator_measurements.csv) and the operator cost derived
from each published per-core figure (estimator/data/published_throughput.csv), with ratios.
Then whole statements: the model's records/s per CFU for a plain stateless statement and for
GROUP BY / window / join statements at 1 KB and the default key count, against every
published whole-job figure. Ratios are model / other; within 2x means 0.5 to 2. Last, the
figures DOMAIN.md measured on RocksDB earlier (bench/model/domain_figures.csv: wall time a
record with Flink's default 128 MB of managed memory) beside this benchmark's at 128 MB (the
"managed-128" set of run.py) and at its own 1,024 MB.
"""

from __future__ import annotations

import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from fit import MEASUREMENTS, PUBLISHED, published_op_us, read_csv  # noqa: E402

from estimator.demand import throughput  # noqa: E402
from estimator.parameters import Parameters  # noqa: E402
from estimator.sql import classify_statement  # noqa: E402

STATEMENTS = {
    "stateless": "INSERT INTO o SELECT a, b FROM t WHERE a > 0",
    "stateful": "INSERT INTO o SELECT a, COUNT(*) FROM t GROUP BY a",
    "window": "INSERT INTO o SELECT window_start, a, COUNT(*) FROM TABLE(TUMBLE(TABLE t, "
    "DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, a",
    "join": "INSERT INTO o SELECT t.a, u.b FROM t JOIN u ON t.a = u.a",
}


def _ratio(a: float, b: float) -> float | None:
    if a <= 0 or b <= 0:
        return None
    return a / b


def _fmt_ratio(r: float | None) -> str:
    return "n/a" if r is None else f"{r:.2f}x"


def operator_rows() -> list[list[str]]:
    params = Parameters()
    measured = read_csv(MEASUREMENTS) if MEASUREMENTS.is_file() else []
    pub = published_op_us(read_csv(PUBLISHED))
    local: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    spread: dict[str, list[float]] = defaultdict(list)
    for r in measured:
        if "@" in r["case"]:
            continue
        ops = ["filter", "project"] if r["case"] == "filter_project_cheap" else [r["op"]]
        share = 1 / len(ops)
        for op in ops:
            local[(op, r["backend"], r["mini_batch"])].append(float(r["op_us_median"]) * share)
            if r["backend"] == "rocksdb" and r["mini_batch"] == "off":
                spread[op] += [float(r["op_us_min"]) * share, float(r["op_us_max"]) * share]
    rows = []
    ops = sorted({k[len("op_us_") :] for k in params if k.startswith("op_us_")})
    for op in ops:
        p = params.row(f"op_us_{op}")
        rocks = local.get((op, "rocksdb", "off"), [])
        heap = local.get((op, "hashmap", "off"), [])
        mb = local.get((op, "rocksdb", "on"), [])
        rocks_med = statistics.median(rocks) if rocks else None
        figures = pub.get(op, [])
        pub_text = ", ".join(f"{i.replace('nexmark_', 'Nexmark ')} {us:.2f}" for i, us in figures)
        pub_mid = statistics.median([us for _, us in figures]) if figures else None
        rows.append(
            [
                op,
                f"{p.value:.2f} [{p.low_value:.2f}-{p.high_value:.2f}]",
                "not measured"
                if rocks_med is None
                else f"{rocks_med:.2f} [{min(spread[op]):.2f}-{max(spread[op]):.2f}]",
                f"{statistics.median(heap):.2f}" if heap else "",
                f"{statistics.median(mb):.2f}" if mb else "",
                pub_text or "none",
                _fmt_ratio(_ratio(p.value, rocks_med)) if rocks_med is not None else "",
                _fmt_ratio(_ratio(p.value, pub_mid)) if pub_mid is not None else "",
            ]
        )
    return rows


def statement_rows() -> list[list[str]]:
    params = Parameters()
    model = {}
    for name, sql in STATEMENTS.items():
        c = classify_statement(sql)
        rates = [
            throughput(c, params.at(b), message_bytes=1024).records_per_cfu_second
            for b in ("expected",)
        ]
        model[name] = rates[0]
    rows = []
    for p in read_csv(PUBLISHED):
        if p["scope"].startswith("operator") or p["op"] == "pass":
            continue
        lo, hi = float(p["records_per_second_low"]), float(p["records_per_second_high"])
        kind = p["op"]
        if kind == "stateless":
            compare = ["stateless"]
        elif kind == "stateful":
            compare = ["stateful", "window", "join"]
        else:
            compare = ["stateless", "join"]
        mid = math.sqrt(lo * hi)
        for name in compare:
            r = model[name] / mid
            rows.append(
                [
                    p["id"],
                    f"{lo:,.0f}" + (f"-{hi:,.0f}" if hi != lo else ""),
                    p["unit"],
                    name,
                    f"{model[name]:,.0f}",
                    f"{r:.2f}x",
                    "yes" if lo / 2 <= model[name] <= hi * 2 else "no",
                ]
            )
    return rows


DOMAIN_FIGURES = Path(__file__).resolve().parent / "domain_figures.csv"


def domain_rows() -> list[list[str]]:
    """DOMAIN.md's earlier RocksDB figures (wall time a record, source included, 128 MB of
    managed memory) beside ours at 128 MB (the "managed-128" set) and at the benchmark's
    1,024 MB: the statement's wall time a record, and the operator's CPU above the
    pass-through."""
    if not DOMAIN_FIGURES.is_file() or not MEASUREMENTS.is_file():
        return []
    measured = {
        r["case"]: r
        for r in read_csv(MEASUREMENTS)
        if r["backend"] == "rocksdb" and r["mini_batch"] == "off"
    }

    def cell(case: str, key: str) -> str:
        text = measured.get(case, {}).get(key, "")
        return f"{float(text):.1f}" if text else "not measured"

    return [
        [
            d["statement"],
            f"{float(d['us_per_record']):g}",
            cell(d["case_128_mb"], "statement_wall_us_median"),
            cell(d["case_128_mb"], "op_us_median"),
            cell(d["case"], "statement_wall_us_median"),
            cell(d["case"], "op_us_median"),
        ]
        for d in read_csv(DOMAIN_FIGURES)
    ]


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) for r in rows]
    return "\n".join(out)


def summary(rows: list[list[str]], col: int) -> str:
    ratios = [float(r[col][:-1]) for r in rows if r[col].endswith("x")]
    if not ratios:
        return "no comparison"
    factors = [max(x, 1 / x) for x in ratios if x > 0]
    within = sum(1 for f in factors if f <= 2)
    return f"median factor {statistics.median(factors):.1f}, {within} of {len(factors)} within 2x"


def main() -> int:
    ops = operator_rows()
    print("Operator cost, us per input record above a pass-through (Flink SQL, one core)")
    print(
        _table(
            [
                "operator",
                "model [low-high]",
                "local RocksDB [min-max]",
                "local heap",
                "RocksDB mini-batch",
                "published (us derived)",
                "model/local",
                "model/published",
            ],
            ops,
        )
    )
    print(f"model vs local measurement: {summary(ops, 6)}")
    print(f"model vs published per-core figures: {summary(ops, 7)}")
    print()
    st = statement_rows()
    print("Whole statements: model records/s per CFU (1 KB, default keys) vs published figures")
    print(
        _table(
            ["published", "records/s", "unit", "model statement", "model", "model/mid", "in 2x"],
            st,
        )
    )
    within = sum(1 for r in st if r[-1] == "yes")
    print(f"{within} of {len(st)} comparisons within 2x of the published range")
    dom = domain_rows()
    if dom:
        print()
        print(
            "DOMAIN.md's earlier RocksDB figures (wall time a record, source included, 128 MB "
            "managed memory) vs this benchmark, us per input record"
        )
        print(
            _table(
                [
                    "statement",
                    "DOMAIN.md wall",
                    "here wall, 128 MB",
                    "here op CPU, 128 MB",
                    "here wall, 1,024 MB",
                    "here op CPU, 1,024 MB",
                ],
                dom,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
