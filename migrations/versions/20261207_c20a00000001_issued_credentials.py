"""Open Badges 3.0 credentials: those issued for completed stages, and the keys that signed them.

- `credential_signing_keys`: the public half (a JWK: kty, crv, x) of every key that signed a
  credential, by its RFC 7638 thumbprint, so a rotated key stays published. Never a private key.
- `issued_credentials`: one per completed stage sign-off: the signed credential (a compact
  JWS), its random public id, its entry in the revocation status list (unique), and when,
  why and by whom it was revoked.

Downgrading drops both: the credentials already given out can then no longer be checked
against this service, so downgrade only a database that never issued one.

Revision ID: c20a00000001
Revises: c15a00000003
Create Date: 2026-12-06 23:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c20a00000001'
down_revision = 'c19a00000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credential_signing_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thumbprint', sa.String(length=64), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_signing_keys')),
    sa.UniqueConstraint('thumbprint', name=op.f('uq_credential_signing_keys_thumbprint'))
    )
    op.create_table('issued_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('signoff_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('stage_code', sa.String(length=20), nullable=False),
    sa.Column('status_list', sa.Integer(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('key_thumbprint', sa.String(length=64), nullable=False),
    sa.Column('jws', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['users.id'], name=op.f('fk_issued_credentials_candidate_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_issued_credentials_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_issued_credentials_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['signoff_id'], ['stage_signoffs.id'], name=op.f('fk_issued_credentials_signoff_id_stage_signoffs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_credentials')),
    sa.UniqueConstraint('public_id', name=op.f('uq_issued_credentials_public_id')),
    sa.UniqueConstraint('signoff_id', name=op.f('uq_issued_credentials_signoff_id')),
    sa.UniqueConstraint('status_list', 'status_index', name=op.f('uq_issued_credentials_status_entry'))
    )
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_credentials_enrolment_id'), ['enrolment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issued_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_credentials_enrolment_id'))
    op.drop_table('issued_credentials')
    op.drop_table('credential_signing_keys')
