"""The Actuals tab: upload metrics, see both curves and the error table, use observed rates."""

from __future__ import annotations

from pathlib import Path

import pytest
from uihelpers import assert_clean, new_app

from estimator.actuals import read_file, reconcile
from estimator.actuals.charts import estimate_vs_actual
from estimator.scenario import load_scenario
from estimator.ui import actuals_ui

FIXTURES = Path(__file__).resolve().parents[1] / "actuals" / "fixtures"
SCENARIO = FIXTURES / "scenario.yaml"
FORMATS = {"csv": FIXTURES / "metrics.csv", "prometheus": FIXTURES / "metrics_export.txt"}
# Hand-summed from the story (tests/actuals/fixtures/story.py)
ACTUAL_CFU_MINUTES = {"enrich_orders": 747, "orders_per_customer": 357, "fraud_join": 711}


def test_chart_has_both_curves_with_the_metrics_cfus() -> None:
    rec = reconcile(load_scenario(SCENARIO), read_file(FORMATS["csv"]))
    fig = estimate_vs_actual(rec, "enrich_orders")
    names = [t.name for t in fig.data]
    assert names[:2] == ["actual (statement_utilization/current_cfus)", "estimate"]
    assert sum(fig.data[0].y) == pytest.approx(ACTUAL_CFU_MINUTES["enrich_orders"])
    assert len(fig.data[1].y) == 180


def test_mapping_lines() -> None:
    assert actuals_ui.parse_mapping("a=b\n\n c = d \nnonsense") == (
        {"a": "b", "c": "d"},
        ["nonsense"],
    )


def test_actuals_tab_end_to_end() -> None:
    at = new_app()
    at.file_uploader(key="upload_scenario").set_value(
        ("scenario.yaml", SCENARIO.read_bytes(), "application/x-yaml")
    )
    at.run()
    at.file_uploader(key=actuals_ui.UPLOAD).set_value(
        ("export.txt", FORMATS["prometheus"].read_bytes(), "text/plain")
    )
    at.text_area(key=actuals_ui.MAP).set_value("fraud-join-v2=fraud_join")
    at.run()
    assert_clean(at)
    frames = [d.value for d in at.dataframe if "Actual CFU-min" in d.value.columns]
    assert frames, "no error table"
    frame = frames[0].set_index("Statement")
    for name, minutes in ACTUAL_CFU_MINUTES.items():
        assert frame.loc[name, "Actual CFU-min"] == pytest.approx(minutes)
    charts = list(at.get("plotly_chart"))
    assert len(charts) >= 3 + 2  # the three compared statements (and the Results charts)
    at.button(key="actuals_apply").click()
    at.run()
    assert_clean(at)
    work = at.session_state["work"]
    rates = {s["name"]: s.get("records_per_cfu_second") for s in work["statements"]}
    assert all(rates[n] for n in ACTUAL_CFU_MINUTES)
    assert "observed on Confluent Cloud" in next(
        s["records_per_cfu_second_source"] for s in work["statements"] if s["name"] == "fraud_join"
    )
