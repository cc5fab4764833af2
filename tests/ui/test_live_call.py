"""The ten problems of issue 14, each as a user meets it in the app (AppTest, no browser)."""

from __future__ import annotations

import re

import pandas as pd
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

from estimator.formatting import money_delta

TTL_SCRIPT = """
CREATE TABLE orders (id STRING, customer STRING, amount DOUBLE, ts TIMESTAMP(3));
SET 'sql.state-ttl' = '1 d';
INSERT INTO customer_totals SELECT customer, SUM(amount) FROM orders GROUP BY customer;
INSERT INTO enriched_orders SELECT o.id, c.tier FROM orders o JOIN customers c ON o.customer = c.id;
"""

# A pool far too small: statements fall hours behind, and partitions cap one of them.
EXHAUSTED = {
    "name": "Too small",
    "horizon_minutes": 240,
    "pools": [{"name": "small", "max_cfu": 4}, {"name": "roomy", "max_cfu": 50}],
    "statements": [
        {
            "name": "spiky",
            "pool": "small",
            "sql": "INSERT INTO t SELECT a, b FROM s WHERE a > 0",
            "profile": {
                "shape": "steps",
                "steps": [{"minute": 0, "rps": 2000}, {"minute": 60, "rps": 60000}],
            },
            "partitions": 24,
        },
        {
            "name": "narrow",
            "pool": "roomy",
            "sql": "INSERT INTO u SELECT a FROM s2",
            "rps": 60000,
            "partitions": 2,
        },
    ],
}


def _upload(at, data: dict, name: str = "s.yaml"):
    at.file_uploader(key="upload_scenario").set_value(
        (name, yaml.safe_dump(data).encode(), "application/x-yaml")
    )
    return at.run()


def _paste(at, script: str):
    at.text_area(key="paste_sql").input(script)
    next(b for b in at.button if b.label == "Replace statements").click().run()
    return at


def _frame(at, prefix: str = "statements@"):
    return editor(at, prefix).value


def _picker(at):
    return next(m for m in at.multiselect if m.key and m.key.startswith("detail_pick@"))


def _pools(at) -> list:
    return [d.value for d in at.dataframe if {"Pool", "Headroom"} <= set(d.value.columns)]


def _advice_text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_p1_after_a_paste_the_lag_picker_lists_the_new_statements() -> None:
    at = new_app()
    at.selectbox(key="example").set_value("bursty_clickstream").run()
    assert _picker(at).value  # the old example's statements
    _paste(at, TTL_SCRIPT)
    assert_clean(at)
    names = set(_frame(at)["name"])
    picked = _picker(at).value
    assert picked and set(picked) <= names
    assert set(_picker(at).options) <= names


def test_p2_a_pasted_set_state_ttl_carries_to_later_statements() -> None:
    at = _paste(new_app(), TTL_SCRIPT)
    assert_clean(at)
    frame = _frame(at)
    ttl = dict(zip(frame["name"], frame["state_ttl"], strict=True))
    assert ttl["customer_totals"] and ttl["enriched_orders"]
    assert not ttl["create_orders"]
    assert all(s.get("state_ttl") for s in at.session_state["work"]["statements"][2:])
    assert "grows without bound" not in _advice_text(at)
    results = next(d for d in at.dataframe if "State TTL" in d.value.columns).value
    assert results.set_index("Statement").loc["enriched_orders", "State TTL"]
    # Unticking it brings the warning back: the column is live.
    row = int(frame.index[frame["name"] == "enriched_orders"][0])
    edit_table(at, "statements@", {row: {"state_ttl": False}})
    assert "grows without bound" in _advice_text(at)


def test_p3_compare_diffs_the_two_versions_shown_and_asks_before_overwriting() -> None:
    at = new_app()
    at.text_input(key="save_name").input("today").run()
    next(b for b in at.button if b.label == "Keep for comparison").click().run()
    at.number_input(key="discount@1").set_value(20.0).run()
    # Keeping again under the same name asks instead of overwriting.
    at.text_input(key="save_name").input("today").run()
    next(b for b in at.button if b.label == "Keep for comparison").click().run()
    assert any("already kept as “today”" in w.value for w in at.warning)
    assert at.session_state["saved"]["today"]["pricing"].get("discount_pct", 0) == 0
    next(b for b in at.button if b.label.startswith("Keep both")).click().run()
    assert at.session_state["saved"]["today (2)"]["pricing"]["discount_pct"] == 20.0
    next(b for b in at.button if b.label == "Compare kept versions").click().run()
    next(b for b in at.button if b.label == "With partitions x2").click().run()
    assert_clean(at)
    assert at.session_state["compare_pick"] == ["today (2)", "today (2): partitions x2"]
    diff = next(d for d in at.dataframe if "Input" in d.value.columns).value
    inputs = set(diff["Input"])
    assert inputs and all(i.endswith(".partitions") for i in inputs), inputs
    side = next(d for d in at.dataframe if "Monthly" in d.value.index).value
    assert set(side.loc["Discount"]) == {"20%"}
    assert "Price per CFU-hour" in side.index
    # The range and the keep-up bill compare too; lag reads as a duration, not raw seconds.
    assert {"Monthly range (low - high)", "Monthly to keep up", "Max lag"} <= set(side.index)
    assert all(
        re.fullmatch(r"\$[\d,.]+ - \$[\d,.]+", v) for v in side.loc["Monthly range (low - high)"]
    )


