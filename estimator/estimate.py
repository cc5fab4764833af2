"""The pipeline: Scenario -> classify -> demand -> simulate -> bill -> Estimate."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np

from estimator import billing, labels, projection, sizing, uncertainty
from estimator.autoscaler import AutoscalerConfig, resolve
from estimator.demand import Throughput, throughput
from estimator.errors import TrafficError
from estimator.labels import LabelGroup
from estimator.parameters import Parameters
from estimator.pricing import PriceQuote, quote
from estimator.projection import Projection
from estimator.projection_share import ProjectionShare
from estimator.scenario import Scenario, Statement
from estimator.simulate import PER_MINUTE_CELLS, Piece, StatementPlan, simulate
from estimator.sizing import AdviceRecord
from estimator.sources import public_source
from estimator.sql import Catalog, Classification, classify_statement
from estimator.timeline import PENDING, POOL_EXHAUSTED, Timeline
from estimator.traffic import statement_rates, statement_rates_window


@dataclass(frozen=True)
class Assumption:
    key: str
    label: str
    value: str
    unit: str
    source: str
    overridden: bool = False
    low: str = ""  # the parameter's range ("" when it has none)
    high: str = ""
    range_source: str = ""


@dataclass(frozen=True)
class StatementResult:
    name: str
    pool: str
    kind: str
    classification: Classification
    records_per_cfu_second: float
    cfu_minutes: int
    cost_usd: Decimal
    peak_cfu: int
    avg_cfu: float
    error: str | None = None
    warnings: tuple[str, ...] = ()
    max_backlog_records: float = 0.0
    max_lag_seconds: float = 0.0
    exhausted_minutes: int = 0
    pending_minutes: int = 0
    advice: tuple[AdviceRecord, ...] = ()
    throughput: Throughput | None = None  # records/s per CFU and how it was reached
    cost_share: float = 0.0  # of the scenario's cost, 0 to 1


@dataclass(frozen=True)
class PoolResult:
    name: str
    max_cfu: int
    peak_cfu: int
    cfu_minutes: int
    cost_usd: Decimal
    recommended_max_cfu: int | None = None
    exhausted_minutes: int = 0
    advice: tuple[AdviceRecord, ...] = ()
    headroom: float = 0.0  # share of MAX_CFU still free at the pool's peak minute, 0 to 1
    demand_cfu_minutes: int | None = None  # with no pool limit (only when it ran out)
    demand_cost_usd: Decimal | None = None
    demand_peak_cfu: int | None = None


@dataclass(frozen=True)
class HourBill:
    hour: int
    cfu_minutes: int
    cost_usd: Decimal


@dataclass(frozen=True)
class Totals:
    cfu_minutes: int
    cfu_hours: Decimal
    cost_usd: Decimal
    peak_cfu: int
    monthly_cost_usd: Decimal  # recurring statements, from whole traffic cycles
    annual_cost_usd: Decimal  # the projection's first twelve months
    one_off_cost_usd: Decimal = Decimal(0)  # DDL and cfu_schedule statements, billed once
    pools_in_use: int = 0  # pools that ran at least one statement
    exhausted_pools: int = 0  # pools that ran out of CFUs at some minute


@dataclass(frozen=True)
class KeepUp:
    """What the scenario bills when every exhausted pool gets its recommended MAX_CFU: the
    cost of keeping up with the input, beside the capped cost that lets backlog grow."""

    cfu_minutes: int
    cost_usd: Decimal
    monthly_cost_usd: Decimal
    annual_cost_usd: Decimal
    peak_cfu: int  # the highest pool peak without a limit, over the exhausted pools
    pools: dict[str, int]  # exhausted pool -> the MAX_CFU that keeps up


@dataclass(frozen=True)
class Estimate:
    scenario: Scenario
    price: PriceQuote
    rate: billing.Rate
    statements: tuple[StatementResult, ...]
    pools: tuple[PoolResult, ...]
    hourly: tuple[HourBill, ...]
    hourly_by_statement: np.ndarray  # (statements, hours) CFU-minutes
    totals: Totals
    timeline: Timeline  # per minute when small, hourly aggregates otherwise (see Timeline)
    assumptions: tuple[Assumption, ...] = field(default=())
    autoscaler: dict[str, Any] = field(default_factory=dict)  # preset name and parameters
    advice: tuple[AdviceRecord, ...] = ()  # scenario-wide sizing advice and warnings
    projection: Projection | None = None  # months ahead, monthly from cycles
    labels: tuple[dict[str, str], ...] = ()  # each statement's labels (its pool's included)
    by_label: dict[str, list[LabelGroup]] = field(default_factory=dict)
    cautions: tuple[str, ...] = ()  # how far the figures can be trusted, in plain words
    range: uncertainty.EstimateRange | None = None  # low / high (estimator.uncertainty)
    keep_up: KeepUp | None = None  # set when a pool ran out of CFUs

    def all_advice(self) -> list[AdviceRecord]:
        """Every piece of advice once, most urgent first (pools, scenario, statements)."""
        return sizing.everything(self.advice, [s.advice for s in self.statements])


def _catalog_scripts(scenario: Scenario) -> tuple[str, ...]:
    """The scenario's texts that can define a table (the only ones Catalog.from_sql reads)."""
    ddl = scenario.calibration.ddl if scenario.calibration is not None else None
    texts = [ddl, *(st.sql for st in scenario.statements)]
    return tuple(t for t in texts if t and "create" in t.lower())


