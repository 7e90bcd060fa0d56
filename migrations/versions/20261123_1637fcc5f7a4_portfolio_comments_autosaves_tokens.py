"""Portfolio: return comments on evidence, autosaved drafts, one-time form tokens.

Revision ID: 1637fcc5f7a4
Revises: 5c1e0a7d2b90
Create Date: 2026-11-23 15:14:44.847815
"""
from alembic import op
import sqlalchemy as sa


revision = '1637fcc5f7a4'
down_revision = '5c1e0a7d2b90'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('draft_autosaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_draft_autosaves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_autosaves')),
    sa.UniqueConstraint('user_id', 'path', name=op.f('uq_draft_autosaves_user_id_path'))
    )
    op.create_table('evidence_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('return', 'note')", name=op.f('ck_evidence_comments_known_kind')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_evidence_comments_author_id_users')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_comments_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_comments'))
    )
    with op.batch_alter_table('evidence_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_comments_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('form_submissions',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_form_submissions_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_form_submissions'))
    )


def downgrade() -> None:
    op.drop_table('form_submissions')
    with op.batch_alter_table('evidence_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_comments_evidence_id'))

    op.drop_table('evidence_comments')
    op.drop_table('draft_autosaves')
