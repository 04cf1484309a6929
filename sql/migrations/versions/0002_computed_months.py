"""computed months

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:38:47.420718
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sql.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('computed_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('facts_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('scorecard_version_id', sa.Integer(), nullable=True),
    sa.Column('code_version', sa.String(length=64), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_computed_months_provider_id_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['compute_runs.id'], name=op.f('fk_computed_months_run_id_compute_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scorecard_version_id'], ['scorecard_versions.id'], name=op.f('fk_computed_months_scorecard_version_id_scorecard_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_computed_months')),
    sa.UniqueConstraint('provider_id', 'month', name=op.f('uq_computed_months_provider_id'))
    )


def downgrade() -> None:
    op.drop_table('computed_months')
