"""`cfu-estimator library ...`: save, list, show, history, diff, delete and restore scenarios.

Wire it in with `add_library_parser(subparsers)`. Handlers take (args, out) and return the exit
code; errors are EstimatorError subclasses, which cfu-estimator reports with exit code 2 (a bad
id or input, an unreachable database).
"""

from __future__ import annotations

import argparse
import getpass
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, TextIO

from estimator.profiles import SeriesProfile
from estimator.scenario import (
    Scenario,
    dumps_scenario,
    load_scenario,
    parse_scenario,
    scenario_to_dict,
)
from estimator.storage.diff import render

if TYPE_CHECKING:  # the database layer is imported only when a library command runs
    from estimator.storage.library import Library, ScenarioSummary, VersionInfo

EXIT_OK = 0


def inline_csv_series(scenario: Scenario) -> Scenario:
    """The scenario with every `csv:` series read into inline `series:` points (a saved
    scenario names no file). Reads the files next to the scenario, as `estimate` does."""
    from estimator.profiles import load_csv_series

    data = scenario_to_dict(scenario)
    horizon = scenario.horizon_minutes

    def inline(profile: Any, raw: dict[str, Any]) -> None:
        if isinstance(profile, SeriesProfile) and profile.csv is not None:
            points = load_csv_series(profile.csv, scenario.source_dir, horizon_minutes=horizon)
            raw.pop("csv", None)
            raw["series"] = [[m, r] for m, r in points]

    for pname, profile in scenario.profiles.items():
        inline(profile, data["profiles"][pname])
    for i, st in enumerate(scenario.statements):
        if isinstance(st.profile, SeriesProfile):
            inline(st.profile, data["statements"][i]["profile"])
    return parse_scenario(data)


def _library() -> Library:
    from estimator.storage.library import Library

    return Library.open()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "anonymous"


def cmd_save(args: argparse.Namespace, out: TextIO) -> int:
    from estimator.errors import ScenarioError, TrafficError

    scenario = load_scenario(args.file)
    try:
        scenario = inline_csv_series(scenario)
    except TrafficError as exc:
        raise ScenarioError(exc.problems) from None
    lib = _library()
    try:
        info = lib.save(
            scenario,
            name=args.name,
            customer=args.customer,
            tags=args.tag,
            note=args.note,
            by=args.by or _user(),
        )
    finally:
        lib.close()
    out.write(info.short_id + "\n")
    return EXIT_OK


def _money(value: Any) -> str:
    cents = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${cents:,}"


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_list(rows: list[ScenarioSummary]) -> str:
    if not rows:
        return "no saved scenarios\n"
    lines = [
        f"{'id':<12}  {'name':<30}  {'customer':<20}  {'ver':>3}  {'monthly':>12}  {'peak':>5}  "
        f"{'saved':<16}  tags"
    ]
    for r in rows:
        lines.append(
            f"{r.latest.short_id:<12}  {_cell(r.name, 30):<30}  {_cell(r.customer, 20):<20}  "
            f"{r.versions:>3}  {_money(r.latest.monthly_cost_usd):>12}  {r.peak_cfu:>5}  "
            f"{r.latest.created_at.strftime('%Y-%m-%d %H:%M'):<16}  {', '.join(r.tags)}"
        )
    return "\n".join(lines) + "\n"


