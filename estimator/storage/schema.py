"""The library's tables (SQLAlchemy Core). Migrations in migrations/versions/ create them;
a test checks that the two agree.

scenarios         one row per saved scenario: name, customer, soft-delete time
scenario_tags     its tags (searchable)
scenario_versions every save: an immutable version with a short id, who, when, a note, the
                  scenario's canonical JSON and the figures the list shows
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

NAME_CHARS = 200
TAG_CHARS = 50
NOTE_CHARS = 2000
WHO_CHARS = 100
SHORT_ID_CHARS = 12

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(NAME_CHARS), nullable=False),
    Column("name_key", String(NAME_CHARS), nullable=False),
    Column("customer", String(NAME_CHARS), nullable=False),
    Column("customer_key", String(NAME_CHARS), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
)

# One live scenario per (customer, name): saving under them again adds a version.
Index(
    "uq_scenarios_live_name",
    scenarios.c.customer_key,
    scenarios.c.name_key,
    unique=True,
    sqlite_where=scenarios.c.deleted_at.is_(None),
    postgresql_where=scenarios.c.deleted_at.is_(None),
)

scenario_tags = Table(
    "scenario_tags",
    metadata,
    Column(
        "scenario_id",
        Integer,
        ForeignKey("scenarios.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag", String(TAG_CHARS), primary_key=True),
)
Index("ix_scenario_tags_tag", scenario_tags.c.tag)

scenario_versions = Table(
    "scenario_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "scenario_id",
        Integer,
        ForeignKey("scenarios.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", Integer, nullable=False),
    Column("short_id", String(SHORT_ID_CHARS), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(WHO_CHARS), nullable=False),
    Column("note", String(NOTE_CHARS), nullable=False),
    Column("scenario_json", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("monthly_cost_usd", Numeric(20, 6), nullable=False),
    Column("peak_cfu", Integer, nullable=False),
    Column("figures_json", Text, nullable=False),
    UniqueConstraint("scenario_id", "number", name="uq_scenario_versions_number"),
)
