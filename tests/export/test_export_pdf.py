"""The customer handout: rendered by poppler (pdftoppm), read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from estimator.cli import main
from estimator.estimate import estimate
from estimator.examples import example_text
from estimator.export.pdf import pdf_bytes
from estimator.scenario import loads_scenario, parse_scenario

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed (make test installs it)",
)


def _pages(pdf: Path, tmp: Path) -> int:
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp / "page")], check=True)
    return len(list(tmp.glob("page*.png")))


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True)
    return out.stdout.decode()


def test_cli_writes_a_handout_with_confluents_figures(tmp_path: Path) -> None:
    scenario = tmp_path / "five.yaml"
    scenario.write_text(example_text("confluent_five_statements"))
    pdf = tmp_path / "out.pdf"
    assert main(["estimate", str(scenario), "--pdf", str(pdf), "--app-url", "https://x.test"]) == 0
    assert 1 <= _pages(pdf, tmp_path) <= 2
    text = _text(pdf)
    name = loads_scenario(example_text("confluent_five_statements")).name
    assert name in text
    # Confluent's billing page: 309 CFU-minutes = 5.15 CFU-hours = $1.0815.
    assert "$1.0815" in text and "5.15" in text
    assert "per CFU-hour" in text and "docs.confluent.io" in text  # price source
    assert "Key assumptions and their sources" in text
    assert b"https://x.test/?s=" in pdf.read_bytes()  # the link back


def test_the_link_back_opens_the_same_scenario_in_the_app() -> None:
    from estimator.export.pdf import scenario_link
    from estimator.ui import share

    scenario = loads_scenario(example_text("confluent_cfu_curve"))
    link = scenario_link("https://app.test/", scenario)
    assert link.startswith("https://app.test/?s=")
    assert parse_scenario(share.decode(link.split("?s=", 1)[1])) == scenario


def test_an_exhausted_pool_handout_shows_the_keep_up_figure(tmp_path: Path) -> None:
    est = estimate(loads_scenario(example_text("bursty_clickstream")))
    pdf = tmp_path / "bursty.pdf"
    pdf.write_bytes(pdf_bytes(est))
    assert 1 <= _pages(pdf, tmp_path) <= 2
    text = _text(pdf)
    assert "Monthly to keep up" in text and "budget for that figure" in text
    for s in est.statements[:5]:
        assert s.name in text
    assert "DOMAIN.md" not in text  # sources a customer can follow


def test_user_text_never_becomes_a_link_or_script(tmp_path: Path) -> None:
    data = yaml.safe_load(example_text("confluent_cfu_curve"))
    evil = "=HYPERLINK(\"http://evil\") <script>app.launchURL('http://evil')</script> 名前"
    data["name"] = evil
    data["statements"][0]["name"] = "javascript:alert(1)"
    est = estimate(parse_scenario(data))
    raw = pdf_bytes(est, link="javascript:alert(1)")
    for marker in (b"/JavaScript", b"/JS", b"/Launch", b"/URI", b"/SubmitForm", b"/AA"):
        assert marker not in raw, marker
    # fpdf2's /OpenAction is only the opening view (a destination array), never an action.
    assert b"/OpenAction <<" not in raw and b"/OpenAction<<" not in raw
    pdf = tmp_path / "evil.pdf"
    pdf.write_bytes(raw)
    assert "<script>app.launchURL" in _text(pdf)  # shown as text, nothing else


def test_the_handout_states_the_estimates_range(tmp_path: Path) -> None:
    from estimator.formatting import money

    est = estimate(loads_scenario(example_text("retail_orders")))
    assert est.range is not None
    r = est.range.totals
    assert r.monthly_cost_usd_low < est.totals.monthly_cost_usd < r.monthly_cost_usd_high
    pdf = tmp_path / "retail.pdf"
    pdf.write_bytes(pdf_bytes(est))
    text = " ".join(_text(pdf).split())
    assert "Range (low - high" in text
    assert f"monthly {money(r.monthly_cost_usd_low)} - {money(r.monthly_cost_usd_high)}" in text
