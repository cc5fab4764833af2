"""`cfu-estimator calibrate SCENARIO`: measure statements on a local Flink, optionally --apply.

Wire it into the command line with `add_calibrate_parser(subparsers)`; the handler takes
(args, out) like the other commands and returns the exit code: 0 when the run completed
(statements the engine could not run are listed), 2 for invalid input or a missing engine
(with how to set it up: `make flink`), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from estimator.calibrate.defaults import BACKENDS, DEFAULT_BACKEND, DEFAULT_ROWS
from estimator.errors import ScenarioError

if TYPE_CHECKING:  # the pipeline loads only when the command runs, not for --help
    from estimator.calibrate.settings import CalibrationSettings
    from estimator.scenario import Scenario

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130


def _positive(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_calibrate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `calibrate` command to the cfu-estimator sub-command parsers."""
    p = subparsers.add_parser(
        "calibrate",
        help="measure statements' cost per record on a local Apache Flink (make flink)",
        description=(
            "Run each statement on a local Apache Flink with generated data shaped like its "
            "tables, next to a pass-through of the same sources, and compare its measured cost "
            "per record with what the model assumes. --apply writes the measurement into the "
            "scenario as the statement's records_per_cfu_second."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML or JSON)")
    p.add_argument(
        "--statement",
        action="append",
        metavar="NAME",
        help="calibrate only this statement (repeatable; default: every non-DDL statement)",
    )
    p.add_argument(
        "--rows",
        type=_positive,
        default=DEFAULT_ROWS,
        help=f"generated rows per source table (default {DEFAULT_ROWS:,})",
    )
    p.add_argument(
        "--state-backend",
        choices=BACKENDS,
        default=DEFAULT_BACKEND,
        help=f"state backend of the local run (default {DEFAULT_BACKEND}); Confluent keeps "
        "large state "
        "on disk, so rocksdb is closer for statements with big state",
    )
    p.add_argument("--repeats", type=_positive, default=2, help="runs of each; the fastest counts")
    p.add_argument(
        "--time-limit", type=float, default=120.0, metavar="S", help="seconds per job (120)"
    )
    p.add_argument(
        "--apply",
        action="store_true",
        help="write records_per_cfu_second (and its source) into the scenario file",
    )
    p.set_defaults(func=cmd_calibrate)
    return p


def load_for_calibration(path: str | Path) -> tuple[Scenario, CalibrationSettings, dict[str, Any]]:
    """The scenario, its calibration settings and the file's raw data."""
    from estimator.calibrate.apply import read_scenario_dict
    from estimator.calibrate.settings import CalibrationSettings
    from estimator.scenario import parse_scenario

    raw = read_scenario_dict(path)
    scenario = parse_scenario(raw, source_dir=Path(path).resolve().parent)
    return scenario, scenario.calibration or CalibrationSettings(), raw


def _progress(message: str) -> None:
    print(f"calibrate: {message}", file=sys.stderr, flush=True)


def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    from estimator.calibrate.apply import apply_results, write_scenario_dict
    from estimator.calibrate.calibration import calibrate
    from estimator.calibrate.errors import CalibrationError
    from estimator.calibrate.report import render_table
    from estimator.scenario import parse_scenario

    try:
        scenario, settings, raw = load_for_calibration(args.scenario)
        results = calibrate(
            scenario,
            args.statement,
            rows=args.rows,
            backend=args.state_backend,
            progress=_progress,
            settings=settings,
            repeats=args.repeats,
            time_limit_s=args.time_limit,
        )
        out.write(render_table(results))
        if args.apply:
            updated = apply_results(raw, results)
            parse_scenario(updated)  # never write a file the estimator would then refuse
            write_scenario_dict(args.scenario, updated)
            applied = sum(1 for r in results if r.ok)
            out.write(f"Wrote {applied} measured override(s) into {args.scenario}\n")
    except ScenarioError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_INVALID
    except CalibrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("calibrate: interrupted; the local Flink engine was stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (python -m estimator.calibrate.command SCENARIO ...)."""
    parser = argparse.ArgumentParser(prog="cfu-estimator")
    add_calibrate_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["calibrate", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args, sys.stdout))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