def render_history(rows: list[VersionInfo]) -> str:
    lines = [
        f"{'id':<12}  {'ver':>3}  {'saved':<16}  {'by':<16}  {'monthly':>12}  {'peak':>5}  note"
    ]
    for v in rows:
        lines.append(
            f"{v.short_id:<12}  {v.number:>3}  {v.created_at.strftime('%Y-%m-%d %H:%M'):<16}  "
            f"{_cell(v.created_by, 16):<16}  {_money(v.monthly_cost_usd):>12}  {v.peak_cfu:>5}  "
            f"{_cell(v.note.replace(chr(10), ' '), 60)}"
        )
    return "\n".join(lines) + "\n"


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    lib = _library()
    try:
        rows = lib.list_scenarios(
            search=args.search, customer=args.customer, tag=args.tag, deleted=args.deleted
        )
    finally:
        lib.close()
    if args.format == "json":
        out.write(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
    else:
        out.write(render_list(rows))
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    lib = _library()
    try:
        saved = lib.get(args.id)
    finally:
        lib.close()
    out.write(dumps_scenario(saved.scenario(), args.format))
    return EXIT_OK


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    lib = _library()
    try:
        rows = lib.history(args.id)
    finally:
        lib.close()
    if args.format == "json":
        out.write(json.dumps([v.as_dict() for v in rows], indent=2) + "\n")
    else:
        out.write(render_history(rows))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    lib = _library()
    try:
        d = lib.diff(args.id1, args.id2)
    finally:
        lib.close()
    if args.format == "json":
        out.write(json.dumps(d.as_dict(), indent=2) + "\n")
    else:
        out.write(render(d))
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, out: TextIO) -> int:
    lib = _library()
    try:
        name = lib.delete(args.id)
    finally:
        lib.close()
    out.write(f"deleted {name!r} (all its versions); `library restore {args.id}` undoes it\n")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    lib = _library()
    try:
        name = lib.restore(args.id)
    finally:
        lib.close()
    out.write(f"restored {name!r}\n")
    return EXIT_OK


def add_library_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `library` command to the cfu-estimator sub-command parsers."""
    p = subparsers.add_parser(
        "library",
        help="saved, versioned scenarios with short ids (SQLite, or PostgreSQL via DATABASE_URL)",
        description=(
            "The scenario library: SQLite in the data folder (CFU_ESTIMATOR_DATA_DIR, default "
            "~/.local/share/cfu-estimator), or the PostgreSQL database in DATABASE_URL."
        ),
    )
    sub = p.add_subparsers(dest="library_command", required=True, metavar="ACTION")

    s = sub.add_parser("save", help="save a scenario file as a new version; prints its short id")
    s.add_argument("file", metavar="FILE", help="scenario file (YAML or JSON)")
    s.add_argument("--name", help="name in the library (default: the scenario's name)")
    s.add_argument("--customer", help="the customer it is for")
    s.add_argument("--tag", action="append", help="a tag (repeatable)")
    s.add_argument("--note", help="what changed in this version")
    s.add_argument("--by", help="who saves it (default: your login name)")
    s.set_defaults(func=cmd_save)

    s = sub.add_parser("list", help="saved scenarios, newest first")
    s.add_argument("--customer", help="only this customer's")
    s.add_argument("--tag", help="only those with this tag")
    s.add_argument("--search", help="name or customer contains this text")
    s.add_argument("--deleted", action="store_true", help="list the deleted ones instead")
    s.add_argument("--format", choices=["table", "json"], default="table")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="print a saved version as a scenario file")
    s.add_argument("id", metavar="ID")
    s.add_argument("--format", choices=["yaml", "json"], default="yaml")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("history", help="every version of the scenario an id belongs to")
    s.add_argument("id", metavar="ID")
    s.add_argument("--format", choices=["table", "json"], default="table")
    s.set_defaults(func=cmd_history)

    s = sub.add_parser("diff", help="inputs and figures that differ between two versions")
    s.add_argument("id1", metavar="ID1")
    s.add_argument("id2", metavar="ID2")
    s.add_argument("--format", choices=["table", "json"], default="table")
    s.set_defaults(func=cmd_diff)

    s = sub.add_parser("delete", help="delete the scenario an id belongs to (restorable)")
    s.add_argument("id", metavar="ID")
    s.set_defaults(func=cmd_delete)

    s = sub.add_parser("restore", help="bring a deleted scenario back")
    s.add_argument("id", metavar="ID")
    s.set_defaults(func=cmd_restore)
    return p
