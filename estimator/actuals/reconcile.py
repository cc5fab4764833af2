"""Estimate versus actuals: the scenario's estimate next to Confluent's metrics, minute by minute.

Statements are matched by name: exactly, then ignoring case; `mapping` names the others
(actual name -> scenario statement, or actual pool id -> scenario pool). Both sides are compared
over the same minutes: the span the metrics cover inside the horizon (`window`). The error is
(estimated - actual) / actual x 100: positive when the estimate is too high.

The bill from actuals follows the compute pools' `cfu_minutes_consumed` where the metrics have
it (Confluent bills the pool's CFU metric), else the pools' `current_cfus`, else the sum of
their statements' CFUs; it is priced like the estimate (same price and discount).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict

import numpy as np

from estimator.actuals.grid import Grid, StatementSeries, build_grid
from estimator.actuals.refit import Fit, fit_statement, headroom
from estimator.actuals.samples import ActualsError, Readout, iso
from estimator.estimate import Estimate, estimate
from estimator.scenario import Scenario, parse_scenario, scenario_to_dict

COMPARED = "compared"
NO_ACTUALS = "no actuals"
NOT_IN_SCENARIO = "not in scenario"
NO_CFU_DATA = "no CFU data"


class _Estimated(TypedDict):
    """The estimate's side of a statement's row."""

    name: str
    pool: str
    estimated_cfu_minutes: int
    estimated_cost_usd: Decimal
    estimated_peak_cfu: int
    estimated_records_in: float
    estimated_max_backlog_records: float
    model_records_per_cfu_second: float | None


@dataclass(frozen=True)
class StatementRow:
    name: str  # the scenario's name (or the metrics' name when not in the scenario)
    actual_name: str | None
    pool: str
    status: str
    actual_cfu_minutes: float | None
    estimated_cfu_minutes: int
    actual_cost_usd: Decimal | None
    estimated_cost_usd: Decimal
    actual_peak_cfu: float | None
    estimated_peak_cfu: int
    actual_records_in: float | None
    estimated_records_in: float
    actual_max_pending_records: float | None
    estimated_max_backlog_records: float
    model_records_per_cfu_second: float | None
    fit: Fit | None = None
    refit_cfu_minutes: int | None = None

    @property
    def error_pct(self) -> float | None:
        if self.status == NOT_IN_SCENARIO:
            return None
        return error_pct(self.estimated_cfu_minutes, self.actual_cfu_minutes)

    @property
    def refit_error_pct(self) -> float | None:
        if self.refit_cfu_minutes is None:
            return None
        return error_pct(self.refit_cfu_minutes, self.actual_cfu_minutes)

    @property
    def records_in_error_pct(self) -> float | None:
        return error_pct(self.estimated_records_in, self.actual_records_in)


@dataclass(frozen=True)
class PoolRow:
    name: str
    actual_ids: tuple[str, ...]
    status: str
    actual_cfu_minutes: float | None
    estimated_cfu_minutes: int
    actual_cost_usd: Decimal | None
    estimated_cost_usd: Decimal
    actual_peak_cfu: float | None
    estimated_peak_cfu: int
    cfu_limit: float | None
    max_cfu: int | None
    basis: str  # which metric the actual CFU-minutes come from

    @property
    def error_pct(self) -> float | None:
        if self.status == NOT_IN_SCENARIO:
            return None
        return error_pct(self.estimated_cfu_minutes, self.actual_cfu_minutes)


@dataclass(frozen=True)
class HourRow:
    hour: int
    actual_cfu_minutes: float
    estimated_cfu_minutes: int


@dataclass
class Reconciliation:
    estimate: Estimate
    grid: Grid
    source_format: str
    window: tuple[int, int]  # first and last minute compared (inclusive)
    statements: list[StatementRow]
    pools: list[PoolRow]
    hourly: list[HourRow]
    actual_cfu_minutes: float
    estimated_cfu_minutes: int
    observed_records_per_cfu_second: float | None
    refit_cfu_minutes: int | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    actual_cfu: dict[str, np.ndarray] = field(default_factory=dict)  # scenario name -> minutes
    refit_cfu: dict[str, np.ndarray] = field(default_factory=dict)  # with the fitted rates

    @property
    def error_pct(self) -> float | None:
        return error_pct(self.estimated_cfu_minutes, self.actual_cfu_minutes)

    @property
    def refit_error_pct(self) -> float | None:
        if self.refit_cfu_minutes is None:
            return None
        return error_pct(self.refit_cfu_minutes, self.actual_cfu_minutes)

    def cost(self, cfu_minutes: float) -> Decimal:
        return cost(self.estimate, cfu_minutes)

    @property
    def start_time(self) -> str:
        return self.grid.minute_time(self.window[0])

    @property
    def end_time(self) -> str:
        return self.grid.minute_time(self.window[1] + 1)

    def fitted_rates(self) -> dict[str, tuple[float, str]]:
        """Scenario statement -> (records/s per CFU to write, its source text)."""
        out: dict[str, tuple[float, str]] = {}
        for row in self.statements:
            if row.status != COMPARED or row.fit is None or row.fit.fitted is None:
                continue
            out[row.name] = (round(row.fit.fitted, 1), self.source_text(row))
        return out

    def source_text(self, row: StatementRow) -> str:
        fit = row.fit
        assert fit is not None and fit.observed is not None
        first = self.grid.minute_time(fit.first_minute or 0)
        last = self.grid.minute_time((fit.last_minute or 0) + 1)
        lag = "pending_records flat" if fit.uses_lag else "no pending_records"
        who = (row.actual_name or "")[:80]
        return (
            f"observed on Confluent Cloud {first} to {last} ({who}): num_records_in / "
            f"statement_utilization/current_cfus in {fit.steady_minutes} steady minutes ({lag})"
            f" = {fit.observed:,.0f} records/s per CFU used, x headroom {fit.headroom:.3g}"
        )


def error_pct(estimated: float, actual: float | None) -> float | None:
    if actual is None or actual <= 0:
        return None
    return (float(estimated) - float(actual)) / float(actual) * 100.0


def cost(est: Estimate, cfu_minutes: float) -> Decimal:
    """The estimate's price and discount applied to (possibly fractional) CFU-minutes."""
    return est.rate.cost(1) * Decimal(str(round(float(cfu_minutes), 6)))