def test_p4_split_advice_respects_the_pool_limit_and_applies() -> None:
    big = {
        "name": "Two big",
        "horizon_minutes": 120,
        "pools": [{"name": "default", "max_cfu": 50}],
        "statements": [
            {
                "name": n,
                "sql": f"INSERT INTO {n}_out SELECT x FROM s",
                "rps": 300000,
                "partitions": 64,
            }
            for n in ("a", "b")
        ],
    }
    at = _upload(new_app(), big)
    text = _advice_text(at)
    sizes = [int(x) for x in re.findall(r"with MAX\\?_CFU (\d+)", text)]
    assert sizes and max(sizes) <= 50, text
    assert "set max_cfu to 6" not in text
    apply = next(b for b in at.button if b.label == "Apply" and "Split" in (b.help or ""))
    apply.click().run()
    assert_clean(at)
    assert [p["name"] for p in at.session_state["work"]["pools"]] == ["default", "default_2"]
    assert metric(at, "Pools in use") == "2"
    next(b for b in at.button if b.label.startswith("Undo")).click().run()
    assert [p["name"] for p in at.session_state["work"]["pools"]] == ["default"]


def test_p5_partition_advice_shows_where_the_lag_shows() -> None:
    at = _upload(new_app(), EXHAUSTED)
    assert_clean(at)
    pools = _pools(at)[0].set_index("Pool")
    assert "capped by partitions" in pools.loc["roomy", "Status"]
    assert (
        not pools.loc["roomy", "Status"].startswith("fits")
        or "but narrow" in pools.loc["roomy", "Status"]
    )
    stmts = next(
        d for d in at.dataframe if "Status" in d.value.columns and "Kind" in d.value.columns
    )
    status = stmts.value.set_index("Statement").loc["narrow", "Status"]
    assert "partitions" in status
    # Below the lag charts, with its Apply button.
    assert "Why, and what to do" in _advice_text(at)
    helps = [b.help or "" for b in at.button if b.key and b.key.startswith("apply:behind")]
    assert any("partitions" in h for h in helps)


def test_p6_an_exhausted_pool_shows_the_cost_that_keeps_up() -> None:
    at = _upload(new_app(), EXHAUSTED)
    capped = money_value(metric(at, "Monthly"))
    keep_up = money_value(metric(at, "Monthly to keep up"))
    assert keep_up > capped
    assert any("is a capped figure" in w.value for w in at.warning)
    # A 20x rise leaves the capped figure nearly flat, never the keep-up figure.
    frame = _frame(at)
    row = int(frame.index[frame["name"] == "spiky"][0])
    mean = float(frame.loc[row, "rps"])
    edit_table(at, "statements@", {row: {"rps": str(mean * 20)}})
    assert_clean(at)
    assert money_value(metric(at, "Monthly to keep up")) > keep_up * 2


def test_p7_a_profile_rate_scales_the_profile_and_bad_cells_are_named() -> None:
    at = new_app()
    frame = _frame(at)
    row = int(frame.index[frame["name"] == "clean_orders"][0])
    mean = float(frame.loc[row, "rps"])  # the profile's mean, not empty
    assert mean > 0 and frame.loc[row, "profile"] == "orders_daily"
    edit_table(at, "statements@", {row: {"rps": str(mean * 2)}})
    assert_clean(at)
    s = next(x for x in at.session_state["work"]["statements"] if x["name"] == "clean_orders")
    assert isinstance(s["profile"], dict) and "rps" not in s
    assert any("Scaled the traffic profile of clean_orders" in x.value for x in at.success)
    assert abs(float(_frame(at).loc[row, "rps"]) - mean * 2) < mean * 0.01
    # The named profile other statements use is left alone.
    assert "orders_daily" in at.session_state["work"]["profiles"]
    for bad, says in (("-5000", "greater than 0"), ("1e12", "at most 1e+09")):
        edit_table(at, "statements@", {row: {"rps": bad}})
        text = errors_text(at)
        assert "(clean_orders), **Rate (records/s)**" in text and says in text, text
    edit_table(at, "statements@", {row: {"partitions": "twelve"}})
    assert "**Partitions**" in errors_text(at)


