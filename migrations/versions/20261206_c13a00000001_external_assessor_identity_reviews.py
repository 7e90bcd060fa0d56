"""External assessors: who they said they are, kept on the signature; supervisors' reviews.

An external assessor's role, professional regulator, registration number and the declaration
they confirmed are stored on their (append-only) signature. A supervisor's acceptance or
dispute of such a signature is a new append-only row, never an edit of the signature.

Revision ID: c13a00000001
Revises: 4d7e2a91c3b5
Create Date: 2026-12-06 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c13a00000001'
down_revision = '4d7e2a91c3b5'
branch_labels = None
depends_on = None

REVIEWS = "external_signature_reviews"


def _guard(table: str) -> None:
    """Refuse UPDATE and DELETE on a table, as the signatures and the audit log do."""
    if op.get_bind().dialect.name == "postgresql":
        # signed_records_append_only() was created with the signatures' guards (4d7e2a91c3b5).
        op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION signed_records_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION signed_records_append_only()")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END")


def upgrade() -> None:
    # Adding columns only: SQLite alters the table in place, so its guards stay.
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_role', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('registration_body', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('registration_number', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('declaration', sa.Text(), nullable=True))

    op.create_table(REVIEWS,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_name', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.String(length=40), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('accepted', 'disputed')", name=op.f('ck_external_signature_reviews_known_outcome')),
    sa.CheckConstraint("outcome != 'disputed' OR reason IS NOT NULL", name=op.f('ck_external_signature_reviews_dispute_has_reason')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_external_signature_reviews_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_external_signature_reviews_reviewer_id_users')),
    sa.ForeignKeyConstraint(['signature_id'], ['signatures.id'], name=op.f('fk_external_signature_reviews_signature_id_signatures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_signature_reviews')),
    sa.UniqueConstraint('signature_id', 'outcome', name=op.f('uq_external_signature_reviews_signature_id_outcome'))
    )
    with op.batch_alter_table(REVIEWS, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_signature_reviews_evidence_id'), ['evidence_id'], unique=False)
    _guard(REVIEWS)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(f"DROP TRIGGER IF EXISTS {REVIEWS}_no_truncate ON {REVIEWS}")
        op.execute(f"DROP TRIGGER IF EXISTS {REVIEWS}_no_update ON {REVIEWS}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {REVIEWS}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {REVIEWS}_no_delete")
    with op.batch_alter_table(REVIEWS, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_signature_reviews_evidence_id'))
    op.drop_table(REVIEWS)
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_column('declaration')
        batch_op.drop_column('registration_number')
        batch_op.drop_column('registration_body')
        batch_op.drop_column('signer_role')
    if not postgres:
        # SQLite rebuilt the table to drop the columns, and its guards went with the old one.
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS signatures_no_{verb}")
        _guard("signatures")
