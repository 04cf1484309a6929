"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 03:21:58.466429
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sql.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=400), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_at'), ['at'], unique=False)

    op.create_table('providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('settings', sa.Text(), server_default='{}', nullable=False),
    sa.Column('created_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    sa.UniqueConstraint('name', name=op.f('uq_providers_name'))
    )
    op.create_table('steerco_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_steerco_meta'))
    )
    op.create_table('capacity_samples',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('resource', sa.Text(), nullable=False),
    sa.Column('at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('used', sa.Float(), nullable=False),
    sa.Column('capacity', sa.Float(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_capacity_samples_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_samples')),
    sa.UniqueConstraint('provider_id', 'resource', 'at', name='uq_capacity_samples_source_key')
    )
    op.create_table('checks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('check_type', sa.Text(), nullable=False),
    sa.Column('subject', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_checks_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checks')),
    sa.UniqueConstraint('provider_id', 'check_type', 'subject', 'at', name='uq_checks_source_key')
    )
    op.create_table('compute_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('finished_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('code_version', sa.String(length=64), nullable=False),
    sa.Column('facts_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('months', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_compute_runs_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compute_runs'))
    )
    op.create_table('outages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('started_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('ended_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('planned', sa.Boolean(), nullable=False),
    sa.Column('impact', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_outages_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outages')),
    sa.UniqueConstraint('provider_id', 'service', 'started_at', name='uq_outages_source_key')
    )
    op.create_table('probes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('up', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_probes_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_probes')),
    sa.UniqueConstraint('provider_id', 'service', 'at', name='uq_probes_source_key')
    )
    op.create_table('project_snapshots',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('project', sa.Text(), nullable=False),
    sa.Column('as_of', sql.types.CalendarDate(), nullable=False),
    sa.Column('baseline_end', sql.types.CalendarDate(), nullable=False),
    sa.Column('forecast_end', sql.types.CalendarDate(), nullable=True),
    sa.Column('pct_complete', sa.Float(), nullable=True),
    sa.Column('baseline_cost', sa.Float(), nullable=True),
    sa.Column('forecast_cost', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_project_snapshots_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_snapshots')),
    sa.UniqueConstraint('provider_id', 'project', 'as_of', name='uq_project_snapshots_source_key')
    )
    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_resources_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources')),
    sa.UniqueConstraint('provider_id', 'name', name=op.f('uq_resources_provider_id'))
    )
    op.create_table('scorecard_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('effective_month', sa.String(length=7), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('loaded_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_scorecard_versions_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_versions')),
    sa.UniqueConstraint('provider_id', 'effective_month', name=op.f('uq_scorecard_versions_provider_id'))
    )
    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_services_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services')),
    sa.UniqueConstraint('provider_id', 'name', name=op.f('uq_services_provider_id'))
    )
    op.create_table('spend',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Text(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('budget', sa.Float(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('currency', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_spend_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend')),
    sa.UniqueConstraint('provider_id', 'month', name='uq_spend_source_key')
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('opened_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('first_response_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('resolved_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('closed_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('priority', sa.Text(), nullable=False),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('channel', sa.Text(), nullable=True),
    sa.Column('requester', sa.Text(), nullable=True),
    sa.Column('requester_group', sa.Text(), nullable=True),
    sa.Column('assignee_group', sa.Text(), nullable=True),
    sa.Column('reassignment_count', sa.Integer(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=True),
    sa.Column('hours_spent', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_tickets_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('provider_id', 'ticket_id', name='uq_tickets_source_key')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_provider_opened', ['provider_id', 'opened_at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_users_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('measure_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=64), nullable=False),
    sa.Column('params', sa.String(length=400), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('numerator', sa.Float(), nullable=True),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('scorecard_version_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_measure_results_provider_id_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['compute_runs.id'], name=op.f('fk_measure_results_run_id_compute_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scorecard_version_id'], ['scorecard_versions.id'], name=op.f('fk_measure_results_scorecard_version_id_scorecard_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_results')),
    sa.UniqueConstraint('provider_id', 'measure', 'params', 'month', name=op.f('uq_measure_results_provider_id'))
    )


def downgrade() -> None:
    op.drop_table('measure_results')
    op.drop_table('users')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_provider_opened')

    op.drop_table('tickets')
    op.drop_table('spend')
    op.drop_table('services')
    op.drop_table('scorecard_versions')
    op.drop_table('resources')
    op.drop_table('project_snapshots')
    op.drop_table('probes')
    op.drop_table('outages')
    op.drop_table('compute_runs')
    op.drop_table('checks')
    op.drop_table('capacity_samples')
    op.drop_table('steerco_meta')
    op.drop_table('providers')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_at'))

    op.drop_table('login_attempts')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