def test_p8_a_fresh_paste_resets_name_pools_and_deltas() -> None:
    at = new_app()
    frame = _frame(at)
    row = int(frame.index[frame["name"] == "clean_orders"][0])
    edit_table(at, "statements@", {row: {"partitions": "24"}})
    _paste(at, TTL_SCRIPT)
    assert_clean(at)
    assert at.text_input[0].value == "Pasted script"
    assert [p["name"] for p in at.session_state["work"]["pools"]] == ["default"]
    assert all(not m.proto.delta for m in at.metric if m.label in ("Monthly", "Annual"))
    assert list(_frame(at)["name"]) == [
        "create_orders",
        "set_sql_state_ttl",
        "customer_totals",
        "enriched_orders",
    ]


def test_p9_polish_deltas_lag_ddl_rows_pool_usage() -> None:
    assert money_delta(8.631) == "+$8.63"
    assert money_delta(-1204.1) == "-$1,204.10"
    assert money_delta(0.0042) == "+$0.0042"
    at = new_app()
    frame = _frame(at)
    row = int(frame.index[frame["name"] == "clean_orders"][0])
    edit_table(at, "statements@", {row: {"partitions": "4"}})
    deltas = [
        m.proto.delta for m in at.metric if m.label in ("Monthly", "Annual") and m.proto.delta
    ]
    assert all(re.fullmatch(r"[+-]\$[\d,]+\.\d\d", d) for d in deltas), deltas
    labels = [m.label for m in at.metric]
    assert "Pools in use" in labels and "Pools needed" not in labels
    ddl = _frame(at).set_index("name").loc["create_orders"]
    assert pd.isna(ddl["rps"]) and pd.isna(ddl["message_bytes"])
    results = next(d for d in at.dataframe if "Max lag" in d.value.columns).value
    assert results.set_index("Statement").loc["create_orders", "Records/s per CFU"] is None or (
        results.set_index("Statement").loc["create_orders", "Records/s per CFU"] != 10000
    )
    assert all(
        re.fullmatch(r"–|\d+ s|\d+ min( \d+ s)?|\d+ h( \d+ min)?|[\d,]+ d( \d+ h)?", x)
        for x in results["Max lag"]
    )
    assert len(_pools(at)) == 2  # in Results, and beside the pool editor


def test_the_handout_pdf_downloads_from_the_app(recorded_files: dict[str, bytes]) -> None:
    at = new_app()
    button = next(b for b in at.download_button if b.label == "Customer handout (PDF)")
    data = download_bytes(recorded_files, button)
    assert data.startswith(b"%PDF-") and b"/URI" in data  # the link back to the scenario


def test_the_summary_strip_carries_the_estimates_range() -> None:
    from estimator.estimate import estimate
    from estimator.examples import DEFAULT_EXAMPLE, example_text
    from estimator.formatting import money
    from estimator.scenario import loads_scenario

    r = estimate(loads_scenario(example_text(DEFAULT_EXAMPLE))).range
    assert r is not None and r.totals.monthly_cost_usd_low < r.totals.monthly_cost_usd_high
    at = new_app()
    assert_clean(at)
    line = next(m.value for m in at.markdown if "Range (low - high)" in m.value)
    t = r.totals
    assert f"monthly {money(t.monthly_cost_usd_low)} - {money(t.monthly_cost_usd_high)}" in line
    assert any(e.label == "What drives the range" for e in at.expander)


def _drivers_table(at) -> pd.DataFrame | None:
    return next((d.value for d in at.dataframe if "Value (low cost)" in d.value.columns), None)


def test_range_drivers_are_found_only_once_the_user_opens_them() -> None:
    """Finding them simulates the horizon twice per candidate: a closed section costs none."""
    from estimator.estimate import estimate
    from estimator.examples import DEFAULT_EXAMPLE, example_text
    from estimator.scenario import loads_scenario

    at = new_app()
    assert_clean(at)
    assert _drivers_table(at) is None
    at.session_state["range_drivers"] = True  # the user opens "What drives the range"
    at.run()
    assert_clean(at)
    table = _drivers_table(at)
    expected = estimate(loads_scenario(example_text(DEFAULT_EXAMPLE))).range
    assert expected is not None and expected.drivers
    assert table is not None
    assert list(table["Key"]) == [d.key for d in expected.drivers]
    assert list(table["High cost"]) == [float(d.cost_usd_high) for d in expected.drivers]
