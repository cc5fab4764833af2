from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from estimator.errors import PricingError
from estimator.pricing import current_rows, load_price_table, quote


def test_every_row_has_source_date_and_basis():
    rows = load_price_table()
    assert rows
    for r in rows:
        assert r.source.startswith("https://")
        assert r.basis
        assert r.usd_per_cfu_hour > 0
        assert r.effective_date <= dt.date.today()


def test_list_price_from_billing_page():
    q = quote("aws", "us-east-1")
    assert q.usd_per_cfu_hour == Decimal("0.21")
    assert q.usd_per_cfu_minute == Decimal("0.0035")
    assert not q.overridden
    assert "flink-billing" in q.source


def test_override_always_wins_and_says_so():
    q = quote("aws", "us-east-1", 0.3)
    assert q.usd_per_cfu_hour == Decimal("0.3")
    assert q.overridden
    assert "override" in q.source
    # also for a region the table does not know
    assert quote("aws", "mars-north-1", 0.25).usd_per_cfu_hour == Decimal("0.25")


def test_unknown_region_lists_known_ones():
    with pytest.raises(PricingError) as err:
        quote("aws", "mars-north-1")
    msg = str(err.value)
    assert msg.startswith("pricing.region")
    assert "us-east-1" in msg and "usd_per_cfu_hour" in msg


def test_unknown_cloud_is_named():
    with pytest.raises(PricingError, match=r"^pricing\.cloud: .*'oracle'"):
        quote("oracle", "x")


def test_newest_effective_row_wins(tmp_path, monkeypatch):
    import estimator.pricing as pricing

    table = tmp_path / "p.csv"
    table.write_text(
        "cloud,region,usd_per_cfu_hour,effective_date,source,basis\n"
        "aws,us-east-1,0.21,2025-09-01,https://a,list\n"
        "aws,us-east-1,0.25,2026-01-01,https://b,list\n"
        "aws,us-east-1,0.30,2099-01-01,https://c,future\n"
    )
    original = pricing.load_price_table.__wrapped__
    monkeypatch.setattr(pricing, "load_price_table", lambda: original(table))
    rows = current_rows(dt.date(2026, 6, 1))
    assert [r.usd_per_cfu_hour for r in rows] == [Decimal("0.25")]
    assert quote("aws", "us-east-1", on=dt.date(2025, 10, 1)).usd_per_cfu_hour == Decimal("0.21")
