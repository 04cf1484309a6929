"""drift signals api tokens comments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:42:32.539315
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sql.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('last_used_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('revoked_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_api_tokens_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=64), nullable=False),
    sa.Column('params', sa.String(length=400), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('author', sa.String(length=320), nullable=False),
    sa.Column('author_role', sa.String(length=16), nullable=False),
    sa.Column('at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_comments_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_provider_month', ['provider_id', 'month'], unique=False)

    op.create_table('drift_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=64), nullable=False),
    sa.Column('params', sa.String(length=400), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('rule', sa.String(length=16), nullable=False),
    sa.Column('chart', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('since', sa.String(length=7), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('center', sa.Float(), nullable=True),
    sa.Column('lcl', sa.Float(), nullable=True),
    sa.Column('ucl', sa.Float(), nullable=True),
    sa.Column('severity', sa.Float(), nullable=False),
    sa.Column('p_value', sa.Float(), nullable=True),
    sa.Column('sentence', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_drift_signals_provider_id_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['compute_runs.id'], name=op.f('fk_drift_signals_run_id_compute_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drift_signals'))
    )
    with op.batch_alter_table('drift_signals', schema=None) as batch_op:
        batch_op.create_index('ix_drift_signals_provider_month', ['provider_id', 'month'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('drift_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_drift_signals_provider_month')

    op.drop_table('drift_signals')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_provider_month')

    op.drop_table('comments')
    op.drop_table('api_tokens')
