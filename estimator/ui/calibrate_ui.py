"""The Calibrate tab: measure statements on a local Apache Flink, and use the measurements.

Calibration runs only when the user clicks its button (tens of seconds to minutes: a JVM, two
source sizes, a pass-through next to each statement). Its results stay in the session until
the next run; "Use these measurements" writes them into the working scenario as each
statement's `records_per_cfu_second` (estimator.calibrate.apply_results), so the estimate
re-runs with them. A failure is shown in the tab and never stops the rest of the page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from estimator import calibrate as calibration
from estimator.calibrate import CalibrationResult
from estimator.estimate import Estimate
from estimator.scenario import Scenario
from estimator.ui import compute, state

LOG = logging.getLogger("estimator.ui")

RUN = "calibration_run"  # CalibrationRun: the last calibration of this session
RUNNING = "calibration_running"  # bool: a calibration started and has not finished yet
PICK = "calibration_pick"
ROWS = "calibration_rows"
BACKEND = "calibration_backend"

UI_ROWS = 200_000
MIN_ROWS = 10_000
MAX_ROWS = 10_000_000
MEASURED = "measured on local"  # how records_per_cfu_second_source starts after a calibration
MISSING_NOTE = "Calibration needs real Apache Flink on this machine: run `make flink`."
RUN_LABEL = "Calibrate on local Flink"
APPLY_LABEL = "Use these measurements"
RESET_LABEL = "Back to the model"
STEPS_PER_STATEMENT = 4 * 2 + 1  # 2 sizes x (statement, pass-through) x 2 repeats, the result


@dataclass
class CalibrationRun:
    """One click on the calibrate button: what was asked, and what came back."""

    statements: list[str]
    rows: int
    backend: str
    gen: int  # the working scenario's generation it was measured on
    results: list[CalibrationResult] = field(default_factory=list)
    error: str | None = None
    log: list[str] = field(default_factory=list)
    seconds: float = 0.0
    applied: bool = False


def engine_ready() -> bool:
    """The Flink extra is installed here (never raises)."""
    try:
        return bool(calibration.available())
    except Exception:
        LOG.exception("checking for the local Flink engine failed")
        return False


def is_measured(source: str | None) -> bool:
    return bool(source) and str(source).lower().startswith(MEASURED)


def measured_badge() -> str:
    return ":green-badge[:material/speed: measured]"


def calibratable(scenario: Scenario) -> list[str]:
    """Statements that run a query (DDL and schedules without SQL are not measured)."""
    names = []
    for s in scenario.statements:
        if not s.sql.strip():
            continue
        if compute.classify(s.sql).kind == "ddl":
            continue
        names.append(s.name)
    return names


# --- the run -------------------------------------------------------------------------------


def _run(scenario: Scenario, names: list[str], rows: int, backend: str) -> CalibrationRun:
    """Calibrate `names` now, showing progress; the outcome (results or error) is returned."""
    run = CalibrationRun(list(names), rows, backend, int(st.session_state[state.GEN]))
    total = 2 + STEPS_PER_STATEMENT * max(1, len(names))
    st.session_state[RUNNING] = True
    started = time.monotonic()
    with st.status(
        f"Calibrating {len(names)} statement(s) on local Apache Flink…", expanded=True
    ) as box:
        bar = st.progress(0.0, text="Starting Apache Flink…")
        tail = st.empty()

        def progress(message: str) -> None:
            run.log.append(str(message))
            done = min(len(run.log) / total, 0.98)
            bar.progress(done, text=f"{str(message)[:160]}")
            tail.code("\n".join(run.log[-6:]), language=None, wrap_lines=True)

        try:
            run.results = list(
                calibration.calibrate(
                    scenario, names, rows=rows, backend=backend, progress=progress
                )
            )
        except calibration.EngineMissing:
            run.error = MISSING_NOTE
        except calibration.CalibrationError as exc:
            run.error = str(exc)
        except Exception as exc:  # never let a calibration failure stop the page
            LOG.exception("calibration failed")
            run.error = f"{type(exc).__name__}: {exc}"
        # Not in a `finally`: a rerun that stops the script mid-run leaves the flag set, and
        # the next run says so.
        st.session_state[RUNNING] = False
        run.seconds = time.monotonic() - started
        if run.error:
            bar.empty()
            box.update(label="Calibration failed", state="error", expanded=True)
        else:
            ok = sum(1 for r in run.results if r.ok)
            bar.progress(1.0, text="Done")
            box.update(
                label=f"Measured {ok} of {len(run.results)} statement(s) in {run.seconds:.0f} s",
                state="complete",
                expanded=False,
            )
    return run


# --- callbacks -----------------------------------------------------------------------------


def on_apply() -> None:
    """Write the last run's measurements into the working scenario (a button callback)."""
    run: CalibrationRun | None = st.session_state.get(RUN)
    if run is None:
        return
    w = state.work()
    present = {s.get("name") for s in w.get("statements", []) if isinstance(s, dict)}
    usable = [
        r
        for r in run.results
        if r.ok and r.measured_records_per_cfu_second is not None and r.statement in present
    ]
    if not usable:
        st.session_state[state.NOTICE] = (
            "warning",
            "None of the measured statements is in the scenario any more: nothing changed.",
        )
        return
    try:
        st.session_state[state.WORK] = calibration.apply_results(w, usable)
    except Exception as exc:
        LOG.exception("applying the calibration failed")
        st.session_state[state.NOTICE] = ("warning", f"The measurements were not applied: {exc}")
        return
    run.applied = True
    names = ", ".join(r.statement for r in usable)
    st.session_state[state.NOTICE] = (
        "success",
        f"Using the measured records/s per CFU of {names}: the estimate now runs with them "
        "(see Assumptions).",
    )


