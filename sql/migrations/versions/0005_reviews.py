"""reviews: reviews, areas, documents, recommendations, actions, settings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:24:05.699900
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sql.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('provider_may_read', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_review_settings_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_settings')),
    sa.UniqueConstraint('provider_id', name=op.f('uq_review_settings_provider_id'))
    )
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('amends_id', sa.Integer(), nullable=True),
    sa.Column('amendment_reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rubric_key', sa.String(length=64), nullable=False),
    sa.Column('rubric_version', sa.Integer(), nullable=False),
    sa.Column('rubric_source', sa.Text(), nullable=False),
    sa.Column('rubric_sha256', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.Column('updated_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=320), nullable=False),
    sa.Column('submitted_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=320), nullable=True),
    sa.Column('signed_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('signed_by', sa.String(length=320), nullable=True),
    sa.Column('declaration', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['amends_id'], ['reviews.id'], name=op.f('fk_reviews_amends_id_reviews'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_reviews_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('provider_id', 'year', 'version', name=op.f('uq_reviews_provider_id'))
    )
    op.create_table('review_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('area_key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sql.types.CalendarDate(), nullable=False),
    sa.Column('created_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('closed_on', sql.types.CalendarDate(), nullable=True),
    sa.Column('closed_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=320), nullable=True),
    sa.Column('withdrawn_at', sql.types.UTCTimestamp(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_review_actions_provider_id_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_actions_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_actions'))
    )
    with op.batch_alter_table('review_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_actions_provider_id'), ['provider_id'], unique=False)

    op.create_table('review_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('area_key', sa.String(length=64), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('not_assessed', sa.Boolean(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_areas_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_areas')),
    sa.UniqueConstraint('review_id', 'area_key', name=op.f('uq_review_areas_review_id'))
    )
    op.create_table('review_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('area_key', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('expires_on', sql.types.CalendarDate(), nullable=True),
    sa.Column('uploaded_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_documents_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_documents'))
    )
    with op.batch_alter_table('review_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_documents_review_id'), ['review_id'], unique=False)

    op.create_table('review_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('area_key', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('due_on', sql.types.CalendarDate(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sql.types.UTCTimestamp(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['review_actions.id'], name=op.f('fk_review_recommendations_action_id_review_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_recommendations_review_id_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_recommendations'))
    )
    with op.batch_alter_table('review_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_recommendations_review_id'), ['review_id'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table('review_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_recommendations_review_id'))

    op.drop_table('review_recommendations')
    with op.batch_alter_table('review_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_documents_review_id'))

    op.drop_table('review_documents')
    op.drop_table('review_areas')
    with op.batch_alter_table('review_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_actions_provider_id'))

    op.drop_table('review_actions')
    op.drop_table('reviews')
    op.drop_table('review_settings')
    # ### end Alembic commands ###