@functools.lru_cache(maxsize=8)
def _catalog_of(scripts: tuple[str, ...]) -> Catalog:
    """The tables a scenario's own CREATE statements and calibration DDL define, built once
    per set of scripts (classify never changes a catalog it is given)."""
    return Catalog.from_sql(scripts)


def _classify(
    st: Statement,
    state_ttl: bool,
    catalog: Catalog | None = None,
    scripts: tuple[str, ...] | None = None,
) -> Classification:
    """`scripts` (the texts `catalog` was built from) makes the classification cacheable."""
    if not st.sql.strip():
        return Classification(
            statement_type="unknown",
            kind="unknown",
            confidence="low",
            explanation="No SQL given: CFUs follow the statement's cfu_schedule.",
        )
    # Never raises: unreadable SQL comes back as kind "unknown" with its error.
    if scripts is None or len(st.sql) > CACHED_SQL_CHARS:
        return classify_statement(st.sql, state_ttl=state_ttl, catalog=catalog)
    return _classify_sql(st.sql, state_ttl, scripts)


CACHED_SQL_CHARS = 16_384  # longer SQL is classified afresh: the cache stays under ~16 MB
CACHED_CATALOG_CHARS = 65_536  # scenarios with more CREATE text than this are not cached


@functools.lru_cache(maxsize=1024)
def _classify_sql(sql: str, state_ttl: bool, scripts: tuple[str, ...]) -> Classification:
    """Classifications by SQL text and the CREATE scripts around it: an edit to a rate does
    not re-parse every statement."""
    return classify_statement(sql, state_ttl=state_ttl, catalog=_catalog_of(scripts))


def _plan(
    scenario: Scenario, st: Statement, c: Classification, params: Parameters
) -> tuple[StatementPlan, Throughput, str | None]:
    """What the simulation needs of a statement; an error makes it sit out (never the rest)."""
    error: str | None = None
    schedule = tuple((s.minutes, s.cfu) for s in st.cfu_schedule) if st.cfu_schedule else None
    is_ddl = c.kind == "ddl"
    runnable = True
    rates = None
    window = None
    has_rate = st.rps is not None or st.profile is not None
    if has_rate:
        try:
            if len(scenario.statements) * scenario.horizon_minutes > PER_MINUTE_CELLS:
                window = statement_rates_window(scenario, st)  # never the whole array
            else:
                rates = statement_rates(scenario, st)
        except TrafficError as exc:
            error = f"profile: {'; '.join(exc.problems)}"
            runnable = schedule is not None
    if schedule is None and not is_ddl and error is None:
        if c.kind == "unknown":
            runnable = False
            error = c.error or "the SQL could not be read; give a cfu_schedule to bill it anyway"
        elif not has_rate:
            runnable = False
            error = "rps: required for a running statement; give rps, a profile or a cfu_schedule"
    tp = throughput(
        c,
        params,
        message_bytes=st.message_bytes,
        key_count=st.key_count,
        udf_count=st.udf_count,
        override=st.records_per_cfu_second,
        override_source=st.records_per_cfu_second_source,
    )
    plan = StatementPlan(
        name=st.name,
        pool=st.pool,
        start_minute=st.start_minute,
        rps=st.rps or 0.0,
        records_per_cfu_second=tp.records_per_cfu_second,
        is_ddl=is_ddl,
        parallelism_cap=c.parallelism_cap,
        partitions=st.partitions,
        schedule=schedule,
        runnable=runnable,
        rates=rates,
        rates_window=window,
    )
    return plan, tp, error


