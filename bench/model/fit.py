"""Fit the model's operator costs from the benchmark (`make model-fit`).

Reads estimator/data/operator_measurements.csv (bench/model/run.py) and the published figures
in estimator/data/published_throughput.csv, and rewrites, in model_parameters.yaml, the
entries a measurement exists for (every other entry and comment stays as it is):

- op_us_<op>: expected = the median, over the reference cases of that operator class (10^4
  keys, ~100 B), of each case's median on RocksDB with mini-batch off (Confluent keeps state
  on disk; Flink's default has no mini-batch). low / high = the least / the most of every run
  of those cases (RocksDB and heap state, mini-batch on and off) and of the per-record
  operator cost derived from published per-core figures (Nexmark: (1e6 / query rate - 1e6 /
  pass-through rate) / operator_input_share, the share of the generated events that reach the
  operator: 0.92 for a query on bids, 0.08 for q8 on persons and auctions). A negative
  difference (noise around a near-zero cost) counts as 0.
  The filter+projection case is shared: filter and projection each get half of it (the
  classifier reports both operators for it).
- state_us_per_kb: least-squares slope of the operator cost over the KB carried in state
  (payload cases at ~100 B, 1 KB and 4 KB), the median over case families; range min..max.
- key_cost_per_decade: (cost at K keys / cost at 10^4 - 1) / log10(K / 10^4) for K above the
  reference, over the key sweeps; median, range min..max. A sweep point measured over long
  runs (its slope from 300,000 rows on: 10^6 keys and more) is held against the reference
  scaled to the same level (the steady-state factor below).
- Steady state: state in production lives for months, so a stateful class's cost is its
  level once the state and the memtable have filled. The "run-length" set measures, in one
  JVM, the marginal cost of GROUP BY and deduplication between growing run lengths; the
  factor level / (the plan's slope, from 100,000 to 300,000 records) scales every stateful
  class on RocksDB (median over the families; range: least and most).

Kafka read/write and (de)serialisation cannot be measured here (no Kafka on this machine):
base_records_per_cfu_second, serde_us_per_kb, max_mb_per_cfu_second, reference_message_bytes,
UDF and table-function costs keep their published guidance or assumption.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "estimator" / "data"
MEASUREMENTS = DATA / "operator_measurements.csv"
PUBLISHED = DATA / "published_throughput.csv"
PARAMETERS = DATA / "model_parameters.yaml"
REFERENCE_KEYS = 10_000
# Classes without keyed state: their cost is not scaled to the steady state of RocksDB. The
# lookup join keeps no state (bench/model/cases.py: an in-memory table behind the lookup).
STATELESS_OPS = {"filter", "project", "unnest", "lookup_join"}
# What a class's figure is, when its name says more than the benchmark measures.
SOURCE_NOTE = {
    "lookup_join": (
        "What is measured: the CPU of Flink's lookup-join operator against an in-memory (fully "
        "cached) dimension table (the bench-lookup connector, bench/model/lookup/), not the "
        "network round trip of a real external lookup (Confluent Cloud's lookup joins run a "
        "per-row search against the external table: "
        "docs.confluent.io/cloud/current/flink/concepts/external-tables.html), which no machine "
        "here can measure. "
    )
}
# What a class's measurement cannot show, kept as the high end of its range (with why).
HIGH_ALLOWANCE = {
    "lookup_join": (
        115.2,
        "The high end keeps the previous figure, 115.2 us (the event-time temporal join to a "
        "1,000-row versioned table this benchmark measured in its place on RocksDB, "
        "2026-12-02), as an allowance for what a per-row search against an external system "
        "adds (the client's request and the parsing of its response, and the task waiting for "
        "the round trip when lookups are synchronous): not measured here, and no per-record "
        "figure for it is published.",
    )
}
PLAN_SLOPE = (100_000, 300_000)  # the plan's slope of a stateful case (bench/model/cases.py)
LEVEL_FROM = 300_000  # marginal costs from this many rows on are the level
SHARED_CASE = "filter_project_cheap"  # measures filter + projection together


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def runs(row: dict[str, str]) -> list[float]:
    return [float(x) for x in row["op_us_runs"].split(";") if x]


def published_op_us(published: list[dict[str, str]]) -> dict[str, list[tuple[str, float]]]:
    """Per operator: (id, us per record above the pass-through) from per-core figures."""
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for p in published:
        if p["scope"] != "operator above q0" or not p["pass_through_records_per_second"]:
            continue
        rate = (float(p["records_per_second_low"]) + float(p["records_per_second_high"])) / 2
        us_per_event = 1e6 / rate - 1e6 / float(p["pass_through_records_per_second"])
        # Per record the operator sees: a query reading only bids sees 46 of every 50 events.
        share = float(p.get("operator_input_share") or 1.0)
        out[p["op"]].append((p["id"], max(0.0, us_per_event / share)))
    return out


def _is_reference(row: dict[str, str]) -> bool:
    return "@" not in row["case"]


def _fmt(v: float) -> str:
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def fit(
    measured: list[dict[str, str]], published: list[dict[str, str]]
) -> dict[str, dict[str, Any]]:
    """key -> {value, low, high, source, range_source} for every parameter measured."""
    if not measured:
        return {}

    def where_of(meta: dict[str, str]) -> str:
        return (
            f"local Apache Flink {meta['flink_version']} (bench/model, {meta['date']}; "
            f"{meta['machine']}; {meta['java']})"
        )

    where = where_of(measured[0])
    pub = published_op_us(published)
    ref = [r for r in measured if _is_reference(r)]
    by_op: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in ref:
        if r["case"] == SHARED_CASE:
            for op in ("filter", "project"):
                half = dict(r)
                for k in ("op_us_median", "op_us_min", "op_us_max"):
                    half[k] = str(float(r[k]) / 2)
                half["op_us_runs"] = ";".join(str(x / 2) for x in runs(r))
                half["case"] = f"{SHARED_CASE} (half)"
                by_op[op].append(half)
        else:
            by_op[r["op"]].append(r)
    out: dict[str, dict[str, Any]] = {}
    steady = steady_state(measured)
    factors = list(steady.values())
    for op, rows in sorted(by_op.items()):
        reference = [r for r in rows if r["backend"] == "rocksdb" and r["mini_batch"] == "off"]
        if not reference:
            continue
        medians = [max(0.0, float(r["op_us_median"])) for r in reference]
        value = statistics.median(medians)
        every = [x for r in rows for x in runs(r)]
        rocks = [x for r in rows if r["backend"] == "rocksdb" for x in runs(r)]
        figures = pub.get(op, [])
        low = max(0.0, min([*every, *(us for _, us in figures)]))
        high = max([*rocks, *(us for _, us in figures)])
        scaled = ""
        if factors and op not in STATELESS_OPS:
            f_mid = statistics.median(f for f, _ in factors)
            low = min(low, value * min(f for f, _ in factors))
            high = max(high, value * max(f for f, _ in factors))
            value *= f_mid
            scaled = (
                f" x {f_mid:.3g}, the steady-state factor ({steady_text(steady)})"
                if f_mid != 1
                else ""
            )
        allowance = HIGH_ALLOWANCE.get(op)
        if allowance:
            high = max(high, allowance[0])
        low, high = min(low, value), max(high, value)
        cases = ", ".join(
            f"{r['case']} {max(0.0, float(r['op_us_median'])):.3g}"
            f" [{float(r['op_us_min']):.3g}..{float(r['op_us_max']):.3g}]"
            for r in reference
        )
        out[f"op_us_{op}"] = {
            "value": round(value, 3),
            "low": round(low, 3),
            "high": round(high, 3),
            "source": (
                SOURCE_NOTE.get(op, "")
                + f"Measured on {where_of(reference[0])}: RocksDB, mini-batch off, "
                f"{REFERENCE_KEYS:,} keys, ~100 B, parallelism 1; us per input record above a "
                "pass-through of the same source, "
                f"median of {reference[0]['repeats']} runs: {cases}{scaled}. "
                "estimator/data/operator_measurements.csv"
            ),
            "range_source": (
                "Least and most of every run of these cases (RocksDB and heap state, mini-batch "
                "on and off)"
                + (
                    " and per-record costs derived from published per-core figures: "
                    + ", ".join(f"{i} {us:.3g} us" for i, us in figures)
                    + " (estimator/data/published_throughput.csv)"
                    if figures
                    else ""
                )
                + "."
                + (f" {allowance[1]}" if allowance else "")
            ),
        }
    state = _state_per_kb(measured, where)
    if state:
        out["state_us_per_kb"] = state
    keys = _key_cost(measured, where, steady)
    if keys:
        out["key_cost_per_decade"] = keys
    return out


def steady_state(measured: list[dict[str, str]]) -> dict[str, tuple[float, str]]:
    """Per case family of the run-length set: (level / plan slope, how it was measured).

    The level is the median of the marginal costs from LEVEL_FROM rows on; the plan slope,
    the marginal cost over PLAN_SLOPE, measured in the same run."""
    fams: dict[str, dict[tuple[int, int], float]] = defaultdict(dict)
    for r in measured:
        m = re.match(r"run ([\d,]+)-([\d,]+) rows$", r["variant"])
        if m and r["backend"] == "rocksdb" and r["mini_batch"] == "off":
            span = (int(m.group(1).replace(",", "")), int(m.group(2).replace(",", "")))
            fams[_family(r)][span] = float(r["op_us_median"])
    out = {}
    for fam, spans in sorted(fams.items()):
        level = [us for (small, _), us in spans.items() if small >= LEVEL_FROM]
        plan = spans.get(PLAN_SLOPE)
        if level and plan and plan > 0:
            lvl = statistics.median(level)
            out[fam] = (
                lvl / plan,
                f"{fam}: {lvl:.3g} us from {LEVEL_FROM:,} to {max(b for _, b in spans):,} rows "
                f"vs {plan:.3g} from {PLAN_SLOPE[0]:,} to {PLAN_SLOPE[1]:,}",
            )
    return out


def steady_text(steady: dict[str, tuple[float, str]]) -> str:
    return "; ".join(f"{how}: {f:.3g}" for f, how in steady.values())


def _family(row: dict[str, str]) -> str:
    return row["case"].split("@")[0]


def _state_per_kb(measured: list[dict[str, str]], where: str) -> dict[str, Any] | None:
    families: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in measured:
        if (
            r["variant"].endswith("B in state")
            and r["backend"] == "rocksdb"
            and (r["mini_batch"] == "off")
        ):
            families[_family(r)].append(
                (float(r["message_bytes"]) / 1024, float(r["op_us_median"]))
            )
    slopes = {}
    for fam, pts in families.items():
        if len({x for x, _ in pts}) < 2:
            continue
        mx = statistics.mean(x for x, _ in pts)
        my = statistics.mean(y for _, y in pts)
        sxx = sum((x - mx) ** 2 for x, _ in pts)
        slopes[fam] = max(0.0, sum((x - mx) * (y - my) for x, y in pts) / sxx)
    if not slopes:
        return None
    value = statistics.median(slopes.values())
    listed = ", ".join(f"{f} {s:.3g} us per KB" for f, s in sorted(slopes.items()))
    return {
        "value": round(value, 3),
        "low": round(min(slopes.values()), 3),
        "high": round(max(slopes.values()), 3),
        "source": (
            f"Measured on {where}: least-squares slope of the operator cost over the KB held in "
            f"state (payload of ~100 B, 1 KB, 4 KB; RocksDB, mini-batch off): {listed}; median."
        ),
        "range_source": "Least and most slope of the case families measured.",
    }


def _slope_from(row: dict[str, str]) -> int:
    """Rows per source where the slope of a measured row starts (from its settings)."""
    m = re.search(r"slope between ([\d,]+) and", row.get("settings", ""))
    return int(m.group(1).replace(",", "")) if m else 0


def _key_cost(
    measured: list[dict[str, str]], where: str, steady: dict[str, tuple[float, str]]
) -> dict[str, Any] | None:
    """A sweep point whose slope starts past LEVEL_FROM rows (10^6 keys and more need long
    runs) is at the level of long runs: the reference it is held against is scaled to that
    level too (the family's steady-state factor, else the median one)."""
    factors = [f for f, _ in steady.values()]
    ref = {
        r["case"]: float(r["op_us_median"])
        for r in measured
        if _is_reference(r) and r["backend"] == "rocksdb" and r["mini_batch"] == "off"
    }
    points = []
    for r in measured:
        if (
            not r["variant"].endswith("keys")
            or r["backend"] != "rocksdb"
            or r["mini_batch"] != "off"
        ):
            continue
        keys, base = int(r["keys"]), ref.get(_family(r))
        if keys <= REFERENCE_KEYS or not base or base <= 0:
            continue
        if factors and _slope_from(r) >= LEVEL_FROM:
            fam = steady.get(_family(r))
            base *= fam[0] if fam else statistics.median(factors)
        c = (float(r["op_us_median"]) / base - 1) / math.log10(keys / REFERENCE_KEYS)
        points.append((f"{_family(r)} {keys:.0e} keys", max(0.0, c)))
    if not points:
        return None
    values = [c for _, c in points]
    listed = ", ".join(f"{n}: {c:.2f}" for n, c in points)
    return {
        "value": round(statistics.median(values), 3),
        "low": round(min(values), 3),
        "high": round(max(values), 3),
        "source": (
            f"Measured on {where}: growth of the operator cost per 10x keys above 10^4 "
            f"(RocksDB, mini-batch off): {listed}; median."
        ),
        "range_source": "Least and most growth of the key sweeps measured.",
    }


def _block(key: str, old: str, new: dict[str, Any]) -> str:
    """The YAML entry of `key` with value, low, high, source and range_source replaced."""
    keep = [
        line
        for line in old.splitlines()
        if not re.match(r"^  (value|low|high|source|range_source):", line)
    ]
    head, rest = keep[:2], keep[2:]  # "- key: ..." and "  label: ..."
    body = [
        f"  value: {new['value']:g}",
        f"  low: {new['low']:g}",
        f"  high: {new['high']:g}",
    ]
    rest = [line for line in rest if line.startswith("  unit:")] + [
        line for line in rest if not line.startswith("  unit:")
    ]
    quoted = [
        f"  source: {_quote(new['source'])}",
        f"  range_source: {_quote(new['range_source'])}",
    ]
    return "\n".join([*head, *body, *rest, *quoted]) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rewrite(text: str, fitted: dict[str, dict[str, Any]]) -> str:
    """model_parameters.yaml text with the fitted entries replaced in place."""
    parts = re.split(r"(?m)^(?=- key: |# )", text)
    out = []
    for part in parts:
        m = re.match(r"- key: (\w+)", part)
        if m and m.group(1) in fitted:
            trailing = part[len(part.rstrip("\n")) :]
            out.append(
                _block(m.group(1), part.rstrip("\n"), fitted[m.group(1)]).rstrip("\n")
                + (trailing or "\n")
            )
        else:
            out.append(part)
    return "".join(out)


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--measurements", type=Path, default=MEASUREMENTS)
    p.add_argument("--parameters", type=Path, default=PARAMETERS)
    p.add_argument("--check", action="store_true", help="only say whether the file is current")
    args = p.parse_args(argv)
    if not args.measurements.is_file():
        print(f"model-fit: no {args.measurements}: run `make model-bench` first", file=sys.stderr)
        return 2
    fitted = fit(read_csv(args.measurements), read_csv(PUBLISHED))
    text = args.parameters.read_text(encoding="utf-8")
    new = rewrite(text, fitted)
    import yaml  # the app's dependency; checked here so a bad rewrite never lands

    keys = [r["key"] for r in yaml.safe_load(new)]
    assert keys == [r["key"] for r in yaml.safe_load(text)], "the rewrite lost an entry"
    if args.check:
        print("current" if new == text else "stale: run `make model-fit`")
        return 0 if new == text else 1
    write_atomic(args.parameters, new)
    for key, v in fitted.items():
        print(f"{key:<28} {v['value']:>9g}  [{v['low']:g} .. {v['high']:g}]")
    print(f"model-fit: {len(fitted)} parameters written to {args.parameters}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