def _match(
    scenario: Scenario, grid: Grid, mapping: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(scenario statement -> actual statement, actual pool id -> scenario pool, problems)."""
    names = [s.name for s in scenario.statements]
    pools = [p.name for p in scenario.pools]
    problems: list[str] = []
    for actual, target in mapping.items():
        if target not in names and target not in pools:
            raise ActualsError(
                f"--map {actual}={target}: the scenario has no statement or pool named "
                f"{target!r} (statements: {', '.join(names[:20])})"
            )
        if actual not in grid.statements and actual not in grid.pools:
            problems.append(f"--map {actual}={target}: the metrics have no {actual!r}")
    matched: dict[str, str] = {}
    for actual, target in mapping.items():
        if actual in grid.statements and target in names:
            matched[target] = actual
    taken = set(matched.values())
    lower = {a.lower(): a for a in grid.statements}
    for name in names:
        if name in matched:
            continue
        found = name if name in grid.statements else lower.get(name.lower())
        if found is not None and found not in taken and found not in mapping:
            matched[name] = found
            taken.add(found)
    pool_map: dict[str, str] = {a: t for a, t in mapping.items() if t in pools}
    by_name = {s.name: s for s in scenario.statements}
    for name, actual in matched.items():
        pid = grid.statements[actual].pool_id
        if pid and pid not in pool_map:
            pool_map[pid] = by_name[name].pool
    for pid in grid.pools:
        if pid not in pool_map and pid in pools:
            pool_map[pid] = pid
    if len(pools) == 1:
        for pid in grid.pools:
            pool_map.setdefault(pid, pools[0])
    return matched, pool_map, problems


def _window(grid: Grid, minutes: int) -> tuple[int, int]:
    if grid.covered is None:
        raise ActualsError(
            "no metric point falls inside the scenario's horizon; give --start (the time of "
            "the horizon's minute 0) or raise horizon_minutes"
        )
    return grid.covered[0], min(grid.covered[1], minutes - 1)


def _records(row: np.ndarray) -> float | None:
    return float(np.nansum(row)) if np.isfinite(row).any() else None


def _peak(row: np.ndarray) -> float | None:
    return float(np.nanmax(row)) if np.isfinite(row).any() else None


def _statement_problems(series: StatementSeries, name: str) -> list[str]:
    out = []
    if "statement_cfus" not in series.metrics:
        out.append(
            f"{name}: the metrics have no statement_utilization/current_cfus for it: "
            "its CFUs cannot be compared"
        )
    if series.filled_minutes:
        out.append(
            f"{name}: {series.filled_minutes} minute(s) without a CFU point were held at the "
            "minute before (gaps of up to 5 minutes)"
        )
    return out


def reconcile(
    scenario: Scenario,
    readout: Readout,
    *,
    mapping: Mapping[str, str] | None = None,
    start: float | None = None,
) -> Reconciliation:
    """Compare the scenario's estimate with the metrics read from a file."""
    est = estimate(scenario)
    m = scenario.horizon_minutes
    grid = build_grid(readout, m, start)
    a, b = _window(grid, m)
    span = slice(a, b + 1)
    matched, pool_map, problems = _match(scenario, grid, mapping or {})
    problems = list(readout.problems) + problems
    head = headroom(scenario)
    tl = est.timeline

    rows: list[StatementRow] = []
    actual_cfu: dict[str, np.ndarray] = {}
    for i, (st, res) in enumerate(zip(scenario.statements, est.statements, strict=True)):
        est_minutes = int(tl.cfu[i, span].sum())
        common: _Estimated = {
            "name": st.name,
            "pool": st.pool,
            "estimated_cfu_minutes": est_minutes,
            "estimated_cost_usd": cost(est, est_minutes),
            "estimated_peak_cfu": int(tl.cfu[i, span].max(initial=0)),
            "estimated_records_in": float(tl.rps[i, span].sum() * 60.0),
            "estimated_max_backlog_records": float(tl.backlog[i, span].max(initial=0.0)),
            "model_records_per_cfu_second": res.records_per_cfu_second or None,
        }
        actual = matched.get(st.name)
        if actual is None:
            rows.append(
                StatementRow(
                    actual_name=None,
                    status=NO_ACTUALS,
                    actual_cfu_minutes=None,
                    actual_cost_usd=None,
                    actual_peak_cfu=None,
                    actual_records_in=None,
                    actual_max_pending_records=None,
                    **common,
                )
            )
            if res.kind != "ddl":
                problems.append(f"{st.name}: no metrics for this statement; it is not compared")
            continue
        series = grid.statements[actual]
        problems += _statement_problems(series, st.name)
        has_cfu = "statement_cfus" in series.metrics
        cfu = series.cfu[span]
        actual_cfu[st.name] = series.cfu
        minutes = float(cfu.sum()) if has_cfu else None
        runnable = st.cfu_schedule is None and res.kind not in ("ddl", "unknown")
        fit = (
            fit_statement(series.cfu[span], series.records_in[span], series.pending[span], head)
            if has_cfu and runnable and "records_in" in series.metrics
            else None
        )
        if fit is not None and fit.note:
            problems.append(f"{st.name}: {fit.note}")
        rows.append(
            StatementRow(
                actual_name=actual,
                status=COMPARED if has_cfu else NO_CFU_DATA,
                actual_cfu_minutes=minutes,
                actual_cost_usd=cost(est, minutes) if minutes is not None else None,
                actual_peak_cfu=float(cfu.max(initial=0.0)) if has_cfu else None,
                actual_records_in=_records(series.records_in[span]),
                actual_max_pending_records=_peak(series.pending[span]),
                fit=fit,
                **common,
            )
        )
    taken = set(matched.values())
    for actual, series in sorted(grid.statements.items()):
        if actual in taken:
            continue
        cfu = series.cfu[span]
        minutes = float(cfu.sum())
        problems.append(
            f"{actual}: in the metrics but not in the scenario ({minutes:,.0f} CFU-minutes); "
            f"map it with --map {actual}=STATEMENT if it was renamed"
        )
        rows.append(
            StatementRow(
                name=actual,
                actual_name=actual,
                pool=pool_map.get(series.pool_id or "", series.pool_id or ""),
                status=NOT_IN_SCENARIO,
                actual_cfu_minutes=minutes,
                estimated_cfu_minutes=0,
                actual_cost_usd=cost(est, minutes),
                estimated_cost_usd=Decimal(0),
                actual_peak_cfu=float(cfu.max(initial=0.0)),
                estimated_peak_cfu=0,
                actual_records_in=_records(series.records_in[span]),
                estimated_records_in=0.0,
                actual_max_pending_records=_peak(series.pending[span]),
                estimated_max_backlog_records=0.0,
                model_records_per_cfu_second=None,
            )
        )
    pools, pool_minutes = _pools(est, grid, span, pool_map, rows)
    actual_total = float(pool_minutes.sum())
    hourly = _hourly(est, span, pool_minutes)
    rec = Reconciliation(
        estimate=est,
        grid=grid,
        source_format=readout.format,
        window=(a, b),
        statements=rows,
        pools=pools,
        hourly=hourly,
        actual_cfu_minutes=actual_total,
        estimated_cfu_minutes=int(tl.cfu[:, span].sum()),
        observed_records_per_cfu_second=_observed_total(rows),
        refit_cfu_minutes=None,
        problems=problems,
        notes=list(grid.notes),
        actual_cfu=actual_cfu,
    )
    _preview_refit(rec, scenario, span)
    return rec


def _observed_total(rows: list[StatementRow]) -> float | None:
    """Records in over CFU-seconds used, over every statement's steady minutes."""
    fits = [r.fit for r in rows if r.fit is not None and r.fit.observed is not None]
    cfu_seconds = sum(f.cfu_seconds for f in fits)
    return sum(f.records for f in fits) / cfu_seconds if cfu_seconds else None


def _pools(
    est: Estimate,
    grid: Grid,
    span: slice,
    pool_map: dict[str, str],
    rows: list[StatementRow],
) -> tuple[list[PoolRow], np.ndarray]:
    """Pool rows, and the actual CFUs per minute of the window summed over every pool (and
    over statements the metrics name no pool for)."""
    sc = est.scenario
    tl = est.timeline
    width = span.stop - span.start
    total = np.zeros(width)
    counted: set[str] = set()  # actual statements whose CFUs are in `total`
    ids_of: dict[str, list[str]] = {}
    for pid, name in pool_map.items():
        if pid in grid.pools or any(s.pool_id == pid for s in grid.statements.values()):
            ids_of.setdefault(name, []).append(pid)

    def actual_of(ids: list[str], loose: list[str]) -> tuple[np.ndarray, str] | None:
        """CFUs per minute of these actual pools (plus statements with no pool id)."""
        per_minute = np.zeros(width)
        basis: set[str] = set()
        for pid in ids:
            ps = grid.pools.get(pid)
            members = [s for s in grid.statements.values() if s.pool_id == pid]
            counted.update(s.name for s in members)
            # per minute: what was billed, else the pool's CFUs, else its statements' CFUs
            row = np.full(width, np.nan)
            for label, series in (
                ("cfu_minutes_consumed", ps.cfu_minutes[span] if ps else None),
                ("compute_pool_utilization/current_cfus", ps.cfu[span] if ps else None),
                (
                    "sum of statement_utilization/current_cfus",
                    sum((s.cfu[span] for s in members), np.zeros(width)) if members else None,
                ),
            ):
                if series is None:
                    continue
                take = np.isnan(row) & np.isfinite(series)
                if take.any():
                    row[take] = series[take]
                    basis.add(label)
            per_minute += np.nan_to_num(row)
        for name in loose:
            if name not in counted:
                counted.add(name)
                per_minute += grid.statements[name].cfu[span]
                basis.add("sum of statement_utilization/current_cfus")
        return (per_minute, ", ".join(sorted(basis))) if basis else None

    out: list[PoolRow] = []
    used_ids: set[str] = set()
    for pool in sc.pools:
        idx = [i for i, st in enumerate(sc.statements) if st.pool == pool.name]
        est_minutes = int(tl.cfu[idx, span].sum()) if idx else 0
        ids = sorted(ids_of.get(pool.name, []))
        used_ids.update(ids)
        loose = [
            r.actual_name
            for r in rows
            if r.pool == pool.name
            and r.actual_name in grid.statements
            and grid.statements[r.actual_name].pool_id is None
        ]
        found = actual_of(ids, [n for n in loose if n is not None])
        limits = [grid.pools[p].cfu_limit for p in ids if p in grid.pools]
        known_limits = [x for x in limits if x is not None]
        if found is not None:
            total += found[0]
        minutes = float(found[0].sum()) if found else None
        out.append(
            PoolRow(
                name=pool.name,
                actual_ids=tuple(ids),
                status=COMPARED if found else NO_ACTUALS,
                actual_cfu_minutes=minutes,
                estimated_cfu_minutes=est_minutes,
                actual_cost_usd=cost(est, minutes) if minutes is not None else None,
                estimated_cost_usd=cost(est, est_minutes),
                actual_peak_cfu=float(found[0].max(initial=0.0)) if found else None,
                estimated_peak_cfu=int(tl.cfu[idx, span].sum(axis=0).max(initial=0)) if idx else 0,
                cfu_limit=max(known_limits) if known_limits else None,
                max_cfu=pool.max_cfu,
                basis=found[1] if found else "",
            )
        )
    other_ids = {*grid.pools} | {s.pool_id for s in grid.statements.values() if s.pool_id}
    for pid in sorted(other_ids - used_ids):
        found = actual_of([pid], [])
        if found is None:
            continue
        total += found[0]
        minutes = float(found[0].sum())
        out.append(
            PoolRow(
                name=pid,
                actual_ids=(pid,),
                status=NOT_IN_SCENARIO,
                actual_cfu_minutes=minutes,
                estimated_cfu_minutes=0,
                actual_cost_usd=cost(est, minutes),
                estimated_cost_usd=Decimal(0),
                actual_peak_cfu=float(found[0].max(initial=0.0)),
                estimated_peak_cfu=0,
                cfu_limit=grid.pools[pid].cfu_limit if pid in grid.pools else None,
                max_cfu=None,
                basis=found[1],
            )
        )
    for name, s in grid.statements.items():  # no pool id, and not in the scenario
        if name not in counted:
            total += s.cfu[span]
    return out, total


def _hourly(est: Estimate, span: slice, actual: np.ndarray) -> list[HourRow]:
    """CFU-minutes per hour of the compared window (hour 0 = its first 60 minutes)."""
    estimated = est.timeline.cfu[:, span].sum(axis=0)
    out = []
    for h, lo in enumerate(range(0, actual.shape[0], 60)):
        out.append(
            HourRow(
                hour=h,
                actual_cfu_minutes=float(actual[lo : lo + 60].sum()),
                estimated_cfu_minutes=int(estimated[lo : lo + 60].sum()),
            )
        )
    return out


def scenario_with_rates(scenario: Scenario, rates: Mapping[str, tuple[float, str]]) -> Scenario:
    """The scenario with the given statements' records_per_cfu_second (and source) set."""
    data = copy.deepcopy(scenario_to_dict(scenario))
    for st in data.get("statements", []):
        if st.get("name") in rates:
            st["records_per_cfu_second"], st["records_per_cfu_second_source"] = rates[st["name"]]
    return parse_scenario(data, source_dir=scenario.source_dir)


def _preview_refit(rec: Reconciliation, scenario: Scenario, span: slice) -> None:
    """What the estimate would be with the fitted rates (what --apply writes)."""
    rates = rec.fitted_rates()
    if not rates:
        return
    after = estimate(scenario_with_rates(scenario, rates))
    cfu = after.timeline.cfu
    rec.refit_cfu_minutes = int(cfu[:, span].sum())
    for k, row in enumerate(rec.statements):
        if row.status in (COMPARED, NO_CFU_DATA, NO_ACTUALS) and k < cfu.shape[0]:
            rec.statements[k] = _with_refit(row, int(cfu[k, span].sum()))
            rec.refit_cfu[row.name] = cfu[k]


def _with_refit(row: StatementRow, minutes: int) -> StatementRow:
    from dataclasses import replace

    return replace(row, refit_cfu_minutes=minutes)


def describe_window(rec: Reconciliation) -> str:
    a, b = rec.window
    return f"{rec.start_time} to {rec.end_time} (minutes {a}-{b} of the horizon, {b - a + 1} min)"


__all__ = [
    "COMPARED",
    "NOT_IN_SCENARIO",
    "NO_ACTUALS",
    "NO_CFU_DATA",
    "Reconciliation",
    "describe_window",
    "iso",
    "reconcile",
    "scenario_with_rates",
]
