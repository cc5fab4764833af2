"""The `cfu-estimator` command line. Exit 0 on success, 2 on invalid input (no traceback)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from estimator.errors import EstimatorError, ScenarioError

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_INTERNAL = 1


def _write(text: str, output: str | None, out: TextIO) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        out.write(text)


def cmd_estimate(args: argparse.Namespace, out: TextIO) -> int:
    from estimator import report
    from estimator.estimate import estimate
    from estimator.scenario import load_scenario

    est = estimate(load_scenario(args.scenario))
    if args.xlsx:
        from estimator.export.xlsx import write_workbook

        write_workbook(est, args.xlsx)
        print(f"wrote {args.xlsx}", file=sys.stderr)
    if args.csv:
        from estimator.export.csv_export import write_csv_dir

        for path in write_csv_dir(est, args.csv):
            print(f"wrote {path}", file=sys.stderr)
    if args.format == "json":
        text = json.dumps(report.to_dict(est, per_minute=args.per_minute), indent=2) + "\n"
    elif args.format == "csv":
        text = report.to_csv(est)
    else:
        text = report.render_table(est)
    _write(text, args.output, out)
    return EXIT_OK


def cmd_classify(args: argparse.Namespace, out: TextIO) -> int:
    from estimator.sql import classify_script
    from estimator.sql.report import render_classifications_table

    if args.file == "-":
        text = sys.stdin.read()
    else:
        path = Path(args.file)
        if not path.is_file():
            raise ScenarioError([f"FILE: cannot read {path}: no such file"])
        text = path.read_text(encoding="utf-8", errors="replace")
    items = classify_script(text)
    if args.format == "json":
        _write(json.dumps([c.model_dump() for c in items], indent=2) + "\n", None, out)
    else:
        _write(render_classifications_table(items), None, out)
    return EXIT_OK


def cmd_prices(args: argparse.Namespace, out: TextIO) -> int:
    from estimator.pricing import current_rows

    rows = current_rows()
    if args.format == "json":
        data = [
            {
                "cloud": r.cloud,
                "region": r.region,
                "usd_per_cfu_hour": float(r.usd_per_cfu_hour),
                "effective_date": r.effective_date.isoformat(),
                "source": r.source,
                "basis": r.basis,
            }
            for r in rows
        ]
        out.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    out.write(f"{'cloud':<6} {'region':<14} {'USD/CFU-h':>9}  {'since':<10}  source\n")
    for r in rows:
        out.write(
            f"{r.cloud:<6} {r.region:<14} {r.usd_per_cfu_hour:>9}  "
            f"{r.effective_date.isoformat():<10}  {r.source}\n"
            f"{'':<6} {'':<14} {'':>9}  {'':<10}  {r.basis}\n"
        )
    out.write("A scenario's pricing.usd_per_cfu_hour overrides this table.\n")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    from estimator.scenario import Scenario

    out.write(json.dumps(Scenario.model_json_schema(), indent=2) + "\n")
    return EXIT_OK


def cmd_example(args: argparse.Namespace, out: TextIO) -> int:
    from estimator.examples import EXAMPLES, example_text

    if args.list:
        for name, title in EXAMPLES.items():
            out.write(f"{name:<32} {title}\n")
        return EXIT_OK
    out.write(example_text(args.name))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cfu-estimator",
        description="Estimate CFUs and cost of Flink SQL statements on Confluent Cloud.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("estimate", help="estimate a scenario file (YAML or JSON)")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument(
        "--per-minute",
        action="store_true",
        help="with --format json: add the per-minute simulation table as `per_minute`",
    )
    p.add_argument(
        "--xlsx",
        metavar="OUT.xlsx",
        help="also write the estimate as a workbook whose costs are live formulas over "
        "editable inputs (price, discount, month hours); the normal output still goes to "
        "stdout or --output",
    )
    p.add_argument(
        "--csv",
        metavar="DIR",
        help="also write statements.csv, pools.csv, hourly.csv, per_minute.csv, "
        "assumptions.csv and estimate.json into DIR (created when missing)",
    )
    p.set_defaults(func=cmd_estimate)

    p = sub.add_parser("classify", help="classify the statements of a Flink SQL script")
    p.add_argument("file", metavar="FILE", help="SQL script, or - for standard input")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("prices", help="the CFU price table, with sources")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_prices)

    p = sub.add_parser("schema", help="the scenario file's JSON schema")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("example", help="print an example scenario to start from")
    p.add_argument("name", nargs="?", default="retail_orders", help="example name (--list)")
    p.add_argument("--list", action="store_true", help="list the shipped examples")
    p.set_defaults(func=cmd_example)

    from estimator.calibrate.command import add_calibrate_parser

    add_calibrate_parser(sub)
    from estimator.actuals.command import add_reconcile_parser

    add_reconcile_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, out))
    except ScenarioError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INVALID
    except (EstimatorError, KeyError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {msg}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '')}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # a bug of ours: say so plainly, never a traceback
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); please report it with "
            "the scenario that caused it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
