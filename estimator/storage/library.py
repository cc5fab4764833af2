"""The scenario library: save, list, search, open, diff, delete and restore saved scenarios.

A scenario is identified by its (customer, name), compared without case: saving under the same
ones adds a version. Versions are immutable; each has a short unguessable id (72 random bits).
Every query uses bound parameters (SQLAlchemy expressions, never formatted SQL).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from estimator.scenario import Scenario, parse_scenario
from estimator.storage import checks
from estimator.storage.config import database_url, normalise_url
from estimator.storage.database import make_engine, reporting, upgrade, write_transaction
from estimator.storage.diff import VersionDiff, changes
from estimator.storage.errors import LibraryError
from estimator.storage.schema import scenario_tags, scenario_versions, scenarios

SAVE_ATTEMPTS = 8
"""Saves retried when a concurrent save took the same version number (or, once in 2^72, id)."""


def new_short_id() -> str:
    """12 URL-safe characters from 9 random bytes, starting with a letter or digit: an id that
    starts with "-" reads as an option on the command line (`library show -x...`)."""
    while True:
        candidate = secrets.token_urlsafe(9)
        if candidate[0].isalnum():
            return candidate


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class VersionInfo:
    short_id: str
    number: int
    created_at: datetime
    created_by: str
    note: str
    monthly_cost_usd: Decimal
    peak_cfu: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.short_id,
            "version": self.number,
            "saved_at": self.created_at.isoformat(timespec="seconds"),
            "saved_by": self.created_by,
            "note": self.note,
            "monthly_cost_usd": float(self.monthly_cost_usd),
            "peak_cfu": self.peak_cfu,
        }


@dataclass(frozen=True)
class ScenarioSummary:
    """A saved scenario as the list shows it: its newest version's id and figures."""

    name: str
    customer: str
    tags: tuple[str, ...]
    versions: int
    latest: VersionInfo
    deleted: bool

    def as_dict(self) -> dict[str, Any]:
        latest = self.latest.as_dict()
        return {
            "id": self.latest.short_id,
            "name": self.name,
            "customer": self.customer,
            "tags": list(self.tags),
            "versions": self.versions,
            "saved_at": latest["saved_at"],
            "saved_by": latest["saved_by"],
            "monthly_cost_usd": latest["monthly_cost_usd"],
            "peak_cfu": self.peak_cfu,
            "deleted": self.deleted,
        }

    @property
    def peak_cfu(self) -> int:
        return self.latest.peak_cfu


@dataclass(frozen=True)
class SavedVersion:
    """One version, opened: the scenario as saved and the figures of its estimate."""

    name: str
    customer: str
    tags: tuple[str, ...]
    version: VersionInfo
    latest_number: int
    scenario_json: str
    figures: dict[str, Any]

    @property
    def short_id(self) -> str:
        return self.version.short_id

    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.scenario_json)
        return loaded

    def scenario(self) -> Scenario:
        return parse_scenario(self.data())


_VERSION_COLUMNS = (
    scenario_versions.c.short_id,
    scenario_versions.c.number,
    scenario_versions.c.created_at,
    scenario_versions.c.created_by,
    scenario_versions.c.note,
    scenario_versions.c.monthly_cost_usd,
    scenario_versions.c.peak_cfu,
)


def _version(row: Any) -> VersionInfo:
    return VersionInfo(
        short_id=row.short_id,
        number=row.number,
        created_at=_utc(row.created_at),
        created_by=row.created_by,
        note=row.note,
        monthly_cost_usd=Decimal(row.monthly_cost_usd),
        peak_cfu=row.peak_cfu,
    )


