"""The CFU price table (estimator/pricing_data/cfu_prices.csv): look-ups and overrides."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from estimator.errors import PricingError

# Package data, so an installed wheel has it too (`pricing_data/` at the top of the repository
# is a link to this folder).
PRICE_TABLE: Traversable = files("estimator") / "pricing_data" / "cfu_prices.csv"


@dataclass(frozen=True)
class PriceRow:
    cloud: str
    region: str
    usd_per_cfu_hour: Decimal
    effective_date: dt.date
    source: str
    basis: str


@dataclass(frozen=True)
class PriceQuote:
    """The price an estimate uses, and where it came from."""

    cloud: str
    region: str
    usd_per_cfu_hour: Decimal
    source: str
    effective_date: dt.date | None
    basis: str
    overridden: bool

    @property
    def usd_per_cfu_minute(self) -> Decimal:
        return self.usd_per_cfu_hour / 60


@lru_cache(maxsize=4)
def load_price_table(path: Traversable | Path = PRICE_TABLE) -> tuple[PriceRow, ...]:
    text = path.read_text(encoding="utf-8")
    return tuple(
        PriceRow(
            cloud=r["cloud"].strip(),
            region=r["region"].strip(),
            usd_per_cfu_hour=Decimal(r["usd_per_cfu_hour"].strip()),
            effective_date=dt.date.fromisoformat(r["effective_date"].strip()),
            source=r["source"].strip(),
            basis=r["basis"].strip(),
        )
        for r in csv.DictReader(io.StringIO(text, newline=""))
    )


def current_rows(on: dt.date | None = None) -> list[PriceRow]:
    """The row in force per cloud and region on a date (today by default)."""
    on = on or dt.date.today()
    best: dict[tuple[str, str], PriceRow] = {}
    for row in load_price_table():
        key = (row.cloud, row.region)
        if row.effective_date <= on and (
            key not in best or row.effective_date > best[key].effective_date
        ):
            best[key] = row
    return sorted(best.values(), key=lambda r: (r.cloud, r.region))


def known_regions(on: dt.date | None = None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in current_rows(on):
        out.setdefault(row.cloud, []).append(row.region)
    return out


def quote(
    cloud: str,
    region: str,
    override_usd_per_cfu_hour: float | None = None,
    *,
    on: dt.date | None = None,
) -> PriceQuote:
    """The price for a cloud and region; an override always wins and says so."""
    if override_usd_per_cfu_hour is not None:
        return PriceQuote(
            cloud=cloud,
            region=region,
            usd_per_cfu_hour=Decimal(str(override_usd_per_cfu_hour)),
            source="scenario override (pricing.usd_per_cfu_hour)",
            effective_date=None,
            basis="set by the user",
            overridden=True,
        )
    for row in current_rows(on):
        if row.cloud == cloud and row.region == region:
            return PriceQuote(
                cloud=cloud,
                region=region,
                usd_per_cfu_hour=row.usd_per_cfu_hour,
                source=row.source,
                effective_date=row.effective_date,
                basis=row.basis,
                overridden=False,
            )
    known = known_regions(on)
    listing = "; ".join(f"{c}: {', '.join(r)}" for c, r in known.items())
    if cloud not in known:
        raise PricingError(
            f"pricing.cloud: no price known for cloud {cloud!r}. Known: {listing}. "
            "Or set pricing.usd_per_cfu_hour."
        )
    raise PricingError(
        f"pricing.region: no price known for {cloud} region {region!r}. Known: {listing}. "
        "Or set pricing.usd_per_cfu_hour to your region's price."
    )
