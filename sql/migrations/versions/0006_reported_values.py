"""reported values: provider-reported figures beside measured ones

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 06:30:54.639200
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sql.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reported_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=64), nullable=False),
    sa.Column('params', sa.String(length=400), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=400), nullable=False),
    sa.Column('reported_by', sa.String(length=320), nullable=False),
    sa.Column('reported_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_reported_values_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reported_values')),
    sa.UniqueConstraint('provider_id', 'measure', 'params', 'month', name=op.f('uq_reported_values_provider_id'))
    )


def downgrade() -> None:
    op.drop_table('reported_values')