def _assumptions(
    scenario: Scenario, price: PriceQuote, params: Parameters, cfg: AutoscalerConfig
) -> list[Assumption]:
    date = f", {price.effective_date.isoformat()}" if price.effective_date else ""
    rows = [
        Assumption(
            "usd_per_cfu_hour",
            f"Price per CFU-hour ({price.cloud} {price.region})",
            f"{price.usd_per_cfu_hour}",
            "USD per CFU-hour",
            f"{price.source}{date}. {price.basis}",
            price.overridden,
        ),
        Assumption(
            "discount_pct",
            "Discount applied to every cost",
            f"{scenario.pricing.discount_pct:g}",
            "%",
            "scenario (pricing.discount_pct)",
            scenario.pricing.discount_pct != 0,
        ),
        Assumption(
            "month_hours",
            "Hours in a billing month (projections)",
            f"{scenario.month_hours:g}",
            "hours",
            "scenario (month_hours); 730 = 8,760 hours a year / 12",
            "month_hours" in scenario.model_fields_set,
        ),
        Assumption(
            "billing_grain",
            "Billing grain",
            "1",
            "CFU-minute",
            "Confluent billing page: CFUs counted per minute, priced per CFU-hour",
        ),
    ]
    rows += [
        Assumption(
            p.key,
            p.label,
            f"{p.value:g}",
            p.unit,
            p.source,
            p.overridden,
            f"{p.low_value:g}" if p.has_range else "",
            f"{p.high_value:g}" if p.has_range else "",
            p.range_source,
        )
        for p in params.rows
    ]
    rows += [
        Assumption(
            f"autoscaler.{p.key}",
            f"{cfg.label}: {p.label}",
            f"{p.value:g}",
            p.unit,
            p.source,
            p.overridden,
        )
        for p in cfg.parameters
    ]
    return [replace(a, source=public_source(a.source)) for a in rows]


@dataclass(frozen=True)
class SimulationSetup:
    """What the simulation of a scenario runs on (also for reference runs in tests)."""

    params: Parameters
    autoscaler: AutoscalerConfig
    classes: list[Classification]
    planned: list[tuple[StatementPlan, Throughput, str | None]]
    pools: dict[str, int]  # max_cfu by pool name
    options: dict[str, Any]  # keyword arguments of simulate()

    @property
    def plans(self) -> list[StatementPlan]:
        return [p for p, _, _ in self.planned]


def simulation_setup(scenario: Scenario) -> SimulationSetup:
    params = Parameters(scenario.parameters)
    preset, overrides = scenario.autoscaler_choice()
    cfg = resolve(preset, overrides)
    scripts = _catalog_scripts(scenario)
    cacheable = sum(map(len, scripts)) <= CACHED_CATALOG_CHARS  # else too big for cache keys
    catalog = _catalog_of(scripts) if cacheable else Catalog.from_sql(scripts)
    key = scripts if cacheable else None
    classes = [_classify(st, bool(st.state_ttl), catalog, key) for st in scenario.statements]
    planned = [
        _plan(scenario, st, c, params) for st, c in zip(scenario.statements, classes, strict=True)
    ]
    options = {
        "ddl_cfu_minutes": int(params["ddl_cfu_minutes"]),
        "max_cfu_per_statement": int(params["max_cfu_per_statement"]),
        "autoscaler": cfg,
    }
    return SimulationSetup(
        params, cfg, classes, planned, {p.name: p.max_cfu for p in scenario.pools}, options
    )


