"""The scenario library: scenarios, their tags, their immutable versions.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("customer", sa.String(200), nullable=False),
        sa.Column("customer_key", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
    )
    op.create_index(
        "uq_scenarios_live_name",
        "scenarios",
        ["customer_key", "name_key"],
        unique=True,
        sqlite_where=sa.text("deleted_at IS NULL"),
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "scenario_tags",
        sa.Column("scenario_id", sa.Integer, nullable=False),
        sa.Column("tag", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", "tag", name="pk_scenario_tags"),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.id"],
            name="fk_scenario_tags_scenario_id_scenarios",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_scenario_tags_tag", "scenario_tags", ["tag"])
    op.create_table(
        "scenario_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("short_id", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("note", sa.String(2000), nullable=False),
        sa.Column("scenario_json", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("monthly_cost_usd", sa.Numeric(20, 6), nullable=False),
        sa.Column("peak_cfu", sa.Integer, nullable=False),
        sa.Column("figures_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scenario_versions"),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.id"],
            name="fk_scenario_versions_scenario_id_scenarios",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("short_id", name="uq_scenario_versions_short_id"),
        sa.UniqueConstraint("scenario_id", "number", name="uq_scenario_versions_number"),
    )


def downgrade() -> None:
    op.drop_table("scenario_versions")
    op.drop_index("ix_scenario_tags_tag", table_name="scenario_tags")
    op.drop_table("scenario_tags")
    op.drop_index("uq_scenarios_live_name", table_name="scenarios")
    op.drop_table("scenarios")
