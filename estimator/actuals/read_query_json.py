"""Read Confluent Cloud Metrics API query responses (`POST /v2/metrics/cloud/query`, JSON).

A response holds one aggregation's points, either FLAT
`{"data": [{"timestamp": "2026-11-30T10:00:00Z", "resource.flink_statement.name": "s",
"value": 3.0}, ...]}` or GROUPED `{"data": [{"resource.flink_statement.name": "s",
"points": [{"timestamp": ..., "value": ...}]}]}` (Metrics API reference, the query endpoint's
flatResponse and groupedResponse examples: https://api.telemetry.confluent.cloud/docs).

A response does not name its metric (that is in the request), so a file holds one of:
- `{"query": {request body}, "response": {response}}`, or a list of them: the metric is the
  request's `aggregations[0].metric`;
- `{"io.confluent.flink/...": {response}, ...}`: responses keyed by metric name (a list of
  responses per metric is read as pages of one query);
- `{"metric": "io.confluent.flink/...", "unit": "...", "data": [...]}`: a response that names
  its metric (and, optionally, its unit).
Series are labelled `resource.flink_statement.name` and `resource.compute_pool.id` (grouped by
them, or filtered on them in the request), and `metric.table_name` when grouped by table.
"""

from __future__ import annotations

import json
from typing import Any

from estimator.actuals.metrics import POOL_LABELS, STATEMENT_LABELS, TABLE_LABELS, lookup
from estimator.actuals.samples import (
    ActualsError,
    Readout,
    Sample,
    check_unit,
    clean_name,
    number,
    parse_time,
)

FORMAT = "Metrics API query response (JSON)"


def _label(row: dict[str, Any], names: tuple[str, ...], default: str | None) -> str | None:
    for name in names:
        if name in row:
            return clean_name(row[name])
    return default


def _filter_values(node: Any, out: dict[str, str], depth: int = 0) -> None:
    """Labels fixed by the request's filter (`field` EQ `value`, nested under AND)."""
    if not isinstance(node, dict) or depth > 8:
        return
    if node.get("op") == "EQ" and isinstance(node.get("field"), str):
        value = clean_name(node.get("value"))
        if value is not None:
            out[node["field"]] = value
    if node.get("op") == "AND":
        for sub in node.get("filters") or []:
            _filter_values(sub, out, depth + 1)


def _read_response(
    readout: Readout,
    metric_name: str,
    response: Any,
    where: str,
    fixed: dict[str, str] | None = None,
    unit: str | None = None,
) -> None:
    spec = lookup(metric_name)
    data = response.get("data") if isinstance(response, dict) else None
    if not isinstance(data, list):
        readout.problem(f"{where}: has no `data` list of points; skipped")
        return
    count_points = sum(len(r.get("points") or []) if "points" in r else 1 for r in _dicts(data))
    if spec is None:
        readout.unknown_metric(metric_name, max(count_points, 1))
        return
    if not check_unit(readout, spec, unit, max(count_points, 1)):
        return
    if not data:
        readout.problem(f"{spec.name} ({where}): empty series, no points")
        return
    fixed = fixed or {}
    base_statement = _label(fixed, STATEMENT_LABELS, None)
    base_pool = _label(fixed, POOL_LABELS, None)
    base_table = _label(fixed, TABLE_LABELS, None)
    for row in _dicts(data):
        statement = _label(row, STATEMENT_LABELS, base_statement)
        pool = _label(row, POOL_LABELS, base_pool)
        table = _label(row, TABLE_LABELS, base_table)
        points = row.get("points") if "points" in row else [row]
        if not isinstance(points, list):
            readout.skip(f"{spec.name}: a group whose `points` is not a list")
            continue
        if not points:
            who = statement or pool or "a series"
            readout.problem(f"{spec.name} for {who}: empty series, no points")
            continue
        for point in points:
            if not _point(readout, spec, point, statement, pool, table):
                return


def _point(
    readout: Readout,
    spec: Any,
    point: Any,
    statement: str | None,
    pool: str | None,
    table: str | None,
) -> bool:
    if not isinstance(point, dict):
        readout.skip(f"{spec.name}: a point that is not an object")
        return True
    t = parse_time(point.get("timestamp"))
    value = number(point.get("value"))
    if t is None or value is None:
        readout.skip(f"{spec.name}: a point without a readable timestamp and value")
        return True
    if spec.level == "statement" and statement is None:
        readout.skip(
            f"{spec.name}: a point with no statement (group the query by "
            "resource.flink_statement.name)"
        )
        return True
    return readout.add(Sample(spec, t, value, statement, pool, table))


def _dicts(items: list[Any]) -> list[dict[str, Any]]:
    return [r for r in items if isinstance(r, dict)]


def _metric_of_query(query: Any) -> str | None:
    if not isinstance(query, dict):
        return None
    aggs = query.get("aggregations")
    if isinstance(aggs, list) and aggs and isinstance(aggs[0], dict):
        metric = aggs[0].get("metric")
        return metric if isinstance(metric, str) else None
    return None


def read_query_json(text: str) -> Readout:
    readout = Readout(FORMAT)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ActualsError(
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise ActualsError("the JSON is nested too deeply to be a Metrics API response") from None
    items = doc if isinstance(doc, list) else [doc]
    for i, item in enumerate(items):
        where = f"item {i + 1}" if isinstance(doc, list) else "the file"
        _read_item(readout, item, where)
    return readout.finish()


def _read_item(readout: Readout, item: Any, where: str) -> None:
    if not isinstance(item, dict):
        readout.problem(f"{where}: is not a JSON object; skipped")
        return
    if "response" in item:
        metric = _metric_of_query(item.get("query"))
        if metric is None:
            readout.problem(f"{where}: its `query` has no aggregations[0].metric; skipped")
            return
        fixed: dict[str, str] = {}
        _filter_values((item.get("query") or {}).get("filter"), fixed)
        _read_response(readout, metric, item["response"], where, fixed, _unit(item))
        return
    if "data" in item:
        metric = item.get("metric")
        if not isinstance(metric, str):
            readout.problem(
                f"{where}: a query response does not name its metric; save it as "
                '{"query": <request>, "response": <response>} or {"<metric>": <response>}'
            )
            return
        _read_response(readout, metric, item, where, None, _unit(item))
        return
    for metric, value in item.items():
        pages = value if isinstance(value, list) else [value]
        for page in pages:
            _read_response(readout, str(metric), page, f"{where}, {metric}", None, _unit(page))


def _unit(item: Any) -> str | None:
    unit = item.get("unit") if isinstance(item, dict) else None
    return unit if isinstance(unit, str) else None