def estimate(scenario: Scenario, *, on_piece: Callable[[Piece], None] | None = None) -> Estimate:
    """Run the whole pipeline. Raises PricingError for an unknown cloud/region.

    `on_piece` receives the per-minute simulation rows as they are produced (for a file: a
    long horizon of many statements keeps only hourly aggregates in Estimate.timeline)."""
    price = quote(
        scenario.pricing.cloud, scenario.pricing.region, scenario.pricing.usd_per_cfu_hour
    )
    rate = billing.Rate(price.usd_per_cfu_hour, Decimal(str(scenario.pricing.discount_pct)))
    setup = simulation_setup(scenario)
    params, cfg, classes, planned = setup.params, setup.autoscaler, setup.classes, setup.planned
    plans, pool_caps, sim_options = setup.plans, setup.pools, setup.options

    def run(p: list[StatementPlan]) -> Timeline:
        return simulate(
            p,
            scenario.horizon_minutes,
            pools=pool_caps,
            ddl_cfu_minutes=int(params["ddl_cfu_minutes"]),
            max_cfu_per_statement=int(params["max_cfu_per_statement"]),
            autoscaler=cfg,
        )

    timeline = simulate(
        plans, scenario.horizon_minutes, pools=pool_caps, on_piece=on_piece, **sim_options
    )
    per_statement_minutes = timeline.cfu_minutes()
    peaks, averages = timeline.peak_cfu(), timeline.avg_cfu()
    backlogs, lags = timeline.max_backlog(), timeline.max_lag_seconds()
    exhausted, pending = timeline.minutes_in(POOL_EXHAUSTED), timeline.minutes_in(PENDING)
    advice = sizing.advise(scenario, classes, plans, timeline, params, cfg)
    total_minutes = int(per_statement_minutes.sum())

    statements = []
    for i, (st, c) in enumerate(zip(scenario.statements, classes, strict=True)):
        minutes = int(per_statement_minutes[i])
        statements.append(
            StatementResult(
                name=st.name,
                pool=st.pool,
                kind=c.kind,
                classification=c,
                records_per_cfu_second=plans[i].records_per_cfu_second,
                cfu_minutes=minutes,
                cost_usd=rate.cost(minutes),
                peak_cfu=int(peaks[i]),
                avg_cfu=float(averages[i]),
                error=planned[i][2],
                max_backlog_records=float(backlogs[i]),
                max_lag_seconds=float(lags[i]),
                exhausted_minutes=int(exhausted[i]),
                pending_minutes=int(pending[i]),
                advice=advice.statements[i],
                throughput=planned[i][1],
                cost_share=minutes / total_minutes if total_minutes else 0.0,
            )
        )

    pools = []
    for pool in scenario.pools:
        rows = [i for i, st in enumerate(scenario.statements) if st.pool == pool.name]
        minutes = int(per_statement_minutes[rows].sum()) if rows else 0
        pool_advice = advice.pools[pool.name]
        peak = timeline.peak_of(rows, pool.name)
        demand = pool_advice.demand_cfu_minutes
        pools.append(
            PoolResult(
                name=pool.name,
                max_cfu=pool.max_cfu,
                peak_cfu=peak,
                cfu_minutes=minutes,
                cost_usd=rate.cost(minutes),
                recommended_max_cfu=pool_advice.recommended_max_cfu,
                exhausted_minutes=pool_advice.exhausted_minutes,
                advice=pool_advice.advice,
                headroom=max(0.0, 1 - peak / pool.max_cfu) if pool.max_cfu else 0.0,
                demand_cfu_minutes=demand,
                demand_cost_usd=rate.cost(demand) if demand is not None else None,
                demand_peak_cfu=pool_advice.demand_peak_cfu,
            )
        )

    by_hour = timeline.hourly_cfu_minutes()
    hour_totals = by_hour.sum(axis=0)
    hourly = tuple(
        HourBill(hour=h, cfu_minutes=int(v), cost_usd=rate.cost(int(v)))
        for h, v in enumerate(hour_totals)
    )

    share = ProjectionShare(scenario)  # the four projections' cycles and simulated pools

    def project(
        p: list[StatementPlan],
        horizon: np.ndarray | Callable[[], np.ndarray],
        caps: dict[str, int] = pool_caps,
    ) -> Projection:
        return projection.project(
            scenario,
            p,
            pools=caps,
            sim_options=sim_options,
            rate=rate,
            horizon_cfu_minutes=horizon,
            share=share,
        )

    proj = project(plans, per_statement_minutes)
    figures = projection.figures(proj, rate, per_statement_minutes)
    everyone = range(len(plans))
    totals = Totals(
        cfu_minutes=total_minutes,
        cfu_hours=billing.cfu_hours(total_minutes),
        cost_usd=rate.cost(total_minutes),
        peak_cfu=timeline.peak_of(list(range(len(plans)))),
        monthly_cost_usd=figures.monthly(everyone),
        annual_cost_usd=proj.annual_cost_usd,
        one_off_cost_usd=figures.one_off(everyone),
        pools_in_use=sum(1 for p in pools if p.cfu_minutes > 0),
        exhausted_pools=sum(1 for p in pools if p.exhausted_minutes > 0),
    )
    labelled = tuple(
        labels.effective(st.labels, scenario.pool(st.pool).labels) for st in scenario.statements
    )
    pool_rows = [
        (p.name, [i for i, st in enumerate(scenario.statements) if st.pool == p.name])
        for p in scenario.pools
    ]
    spread = uncertainty.estimate_range(
        scenario.statements,
        classes,
        plans,
        params,
        run=lambda p: _minutes_by_pool(run(p), pool_rows),
        expected_minutes=per_statement_minutes,
        expected_cfu=_minutes_by_pool(timeline, pool_rows)[1],
        pools=pool_rows,
        rate=rate,
        project=project,
        expected_projection=proj,
    )
    return Estimate(
        scenario=scenario,
        price=price,
        rate=rate,
        statements=tuple(statements),
        pools=tuple(pools),
        hourly=hourly,
        hourly_by_statement=by_hour,
        totals=totals,
        timeline=timeline,
        assumptions=tuple(_assumptions(scenario, price, params, cfg)),
        autoscaler=cfg.describe(),
        advice=advice.scenario,
        projection=proj,
        labels=labelled,
        by_label=labels.roll_up(labelled, figures),
        cautions=proj.cautions,
        range=spread,
        keep_up=_keep_up(
            pools,
            totals,
            rate,
            lambda caps: project(plans, per_statement_minutes, {**pool_caps, **caps}),
        ),
    )


