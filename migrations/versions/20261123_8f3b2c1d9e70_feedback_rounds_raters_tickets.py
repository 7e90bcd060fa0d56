"""Feedback: MSF and PSQ rounds, raters with single-use links, link limits, assessment tickets.

Revision ID: 8f3b2c1d9e70
Revises: 1637fcc5f7a4
Create Date: 2026-11-23 15:30:52.402496
"""
from alembic import op
import sqlalchemy as sa


revision = '8f3b2c1d9e70'
down_revision = '1637fcc5f7a4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_link_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_link_hits'))
    )
    with op.batch_alter_table('feedback_link_hits', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_link_hits_key_at', ['key', 'at'], unique=False)

    op.create_table('assessment_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('invited_name', sa.String(length=200), nullable=False),
    sa.Column('invited_email', sa.String(length=320), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assessor_name', sa.String(length=200), nullable=True),
    sa.Column('assessor_role', sa.String(length=200), nullable=True),
    sa.Column('assessor_registration', sa.String(length=100), nullable=True),
    sa.Column('assessor_email', sa.String(length=320), nullable=True),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assessment_tickets_created_by_id_users')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_assessment_tickets_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'], name=op.f('fk_assessment_tickets_signature_id_signatures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_tickets')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_assessment_tickets_token_hash'))
    )
    with op.batch_alter_table('assessment_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_tickets_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('feedback_raters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('rater_group', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sends', sa.Integer(), nullable=False),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('responded', sa.Boolean(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("rater_group IN ('clinical', 'non_clinical')", name=op.f('ck_feedback_raters_known_group')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_feedback_raters_added_by_id_users')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_feedback_raters_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_raters')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feedback_raters_token_hash'))
    )
    with op.batch_alter_table('feedback_raters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_raters_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('feedback_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('self_assessment', sa.JSON(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('link_nonce', sa.String(length=64), nullable=True),
    sa.Column('link_hash', sa.String(length=64), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('msf', 'psq')", name=op.f('ck_feedback_rounds_known_kind')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_feedback_rounds_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_feedback_rounds_opened_by_id_users')),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_feedback_rounds_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_rounds')),
    sa.UniqueConstraint('evidence_id', name=op.f('uq_feedback_rounds_evidence_id')),
    sa.UniqueConstraint('link_hash', name=op.f('uq_feedback_rounds_link_hash'))
    )


def downgrade() -> None:
    op.drop_table('feedback_rounds')
    with op.batch_alter_table('feedback_raters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_raters_evidence_id'))

    op.drop_table('feedback_raters')
    with op.batch_alter_table('assessment_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_tickets_evidence_id'))

    op.drop_table('assessment_tickets')
    with op.batch_alter_table('feedback_link_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_link_hits_key_at')

    op.drop_table('feedback_link_hits')
