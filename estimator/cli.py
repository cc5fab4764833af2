"""The `cfu-estimator` command line.

Exit codes: 0 on success; 2 when the user's input is at fault (an `EstimatorError`: a bad
scenario, an unreadable or unwritable file the user named, an unknown price), with one line per
problem and no traceback; 130 when interrupted; 1 for anything else, which is a bug of ours:
one line asking for a report (the traceback with `--debug`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from estimator.errors import EstimatorError, OutputError, ScenarioError

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130
MAX_SQL_MB = 5
MAX_SQL_BYTES = MAX_SQL_MB * 1024 * 1024
"""Largest SQL script `classify` reads (far above any real script)."""


def _write(text: str, output: str | None, out: TextIO) -> None:
    """To stdout, or to `output` whole (a temporary file beside it, then renamed)."""
    if not output:
        out.write(text)
        return
    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(
            f"--output {output}: cannot write it ({exc.strerror}); check the folder exists "
            "and is writable"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"--output {output}: cannot write it ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _writing(option: str, path: str) -> OutputError:
    return OutputError(f"{option} {path}: cannot write it; check the folder exists and is writable")


def cmd_estimate(args: argparse.Namespace, out: TextIO) -> int:
    from estimator import report
    from estimator.estimate import estimate
    from estimator.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.csv:
        from estimator.export.csv_export import CsvFolder

        # per_minute.csv takes the simulation's rows as they come (never all in memory); the
        # folder appears whole when everything is written, or not at all
        try:
            with CsvFolder(args.csv) as folder:
                est = estimate(scenario, on_piece=folder.per_minute)
                written = folder.finish(est)
        except OSError:
            raise _writing("--csv", args.csv) from None
    else:
        est = estimate(scenario)
    if args.xlsx:
        from estimator.export.xlsx import write_workbook

        detail = True if args.xlsx_per_minute else None
        try:
            write_workbook(est, args.xlsx, per_minute=detail, hourly=detail)
        except OSError:
            raise _writing("--xlsx", args.xlsx) from None
        print(f"wrote {args.xlsx}", file=sys.stderr)
    if args.pdf:
        from estimator.export.pdf import scenario_link, write_pdf

        link = scenario_link(args.app_url, est.scenario)
        try:
            write_pdf(est, args.pdf, link=link)
        except OSError:
            raise _writing("--pdf", args.pdf) from None
        print(f"wrote {args.pdf}", file=sys.stderr)
    if args.csv:
        for path in written:
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
    from estimator.files import read_limited
    from estimator.sql import classify_script
    from estimator.sql.report import render_classifications_table

    if args.file == "-":
        data = sys.stdin.buffer.read(MAX_SQL_BYTES + 1)
        if len(data) > MAX_SQL_BYTES:
            raise ScenarioError([f"FILE: standard input is larger than {MAX_SQL_MB} MB"])
    else:
        data = read_limited(args.file, MAX_SQL_BYTES, what=f"FILE {Path(args.file).name}")
    text = data.decode("utf-8", errors="replace")
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
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an internal error, print the traceback (to include in a bug report)",
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
        "--xlsx-per-minute",
        action="store_true",
        help="with --xlsx: include the per-minute and hourly detail even when they are large "
        "(by default only small ones, so the workbook stays quick to open and print)",
    )
    p.add_argument(
        "--pdf",
        metavar="OUT.pdf",
        help="also write a one- or two-page customer handout (KPIs, CFU chart, statements, "
        "pools, advice, key assumptions with sources, a link back to the scenario)",
    )
    p.add_argument(
        "--app-url",
        default="http://localhost:8501",
        metavar="URL",
        help="where the app runs, for the handout's link back (default %(default)s)",
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
    from estimator.storage.command import add_library_parser

    add_library_parser(sub)
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
    except EstimatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug of ours, never the user's input
        if args.debug:
            traceback.print_exc()
        print(
            f"error: internal error ({type(exc).__name__}), please report it with the input "
            "that caused it (add --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
