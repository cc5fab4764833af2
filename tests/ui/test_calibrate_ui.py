"""The Calibrate tab, with the local Flink engine replaced by a fake (no JVM starts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import pytest
from uihelpers import assert_clean, errors_text, new_app

from estimator import calibrate as calibration
from estimator.calibrate import CalibrationError, CalibrationResult
from estimator.scenario import Scenario
from estimator.ui import calibrate_ui

MEASURED = 1250.0  # records/s per CFU the fake measures for clean_orders
FLINK_ERROR = "No match found for function signature CONFLUENT_ONLY(<CHARACTER>)"


def fake_results(backend: str) -> list[CalibrationResult]:
    return [
        CalibrationResult(
            statement="clean_orders",
            kind="stateless",
            backend=backend,
            ok=True,
            input_records=200_000,
            statement_records_per_second=400_000.0,
            pass_through_records_per_second=500_000.0,
            operator_us_per_record=0.5,
            model_records_per_cfu_second=9000.0,
            model_operator_us_per_record=2.0,
            measured_records_per_cfu_second=MEASURED,
            measured_on="2025-01-02",
        ),
        CalibrationResult(
            statement="latest_customer_profile",
            kind="aggregate",
            backend=backend,
            ok=False,
            error=FLINK_ERROR,
            model_records_per_cfu_second=3000.0,
            model_operator_us_per_record=12.0,
        ),
    ]


class FakeEngine:
    """Stands in for estimator.calibrate.calibrate; remembers how it was called."""

    def __init__(self, fail: str | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def __call__(
        self,
        scenario: Scenario,
        statements: Sequence[str] | None = None,
        *,
        rows: int = 1_000_000,
        backend: str = "hashmap",
        progress: Callable[[str], None] | None = None,
        **_: Any,
    ) -> list[CalibrationResult]:
        self.calls.append({"statements": list(statements or []), "rows": rows, "backend": backend})
        if progress is not None:
            progress("Flink 2.3.0 started in 2.0 s")
            progress("clean_orders: statement, 200,000 rows, run 1/2: 0.5 s, 0.6 CPU-s")
        if self.fail:
            raise CalibrationError(self.fail)
        return fake_results(backend)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(calibration, "available", lambda: True)
    monkeypatch.setattr(calibration, "calibrate", fake)
    return fake


def cost_row(at: Any, name: str) -> pd.Series:
    table = next(d for d in at.dataframe if "Share of cost" in d.value.columns).value
    return table[table["Statement"] == name].iloc[0]


def test_calibrate_shows_results_and_using_them_changes_the_estimate(engine: FakeEngine) -> None:
    at = new_app()
    assert_clean(at)
    assert not engine.calls  # never on a plain run
    assert at.number_input(key=calibrate_ui.ROWS).value == calibrate_ui.UI_ROWS
    assert "clean_orders" in at.multiselect(key=calibrate_ui.PICK).value
    assert "create_orders" not in at.multiselect(key=calibrate_ui.PICK).options  # DDL
    at.radio(key=calibrate_ui.BACKEND).set_value("rocksdb").run()
    before = cost_row(at, "clean_orders")
    assert before["From"] == "model"

    at.button(key="calibration_start").click().run()
    assert_clean(at)
    assert not at.error, errors_text(at)
    assert len(engine.calls) == 1
    assert engine.calls[0]["rows"] == calibrate_ui.UI_ROWS
    assert engine.calls[0]["backend"] == "rocksdb"
    table = next(d for d in at.dataframe if "Operator µs" in d.value.columns).value
    row = table[table["Statement"] == "clean_orders"].iloc[0]
    assert row["Applying writes"] == MEASURED
    assert row["Difference µs"] == pytest.approx(-1.5)
    assert row["Model rec/s per CFU"] == 9000.0
    assert "latest_customer_profile" not in set(table["Statement"])
    warnings = " ".join(w.value for w in at.warning)
    assert "latest_customer_profile" in warnings and FLINK_ERROR in warnings

    # Another rerun does not calibrate again; the results stay.
    at.run()
    assert len(engine.calls) == 1
    assert any("Operator µs" in d.value.columns for d in at.dataframe)

    at.button(key="calibration_apply").click().run()
    assert_clean(at)
    assert not at.error, errors_text(at)
    st_dict = next(s for s in at.session_state["work"]["statements"] if s["name"] == "clean_orders")
    assert st_dict["records_per_cfu_second"] == MEASURED
    assert st_dict["records_per_cfu_second_source"].startswith("measured on local Apache Flink")
    assert "rocksdb" in st_dict["records_per_cfu_second_source"]
    after = cost_row(at, "clean_orders")
    assert after["Records/s per CFU"] == MEASURED
    assert after["From"] == "measured"
    assert after["Cost"] != before["Cost"]
    assert any("Using the measured records/s per CFU" in s.value for s in at.success)
    # Assumptions and the SQL editor's header say the cost was measured.
    rates = next(d for d in at.dataframe if "How" in d.value.columns).value
    assert rates.set_index("Statement").loc["clean_orders", "From"] == "measured"
    badges = " ".join(e.label for e in at.expander)
    assert "clean_orders" in badges and calibrate_ui.measured_badge() in badges
    # The failed statement keeps the model's figure.
    assert cost_row(at, "latest_customer_profile")["From"] == "model"

    # And back to the model.
    at.button(key="calibration_reset").click().run()
    assert_clean(at)
    assert cost_row(at, "clean_orders")["From"] == "model"
    assert cost_row(at, "clean_orders")["Cost"] == before["Cost"]


def test_only_the_chosen_statements_are_calibrated(engine: FakeEngine) -> None:
    at = new_app()
    at.multiselect(key=calibrate_ui.PICK).set_value(["clean_orders"]).run()
    at.number_input(key=calibrate_ui.ROWS).set_value(100_000).run()
    at.button(key="calibration_start").click().run()
    assert_clean(at)
    assert engine.calls == [{"statements": ["clean_orders"], "rows": 100_000, "backend": "rocksdb"}]


def test_a_failed_calibration_is_shown_and_the_page_still_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeEngine(fail="the local Flink engine stopped before finishing: OutOfMemoryError")
    monkeypatch.setattr(calibration, "available", lambda: True)
    monkeypatch.setattr(calibration, "calibrate", fake)
    at = new_app()
    at.button(key="calibration_start").click().run()
    assert_clean(at)
    assert "Calibration failed: the local Flink engine stopped" in errors_text(at)
    assert any(m.label.startswith("Monthly") for m in at.metric)
    assert not [b for b in at.button if b.key == "calibration_apply"]


def test_without_the_engine_a_short_note_and_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calibration, "available", lambda: False)

    def never(*_: Any, **__: Any) -> list[CalibrationResult]:
        raise AssertionError("calibrate must not be called")

    monkeypatch.setattr(calibration, "calibrate", never)
    at = new_app()
    assert_clean(at)
    assert not at.error
    assert any(calibrate_ui.MISSING_NOTE in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "calibration_start"]