class Library:
    """The library on one database. `Library.open()` reads DATABASE_URL / the data folder."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, url: str | URL | None = None) -> Library:
        """Connect and apply any pending migration (LibraryUnavailable when unreachable)."""
        resolved = database_url() if url is None else normalise_url(url)
        engine = make_engine(resolved)
        try:
            with reporting(resolved):
                upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, resolved)

    def close(self) -> None:
        self.engine.dispose()

    # --- saving -------------------------------------------------------------------------

    def save(
        self,
        scenario: Scenario | dict[str, Any],
        *,
        name: str | None = None,
        customer: str | None = None,
        tags: Iterable[str] | None = None,
        note: str | None = None,
        by: str | None = None,
    ) -> VersionInfo:
        """Store a new version (a new scenario when no live one has this customer and name).
        Tags given are added to the scenario's. Returns the version, with its short id."""
        prepared = checks.prepare(scenario)
        label = checks.name(name if name is not None else prepared.scenario.name)
        cust = checks.customer(customer)
        tag_list = checks.tags(tags)
        text = checks.note(note)
        who = checks.who(by)
        figures_json = json.dumps(prepared.figures, sort_keys=True, separators=(",", ":"))
        last: IntegrityError | None = None
        for _ in range(SAVE_ATTEMPTS):
            try:
                with reporting(self.url), write_transaction(self.engine) as conn:
                    now = datetime.now(UTC)
                    sid = self._live_scenario(conn, label, cust, lock=True)
                    if sid is None:
                        sid = conn.execute(
                            insert(scenarios)
                            .values(
                                name=label,
                                name_key=label.casefold(),
                                customer=cust,
                                customer_key=cust.casefold(),
                                created_at=now,
                            )
                            .returning(scenarios.c.id)
                        ).scalar_one()
                    have = set(
                        conn.scalars(
                            select(scenario_tags.c.tag).where(scenario_tags.c.scenario_id == sid)
                        )
                    )
                    for tag in tag_list:
                        if tag not in have:
                            conn.execute(insert(scenario_tags).values(scenario_id=sid, tag=tag))
                    number = (
                        conn.scalar(
                            select(func.max(scenario_versions.c.number)).where(
                                scenario_versions.c.scenario_id == sid
                            )
                        )
                        or 0
                    ) + 1
                    info = VersionInfo(
                        short_id=new_short_id(),
                        number=number,
                        created_at=now,
                        created_by=who,
                        note=text,
                        monthly_cost_usd=prepared.monthly_cost_usd,
                        peak_cfu=prepared.peak_cfu,
                    )
                    conn.execute(
                        insert(scenario_versions).values(
                            scenario_id=sid,
                            number=number,
                            short_id=info.short_id,
                            created_at=now,
                            created_by=who,
                            note=text,
                            scenario_json=prepared.canonical_json,
                            sha256=prepared.sha256,
                            monthly_cost_usd=prepared.monthly_cost_usd,
                            peak_cfu=prepared.peak_cfu,
                            figures_json=figures_json,
                        )
                    )
                return info
            except IntegrityError as exc:  # a concurrent save took the number: try again
                last = exc
        raise LibraryError(
            f"could not save after {SAVE_ATTEMPTS} attempts while others saved the same "
            f"scenario; try again ({last.orig if last else ''})"
        )

    def _live_scenario(self, conn: Any, label: str, cust: str, *, lock: bool) -> int | None:
        query = select(scenarios.c.id).where(
            scenarios.c.name_key == label.casefold(),
            scenarios.c.customer_key == cust.casefold(),
            scenarios.c.deleted_at.is_(None),
        )
        if lock:
            query = query.with_for_update()
        found: int | None = conn.scalar(query)
        return found

    # --- reading ------------------------------------------------------------------------

    def list_scenarios(
        self,
        *,
        search: str | None = None,
        customer: str | None = None,
        tag: str | None = None,
        deleted: bool = False,
    ) -> list[ScenarioSummary]:
        """Saved scenarios, newest save first. `search` matches name or customer (any case);
        `customer` and `tag` match exactly (any case). `deleted`: the deleted ones instead."""
        counts = (
            select(
                scenario_versions.c.scenario_id.label("sid"),
                func.max(scenario_versions.c.number).label("latest"),
                func.count().label("n"),
            )
            .group_by(scenario_versions.c.scenario_id)
            .subquery()
        )
        query = (
            select(
                scenarios.c.id,
                scenarios.c.name,
                scenarios.c.customer,
                scenarios.c.deleted_at,
                counts.c.n,
                *_VERSION_COLUMNS,
            )
            .join(counts, counts.c.sid == scenarios.c.id)
            .join(
                scenario_versions,
                and_(
                    scenario_versions.c.scenario_id == scenarios.c.id,
                    scenario_versions.c.number == counts.c.latest,
                ),
            )
            .where(
                scenarios.c.deleted_at.is_not(None) if deleted else scenarios.c.deleted_at.is_(None)
            )
            .order_by(scenario_versions.c.created_at.desc(), scenarios.c.id.desc())
        )
        if search and search.strip():
            needle = search.strip().casefold()
            query = query.where(
                or_(
                    scenarios.c.name_key.contains(needle, autoescape=True),
                    scenarios.c.customer_key.contains(needle, autoescape=True),
                )
            )
        if customer is not None and customer.strip():
            query = query.where(scenarios.c.customer_key == checks.customer(customer).casefold())
        if tag is not None and tag.strip():
            wanted = checks.tags([tag])[0]
            query = query.where(
                scenarios.c.id.in_(
                    select(scenario_tags.c.scenario_id).where(scenario_tags.c.tag == wanted)
                )
            )
        with reporting(self.url), self.engine.connect() as conn:
            rows = conn.execute(query).all()
            tags = self._tags(conn, [r.id for r in rows])
        return [
            ScenarioSummary(
                name=r.name,
                customer=r.customer,
                tags=tags.get(r.id, ()),
                versions=r.n,
                latest=_version(r),
                deleted=r.deleted_at is not None,
            )
            for r in rows
        ]

    def recent_versions(self, limit: int = 100) -> list[tuple[str, str, VersionInfo]]:
        """(name, customer, version) of the newest versions of live scenarios, newest first."""
        query = (
            select(scenarios.c.name, scenarios.c.customer, *_VERSION_COLUMNS)
            .join(scenario_versions, scenario_versions.c.scenario_id == scenarios.c.id)
            .where(scenarios.c.deleted_at.is_(None))
            .order_by(scenario_versions.c.created_at.desc(), scenario_versions.c.id.desc())
            .limit(max(1, min(int(limit), 1000)))
        )
        with reporting(self.url), self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(r.name, r.customer, _version(r)) for r in rows]

    def _tags(self, conn: Any, ids: list[int]) -> dict[int, tuple[str, ...]]:
        out: dict[int, list[str]] = {}
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(scenario_tags.c.scenario_id, scenario_tags.c.tag)
                .where(scenario_tags.c.scenario_id.in_(ids[start : start + 500]))
                .order_by(scenario_tags.c.tag)
            )
            for sid, tag in rows:
                out.setdefault(sid, []).append(tag)
        return {k: tuple(v) for k, v in out.items()}

    def _scenario_of(self, conn: Any, short_id: str) -> Any:
        sid = checks.short_id(short_id)
        row = conn.execute(
            select(
                scenarios.c.id,
                scenarios.c.name,
                scenarios.c.customer,
                scenarios.c.deleted_at,
            )
            .join(scenario_versions, scenario_versions.c.scenario_id == scenarios.c.id)
            .where(scenario_versions.c.short_id == sid)
        ).first()
        if row is None:
            raise LibraryError(
                f"ID: no saved version has the id {sid!r} (`cfu-estimator library list` shows "
                "the ids)"
            )
        return row

    def get(self, short_id: str, *, include_deleted: bool = False) -> SavedVersion:
        """Open one version by its short id."""
        with reporting(self.url), self.engine.connect() as conn:
            owner = self._scenario_of(conn, short_id)
            if owner.deleted_at is not None and not include_deleted:
                raise LibraryError(
                    f"ID: {short_id.strip()!r} belongs to the deleted scenario {owner.name!r}; "
                    f"`cfu-estimator library restore {short_id.strip()}` brings it back"
                )
            row = conn.execute(
                select(
                    *_VERSION_COLUMNS,
                    scenario_versions.c.scenario_json,
                    scenario_versions.c.figures_json,
                ).where(scenario_versions.c.short_id == short_id.strip())
            ).one()
            latest = conn.scalar(
                select(func.max(scenario_versions.c.number)).where(
                    scenario_versions.c.scenario_id == owner.id
                )
            )
            tags = self._tags(conn, [owner.id]).get(owner.id, ())
        return SavedVersion(
            name=owner.name,
            customer=owner.customer,
            tags=tags,
            version=_version(row),
            latest_number=int(latest or row.number),
            scenario_json=row.scenario_json,
            figures=json.loads(row.figures_json),
        )

    def history(self, short_id: str) -> list[VersionInfo]:
        """Every version of the scenario this id belongs to, newest first."""
        with reporting(self.url), self.engine.connect() as conn:
            owner = self._scenario_of(conn, short_id)
            rows = conn.execute(
                select(*_VERSION_COLUMNS)
                .where(scenario_versions.c.scenario_id == owner.id)
                .order_by(scenario_versions.c.number.desc())
            ).all()
        return [_version(r) for r in rows]

    def diff(self, before_id: str, after_id: str) -> VersionDiff:
        """Inputs and figures that differ between two versions (of any scenarios)."""
        a = self.get(before_id, include_deleted=True)
        b = self.get(after_id, include_deleted=True)
        return VersionDiff(
            before_id=a.short_id,
            after_id=b.short_id,
            inputs=changes(a.data(), b.data()),
            figures=changes(a.figures, b.figures),
        )

    # --- deleting -----------------------------------------------------------------------

    def delete(self, short_id: str) -> str:
        """Soft-delete the scenario this id belongs to (all its versions). Returns its name."""
        with reporting(self.url), write_transaction(self.engine) as conn:
            owner = self._scenario_of(conn, short_id)
            if owner.deleted_at is None:
                conn.execute(
                    update(scenarios)
                    .where(scenarios.c.id == owner.id)
                    .values(deleted_at=datetime.now(UTC))
                )
        return str(owner.name)

    def restore(self, short_id: str) -> str:
        """Bring a deleted scenario back. Returns its name."""
        try:
            with reporting(self.url), write_transaction(self.engine) as conn:
                owner = self._scenario_of(conn, short_id)
                if owner.deleted_at is not None:
                    conn.execute(
                        update(scenarios).where(scenarios.c.id == owner.id).values(deleted_at=None)
                    )
        except IntegrityError:
            raise LibraryError(
                f"ID: cannot restore {short_id.strip()!r}: another scenario is now saved under "
                "the same name and customer; delete or rename that one first"
            ) from None
        return str(owner.name)
