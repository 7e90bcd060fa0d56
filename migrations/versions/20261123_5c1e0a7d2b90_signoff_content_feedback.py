"""Stage sign-offs keep what was signed; anonymous feedback responses (MSF, PSQ).

Revision ID: 5c1e0a7d2b90
Revises: 3a524e91bce6
Create Date: 2026-11-23 15:14:42.735798
"""
from alembic import op
import sqlalchemy as sa


revision = '5c1e0a7d2b90'
down_revision = '3a524e91bce6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('respondent_group', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.CheckConstraint("respondent_group IN ('clinical', 'non_clinical', 'patient')", name=op.f('ck_feedback_responses_known_group')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_feedback_responses_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_responses'))
    )
    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_responses_evidence_id'), ['evidence_id'], unique=False)

    with op.batch_alter_table('stage_signoffs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_content', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('candidate_signed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('stage_signoffs', schema=None) as batch_op:
        batch_op.drop_column('candidate_signed_at')
        batch_op.drop_column('signed_content')

    with op.batch_alter_table('feedback_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_responses_evidence_id'))

    op.drop_table('feedback_responses')
