"""`cfu-estimator reconcile SCENARIO ACTUALS`: the estimate next to Confluent's metrics.

Wire it into the command line with `add_reconcile_parser(subparsers)`. Exit 0 when the
comparison ran (problems with parts of the metrics are warnings on stderr, the rest compared),
2 for input that cannot be used at all (a missing or oversized file, no known metric, a bad
--map or --start).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from estimator.actuals.formats import FORMATS

EXIT_OK = 0
EXIT_INVALID = 2


def _mapping(text: str) -> tuple[str, str]:
    actual, sep, target = text.partition("=")
    if not sep or not actual.strip() or not target.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: write ACTUAL=SCENARIO_NAME")
    return actual.strip(), target.strip()


def _start(text: str) -> float:
    from estimator.actuals.samples import parse_time

    t = parse_time(text)
    if t is None:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give an ISO 8601 time such as 2026-11-30T10:00Z"
        )
    return t


def add_reconcile_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `reconcile` command to the cfu-estimator sub-command parsers."""
    p = subparsers.add_parser(
        "reconcile",
        help="compare an estimate with Confluent Cloud metrics; refit records/s per CFU",
        description=(
            "Read Confluent Cloud metrics (a Metrics API query response in JSON, the export "
            "endpoint's Prometheus/OpenMetrics text, or a CSV of timestamp,statement,metric,"
            "value) and compare them with the scenario's estimate per statement and pool: "
            "CFU-minutes, cost, peak CFUs, records in, records behind. --apply writes the "
            "observed records/s per CFU into the scenario."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    p.add_argument("actuals", metavar="ACTUALS", help="metrics file (JSON, Prometheus text, CSV)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument(
        "--input-format",
        choices=FORMATS,
        default="auto",
        help="the metrics file's format (default: told from its content)",
    )
    p.add_argument(
        "--map",
        type=_mapping,
        action="append",
        default=[],
        metavar="ACTUAL=SCENARIO",
        help="match a statement (or compute pool id) of the metrics to a scenario statement "
        "(or pool) of another name; repeatable",
    )
    p.add_argument(
        "--start",
        type=_start,
        metavar="ISO-TIME",
        help="the time of the horizon's minute 0 (default: the first metric point)",
    )
    p.add_argument(
        "--apply",
        action="store_true",
        help="write the fitted records_per_cfu_second (and its source) into the scenario file",
    )
    p.set_defaults(func=cmd_reconcile)
    return p


def cmd_reconcile(args: argparse.Namespace, out: TextIO) -> int:
    # The pipeline loads only when the command runs, not for --help or other commands.
    from estimator.actuals.apply import apply_rates
    from estimator.actuals.read import read_file
    from estimator.actuals.reconcile import reconcile
    from estimator.actuals.report import render_table, to_dict
    from estimator.actuals.samples import ActualsError
    from estimator.scenario import load_scenario

    try:
        scenario = load_scenario(args.scenario)
        readout = read_file(args.actuals, args.input_format)
        rec = reconcile(scenario, readout, mapping=dict(args.map), start=args.start)
    except ActualsError as exc:
        print(f"error: {args.actuals}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for line in rec.problems:
        print(f"warning: {line}", file=sys.stderr)
    if args.format == "json":
        out.write(json.dumps(to_dict(rec), indent=2) + "\n")
    else:
        out.write(render_table(rec))
    if args.apply:
        rates = rec.fitted_rates()
        if not rates:
            print(
                "reconcile: no statement had enough steady minutes to fit; nothing written",
                file=sys.stderr,
            )
            return EXIT_OK
        written = apply_rates(args.scenario, rates)
        print(
            f"reconcile: wrote records_per_cfu_second for {', '.join(written)} into "
            f"{args.scenario}",
            file=sys.stderr,
        )
    return EXIT_OK