def _keep_up(
    pools: list[PoolResult],
    totals: Totals,
    rate: billing.Rate,
    project_with: Callable[[dict[str, int]], Projection],
) -> KeepUp | None:
    """The bill with every exhausted pool at its recommended MAX_CFU (its unlimited re-run).

    Monthly and annual are defined as every other figure's: the projection (whole cycles,
    calendar months) of the scenario with those MAX_CFUs (`project_with(caps)`)."""
    short = [p for p in pools if p.demand_cfu_minutes is not None]
    if not short:
        return None
    caps = {p.name: int(p.recommended_max_cfu or p.max_cfu) for p in short}
    extra = sum(int(p.demand_cfu_minutes or 0) - p.cfu_minutes for p in short)
    kept = project_with(caps)
    return KeepUp(
        cfu_minutes=totals.cfu_minutes + extra,
        cost_usd=rate.cost(totals.cfu_minutes + extra),
        monthly_cost_usd=kept.monthly_cost(rate),
        annual_cost_usd=kept.annual_cost_usd,
        peak_cfu=max(int(p.demand_peak_cfu or 0) for p in short),
        pools=caps,
    )


def _minutes_by_pool(
    tl: Timeline, pool_rows: list[tuple[str, list[int]]]
) -> tuple[np.ndarray, np.ndarray]:
    """Per-statement CFU-minutes, and per-pool CFUs per time step (for the range)."""
    cfu = tl.cfu
    by_pool = np.zeros((len(pool_rows), cfu.shape[1]), dtype=np.int64)
    for k, (_, rows) in enumerate(pool_rows):
        if rows:
            by_pool[k] = cfu[rows].sum(axis=0)
    return tl.cfu_minutes(), by_pool