def on_reset() -> None:
    """Drop every measured override: those statements' costs come from the model again."""
    w = state.work()
    names = []
    for s in w.get("statements", []):
        if isinstance(s, dict) and is_measured(s.get("records_per_cfu_second_source")):
            s.pop("records_per_cfu_second", None)
            s.pop("records_per_cfu_second_source", None)
            names.append(str(s.get("name", "")))
    run: CalibrationRun | None = st.session_state.get(RUN)
    if run is not None:
        run.applied = False
    if names:
        st.session_state[state.NOTICE] = (
            "success",
            f"{', '.join(names)}: records/s per CFU from the model again.",
        )


# --- drawing -------------------------------------------------------------------------------


def _fmt(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def results_frame(results: Sequence[CalibrationResult]) -> pd.DataFrame:
    """One row per measured statement: measured and assumed costs, and what applying writes."""
    rows = [
        {
            "Statement": r.statement,
            "Kind": r.kind,
            "Records/s": _fmt(r.statement_records_per_second, 0),
            "Pass-through rec/s": _fmt(r.pass_through_records_per_second, 0),
            "Operator µs": _fmt(r.operator_us_per_record),
            "Model µs": _fmt(r.model_operator_us_per_record),
            "Difference µs": _fmt(r.difference_us),
            "Model rec/s per CFU": _fmt(r.model_records_per_cfu_second, 0),
            "Applying writes": _fmt(r.measured_records_per_cfu_second, 1),
        }
        for r in results
        if r.ok
    ]
    return pd.DataFrame(rows)


def _results_table(run: CalibrationRun) -> None:
    frame = results_frame(run.results)
    if not frame.empty:
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            key="calibration_table",
            column_config={
                "Records/s": st.column_config.NumberColumn(
                    format="localized",
                    help="Input records per CPU-second (one core) of the statement.",
                ),
                "Pass-through rec/s": st.column_config.NumberColumn(
                    format="localized",
                    help="The same generated sources read and written without the statement's "
                    "operators.",
                ),
                "Operator µs": st.column_config.NumberColumn(
                    format="%.2f",
                    help="The statement's own cost per input record (µs), above the pass-through.",
                ),
                "Model µs": st.column_config.NumberColumn(
                    format="%.2f",
                    help="What the estimate assumes for the operators (µs per record).",
                ),
                "Difference µs": st.column_config.NumberColumn(
                    format="%+.2f", help="Measured minus assumed operator cost per record."
                ),
                "Model rec/s per CFU": st.column_config.NumberColumn(
                    format="localized",
                    help="Records/s per CFU from the model alone (no measured value).",
                ),
                "Applying writes": st.column_config.NumberColumn(
                    format="localized",
                    help="Records/s per CFU that “Use these measurements” writes: the model's "
                    "Kafka cost for the statement's message size plus the "
                    "measured operator cost, capped by the bytes-per-second bound.",
                ),
            },
        )
        first = next(r for r in run.results if r.ok)
        st.caption(
            f"Local Apache Flink {first.flink_version}, {first.backend} state, parallelism 1, "
            f"{run.rows:,} rows per source, {first.measured_on}. Records/s are per CPU-second "
            "(one core), from the CPU time between two source sizes, so the JVM start and each "
            "job's fixed cost cancel out. Local runs have no Kafka, network or Avro: the "
            "operator cost is what is measured; the Kafka cost stays the model's."
        )
        noisy = [
            r.statement
            for r in run.results
            if r.ok and r.operator_us_per_record is not None and r.operator_us_per_record < 0
        ]
        if noisy:
            st.caption(
                f":material/info: {', '.join(noisy)}: cheaper than the pass-through, which is "
                "measurement noise (it counts as zero operator cost). More rows per source "
                "give steadier figures."
            )
    failed = [r for r in run.results if not r.ok]
    if failed:
        st.warning(
            f"{len(failed)} statement(s) not measured (the others are):\n"
            + "\n".join(f"- **{r.statement}** ({r.kind}): {r.error}" for r in failed),
            icon=":material/report:",
        )


