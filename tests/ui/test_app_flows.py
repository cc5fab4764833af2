"""The app as a user drives it, through streamlit.testing.v1.AppTest (no browser)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import yaml
from uihelpers import (
    assert_clean,
    download_bytes,
    edit_table,
    editor,
    errors_text,
    metric,
    money_value,
    new_app,
)

from estimator.examples import DEFAULT_EXAMPLE, EXAMPLES, example_text
from estimator.scenario import loads_scenario
from estimator.ui import share

SCRIPT = """
CREATE TABLE clicks (user_id STRING, url STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
INSERT INTO clean_clicks SELECT user_id, LOWER(url) AS url, ts FROM clicks WHERE url IS NOT NULL;
INSERT INTO clicks_per_minute
SELECT window_start, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTES))
GROUP BY window_start, window_end;
INSERT INTO enriched SELECT c.user_id, u.tier FROM clicks c JOIN users u ON c.user_id = u.id;
"""


def test_opens_on_an_example_with_a_full_estimate() -> None:
    at = new_app()
    assert_clean(at)
    assert not at.error
    labels = [m.label for m in at.metric]
    for label in ("Cost over", "Monthly", "Annual", "CFU-hours", "Peak CFUs", "Pools in use"):
        assert any(x.startswith(label) for x in labels), labels
    assert money_value(metric(at, "Monthly")) > 0
    assert at.text_input[0].value == loads_scenario(example_text()).name
    assert len(at.get("plotly_chart")) >= 3


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_example_loads_in_one_step(name: str) -> None:
    at = new_app()
    if name == DEFAULT_EXAMPLE:  # already open: load another one first
        at.selectbox(key="example").set_value(next(n for n in EXAMPLES if n != name)).run()
    at.selectbox(key="example").set_value(name).run()
    assert_clean(at)
    assert not at.error, errors_text(at)
    expected = loads_scenario(example_text(name))
    assert at.text_input[0].value == expected.name
    assert any(EXAMPLES[name] in s.value for s in at.success)
    assert int(metric(at, "Peak CFUs").replace(",", "")) >= 1


def test_confluent_billing_examples_show_confluent_numbers() -> None:
    at = new_app()
    at.selectbox(key="example").set_value("confluent_five_statements").run()
    assert metric(at, "Cost over") == "$1.0815"
    assert metric(at, "CFU-hours") == "5.15"
    at.selectbox(key="example").set_value("confluent_interactive_queries").run()
    assert metric(at, "Cost over") == "$0.0175"


def test_changing_a_rate_changes_the_cost() -> None:
    at = new_app()
    before = money_value(metric(at, "Monthly"))
    frame = editor(at, "statements@").value
    row = int(frame.index[frame["name"] == "clean_orders"][0])
    edit_table(at, "statements@", {row: {"rps": 90000.0}})
    assert_clean(at)
    assert not at.error, errors_text(at)
    after = money_value(metric(at, "Monthly"))
    assert after > before
    monthly = next(m for m in at.metric if m.label == "Monthly")
    assert monthly.proto.delta.startswith("+$")


def test_pasting_a_script_fills_the_table_and_shows_kinds() -> None:
    at = new_app()
    at.text_area(key="paste_sql").input(SCRIPT)
    next(b for b in at.button if b.label == "Replace statements").click().run()
    assert_clean(at)
    assert any("Read 4 statement(s)" in s.value for s in at.success)
    table = editor(at, "statements@").value
    assert list(table["name"]) == ["create_clicks", "clean_clicks", "clicks_per_minute", "enriched"]
    assert table["rps"].isna().tolist() == [True, False, False, False]
    results = next(d for d in at.dataframe if "Kind" in d.value.columns).value
    kinds = dict(zip(results["Statement"], results["Kind"], strict=True))
    assert kinds == {
        "create_clicks": "ddl",
        "clean_clicks": "stateless",
        "clicks_per_minute": "aggregate",
        "enriched": "join",
    }
    badges = " ".join(m.value for m in at.markdown)
    assert ":violet-badge[join]" in badges
    assert "regular join" in badges
    assert any("grows without bound" in w.value for w in at.warning)


def test_bad_input_is_shown_next_to_its_field_and_inputs_are_kept() -> None:
    at = new_app()
    at.number_input(key="discount@1").set_value(15.0).run()
    good_monthly = metric(at, "Monthly")
    frame = editor(at, "statements@").value
    row = int(frame.index[frame["name"] == "clean_orders"][0])
    edit_table(at, "statements@", {row: {"rps": 0.0, "partitions": 0}})
    assert_clean(at)
    text = errors_text(at)
    assert "2 problems" in text
    assert "(clean_orders), **Rate (records/s)**: must be greater than 0" in text
    assert "**Partitions**: must be at least 1" in text
    # What the user typed is kept, and the last valid numbers stay on screen.
    assert at.number_input(key="discount@1").value == 15.0
    assert at.session_state["work"]["statements"][row]["rps"] == 0.0
    assert metric(at, "Monthly") == good_monthly
    # Fixing it clears the error.
    edit_table(at, "statements@", {row: {"rps": 9000.0, "partitions": 12}})
    assert not at.error, errors_text(at)


def test_price_override_problem_is_shown_by_the_price() -> None:
    at = new_app()
    at.toggle(key="price_override@1").set_value(True).run()
    at.number_input(key="price@1").set_value(0.0).run()
    assert_clean(at)
    sidebar_errors = [e.value for e in at.sidebar.error]
    assert any("Price (USD per CFU-hour)**: must be greater than 0" in e for e in sidebar_errors)
    at.number_input(key="price@1").set_value(0.42).run()
    assert not at.error
    assert "$0.42" in " ".join(c.value for c in at.caption)


def test_an_unreadable_statement_is_flagged_and_the_others_still_estimated() -> None:
    at = new_app()
    sql_key = next(t.key for t in at.text_area if t.key and t.key.startswith("sql@"))
    at.text_area(key=sql_key).input("INSERT INTO (((( garbage").run()
    assert_clean(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "cannot be read" in warnings or "left out of the estimate" in warnings
    results = next(d for d in at.dataframe if "Kind" in d.value.columns).value
    estimated = results[results["Cost"] > 0]
    assert len(estimated) >= 3


def test_compare_two_scenarios() -> None:
    at = new_app()
    at.text_input(key="save_name").input("today").run()
    next(b for b in at.button if b.label == "Keep for comparison").click().run()
    frame = editor(at, "statements@").value
    row = int(frame.index[frame["name"] == "clean_orders"][0])
    edit_table(at, "statements@", {row: {"rps": 60000.0}})
    at.text_input(key="save_name").input("after growth").run()
    next(b for b in at.button if b.label == "Keep for comparison").click().run()
    next(b for b in at.button if b.label == "Compare kept versions").click().run()
    assert_clean(at)
    assert at.title[0].value == "Compare scenarios"
    side = next(d for d in at.dataframe if "Monthly" in d.value.index).value
    assert {"today", "after growth"} <= set(side.columns)
    today = money_value(side.loc["Monthly", "today"])
    later = money_value(side.loc["Monthly", "after growth"])
    assert later > today
    assert len(at.get("plotly_chart")) == 2
    next(b for b in at.button if b.label == "With fixed CFUs").click().run()
    assert_clean(at)
    # The variant is built from, labelled after and compared with the same kept version.
    assert at.session_state["saved"]["after growth: fixed CFUs"]["autoscaler"] == "fixed"
    assert at.session_state["compare_pick"] == ["after growth", "after growth: fixed CFUs"]


def test_downloads_are_offered_and_parse(recorded_files: dict[str, bytes]) -> None:
    at = new_app()
    buttons = {b.label: b for b in at.download_button}
    assert {"Scenario (YAML)", "Estimate (JSON)", "Statements (CSV)"} <= set(buttons)
    scenario = loads_scenario(download_bytes(recorded_files, buttons["Scenario (YAML)"]))
    assert scenario == loads_scenario(example_text())
    data = json.loads(download_bytes(recorded_files, buttons["Estimate (JSON)"]))
    assert data["totals"]["monthly_cost_usd"] == pytest.approx(
        money_value(metric(at, "Monthly")), abs=0.01
    )
    csv_text = download_bytes(recorded_files, buttons["Statements (CSV)"]).decode()
    assert csv_text.splitlines()[0].startswith("name,pool,kind,cfu_minutes")
    assert len(csv_text.splitlines()) == 1 + len(scenario.statements)
    minutes = download_bytes(recorded_files, buttons["Per-minute timeline (CSV)"]).decode()
    assert minutes.splitlines()[0].startswith("statement,minute,rps")
    assert len(minutes.splitlines()) == 1 + len(scenario.statements) * scenario.horizon_minutes
    book = openpyxl.load_workbook(
        io.BytesIO(download_bytes(recorded_files, buttons["Workbook (xlsx)"]))
    )
    assert len(book.sheetnames) >= 2


def test_share_link_reproduces_the_scenario() -> None:
    at = new_app()
    at.text_input(key="name@1").input("Shared pipeline").run()
    token = at.query_params["s"]
    token = token[0] if isinstance(token, list) else token
    assert share.decode(token)["name"] == "Shared pipeline"
    again = new_app({"s": token})
    assert_clean(again)
    assert again.text_input[0].value == "Shared pipeline"
    assert any("shared link" in s.value for s in again.success)


def test_a_damaged_link_says_so_and_opens_an_example() -> None:
    at = new_app({"s": "not-a-scenario"})
    assert_clean(at)
    assert "shared link could not be opened" in errors_text(at)
    assert metric(at, "Monthly").startswith("$")


def test_upload_a_scenario_and_reject_a_bad_one() -> None:
    at = new_app()
    text = example_text("confluent_cfu_curve").encode()
    at.file_uploader(key="upload_scenario").set_value(("curve.yaml", text, "application/x-yaml"))
    at.run()
    assert_clean(at)
    assert at.text_input[0].value == loads_scenario(text).name
    assert metric(at, "CFU-hours") == "2.17"  # 130 CFU-minutes
    bad = yaml.safe_dump({"name": "x", "statements": [{"name": "a", "rps": -1}]}).encode()
    at.file_uploader(key="upload_scenario").set_value(("bad.yaml", bad, "application/x-yaml"))
    at.run()
    assert_clean(at)
    text_errors = errors_text(at)
    assert "bad.yaml was not loaded" in text_errors
    assert "statements[0].rps" in text_errors
    assert at.text_input[0].value == loads_scenario(text).name
