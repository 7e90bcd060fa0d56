"""A learning needs analysis names the portfolio item that keeps its uploaded files.

The candidate's certificates and transcripts are attachments like any other (checked by
content, kept by SHA-256); an attachment belongs to an evidence item, so the analysis keeps
them on one item of the type its framework names, and remembers which. Nullable: an analysis
with no file yet has none. Downgrading drops the column; the item and its files stay in the
portfolio.

Revision ID: c15a00000003
Revises: c15a00000001
Create Date: 2026-12-07 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c15a00000003'
down_revision = 'c15a00000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('learning_needs_analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files_evidence_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_learning_needs_analyses_files_evidence_id_evidence'),
                                    'evidence', ['files_evidence_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('learning_needs_analyses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_learning_needs_analyses_files_evidence_id_evidence'),
                                 type_='foreignkey')
        batch_op.drop_column('files_evidence_id')