def _last_run(run: CalibrationRun) -> None:
    st.markdown("#### Measurements")
    if run.error:
        st.error(f"Calibration failed: {run.error}", icon=":material/error:")
        if run.log:
            with st.expander("What the engine said"):
                st.code("\n".join(run.log[-30:]), language=None, wrap_lines=True)
        return
    _results_table(run)
    measured = [r for r in run.results if r.ok and r.measured_records_per_cfu_second]
    other = run.gen != st.session_state[state.GEN]
    a, b = st.columns([1, 3], vertical_alignment="center")
    a.button(
        APPLY_LABEL,
        key="calibration_apply",
        on_click=on_apply,
        type="primary",
        icon=":material/check:",
        disabled=not measured or other or run.applied,
        width="stretch",
        help="Set each measured statement's records/s per CFU to the value in the last "
        "column; the estimate re-runs with them.",
    )
    if other:
        b.caption("These were measured on a scenario that has been replaced since.")
    elif run.applied:
        b.caption(":green[:material/check_circle:] In use: the estimate runs with them.")
    else:
        b.caption(f"Took {run.seconds:.0f} s. Nothing changes until you use them.")


def _in_use(scenario: Scenario) -> None:
    used = [s for s in scenario.statements if is_measured(s.records_per_cfu_second_source)]
    if not used:
        return
    st.markdown("#### In use")
    st.markdown(
        "\n".join(
            f"- {measured_badge()} **{s.name}**: {s.records_per_cfu_second:,.0f} records/s per "
            f"CFU, {s.records_per_cfu_second_source}"
            for s in used
        )
    )
    st.button(
        RESET_LABEL,
        key="calibration_reset",
        on_click=on_reset,
        icon=":material/undo:",
        help="Forget the measured values: these statements' records/s per CFU come from the "
        "model again.",
    )


def tab(est: Estimate | None, stale: bool) -> None:
    """The whole Calibrate tab. Drawn last on the page, so a long run never holds back the rest."""
    st.caption(
        "Measure what your statements cost per record on a real Apache Flink on this machine, "
        "with generated data shaped like your tables, next to a plain pass-through of the same "
        "data; then use the measurements instead of the model's assumed operator cost."
    )
    if est is None:
        return
    if not engine_ready():
        st.info(MISSING_NOTE, icon=":material/info:")
        _in_use(est.scenario)
        return
    if st.session_state.get(RUNNING):
        st.session_state[RUNNING] = False
        st.warning(
            "The last calibration was stopped by a change on the page before it finished: "
            "run it again.",
            icon=":material/history:",
        )
    names = calibratable(est.scenario)
    if not names:
        st.info("No statement runs a query: nothing to calibrate.", icon=":material/info:")
        return
    if PICK in st.session_state:
        st.session_state[PICK] = [n for n in st.session_state[PICK] if n in names]
    else:
        st.session_state[PICK] = list(names)
    state.init_widget(ROWS, UI_ROWS)
    state.init_widget(BACKEND, calibration.BACKENDS[0])
    left, mid, right = st.columns([3, 1.2, 1.2], vertical_alignment="top")
    picked: list[str] = left.multiselect(
        "Statements",
        names,
        key=PICK,
        help="Every statement that runs a query; each is measured on its own.",
    )
    rows = int(
        mid.number_input(
            "Rows per source",
            key=ROWS,
            min_value=MIN_ROWS,
            max_value=MAX_ROWS,
            step=50_000,
            help="Generated rows per source table, at two sizes (this and a fifth of it). "
            "1,000,000 (the command line's default) gives steadier figures; fewer is quicker.",
        )
    )
    backend: str = right.radio(
        "State backend",
        list(calibration.BACKENDS),
        key=BACKEND,
        horizontal=True,
        help="rocksdb (the default) keeps state on disk, as Confluent does and as the model's "
        "operator costs were measured; hashmap keeps it on the JVM heap (faster, less real).",
    )
    if rows < 1_000_000:
        st.caption(
            f"{rows:,} rows per source is quick; 1,000,000 gives steadier figures. Each "
            "statement takes roughly 10–60 s; changing anything on the page while it runs stops "
            "it."
        )
    if stale:
        st.warning(
            "The scenario has problems: fix them first, calibration runs the current statements.",
            icon=":material/error:",
        )
    clicked = st.button(
        RUN_LABEL,
        key="calibration_start",
        type="primary",
        icon=":material/speed:",
        disabled=stale or not picked,
        help="Starts a local Apache Flink (a JVM) and runs the chosen statements on it.",
    )
    if clicked and picked and not stale:
        st.session_state[RUN] = _run(
            est.scenario, list(picked), rows, backend or calibration.BACKENDS[0]
        )
    run: CalibrationRun | None = st.session_state.get(RUN)
    if run is not None:
        _last_run(run)
    _in_use(est.scenario)


def measured_note(s: dict[str, Any]) -> str | None:
    """A caption for a statement whose records/s per CFU is set in the scenario."""
    value = s.get("records_per_cfu_second")
    if value is None:
        return None
    source = s.get("records_per_cfu_second_source")
    text = f"{float(value):,.0f} records/s per CFU"
    return f"{text}, {source} (instead of the model)" if source else f"{text} (given)"


__all__ = ["MISSING_NOTE", "engine_ready", "is_measured", "measured_badge", "tab"]
