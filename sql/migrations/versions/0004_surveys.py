"""surveys: questionnaires, settings, invitations, links, responses, answers, throttle

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:47:47.531405
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sql.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_questionnaires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('loaded_by', sa.String(length=320), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questionnaires')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_survey_questionnaires_key'))
    )
    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.String(length=200), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('requester_key', sa.String(length=64), nullable=True),
    sa.Column('priority', sa.String(length=8), nullable=True),
    sa.Column('category', sa.String(length=200), nullable=True),
    sa.Column('resolved_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('ticket_reopens', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('created_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('send_after', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('expires_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('sent_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('sent_month', sa.String(length=7), nullable=True),
    sa.Column('reminded_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('answered_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('closed_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('send_attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_survey_invitations_provider_id_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['survey_questionnaires.id'], name=op.f('fk_survey_invitations_questionnaire_id_survey_questionnaires')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('provider_id', 'ticket_id', 'cycle', name=op.f('uq_survey_invitations_provider_id'))
    )
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_survey_invitations_provider_status', ['provider_id', 'status'], unique=False)
        batch_op.create_index('ix_survey_invitations_requester', ['provider_id', 'requester_key'], unique=False)

    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('measure', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['survey_questionnaires.id'], name=op.f('fk_survey_questions_questionnaire_id_survey_questionnaires'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions')),
    sa.UniqueConstraint('questionnaire_id', 'key', name=op.f('uq_survey_questions_questionnaire_id'))
    )
    op.create_table('survey_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire', sa.String(length=64), nullable=False),
    sa.Column('auto_invite', sa.Boolean(), nullable=False),
    sa.Column('delay_hours', sa.Float(), nullable=False),
    sa.Column('sample_rate', sa.Float(), nullable=False),
    sa.Column('fatigue_days', sa.Integer(), nullable=False),
    sa.Column('expiry_days', sa.Integer(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('max_age_days', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('exclude_categories', sa.Text(), nullable=False),
    sa.Column('staff_groups', sa.Text(), nullable=False),
    sa.Column('updated_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_survey_settings_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_settings')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_survey_settings_provider_id'))
    )
    op.create_table('survey_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('issued_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], name=op.f('fk_survey_links_invitation_id_survey_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_links_token_hash'))
    )
    with op.batch_alter_table('survey_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_links_invitation_id'), ['invitation_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('submitted_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=True),
    sa.Column('category', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], name=op.f('fk_survey_responses_invitation_id_survey_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_survey_responses_provider_id_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['survey_questionnaires.id'], name=op.f('fk_survey_responses_questionnaire_id_survey_questionnaires')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_responses_invitation_id'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index('ix_survey_responses_provider_month', ['provider_id', 'month'], unique=False)

    op.create_table('survey_throttle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], name=op.f('fk_survey_throttle_invitation_id_survey_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_throttle'))
    )
    with op.batch_alter_table('survey_throttle', schema=None) as batch_op:
        batch_op.create_index('ix_survey_throttle_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_survey_throttle_invitation_at', ['invitation_id', 'at'], unique=False)

    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('response_id', 'question', name=op.f('uq_survey_answers_response_id'))
    )


def downgrade() -> None:
    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_throttle', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_throttle_invitation_at')
        batch_op.drop_index('ix_survey_throttle_address_at')

    op.drop_table('survey_throttle')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_provider_month')

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_links_invitation_id'))

    op.drop_table('survey_links')
    op.drop_table('survey_settings')
    op.drop_table('survey_questions')
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_invitations_requester')
        batch_op.drop_index('ix_survey_invitations_provider_status')

    op.drop_table('survey_invitations')
    op.drop_table('survey_questionnaires')
