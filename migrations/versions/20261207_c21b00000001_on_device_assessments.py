"""An assessment ticket can be an assessment signed on the candidate's own device.

The assessor completes and signs the WPBA on the candidate's phone; it counts only once they
confirm it through a link emailed to their work address. Such a ticket is born with the
assessor's answers kept in `draft` and its link is a confirmation link:
- `on_device`: true for these, false (the default) for the emailed tickets of before;
- `client_key`: the device's idempotency key, unique per item, so a queued offline assessment
  synced twice makes one pending signature;
- `withdrawn_at`: the candidate withdrew it before it was confirmed;
- `expiry_recorded_at`: when its expiry was written to the audit trail (once);
- `sends`: the confirmation email and its re-sends, for the limit.

Downgrading drops the columns; pending on-device assessments become plain unused tickets
whose links no longer confirm anything. Nothing signed is touched.

Revision ID: c21b00000001
Revises: c20a00000001
Create Date: 2026-12-07 05:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c21b00000001'
down_revision = 'c20a00000001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_device', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('expiry_recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sends', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.create_unique_constraint('uq_assessment_tickets_evidence_id_client_key',
                                          ['evidence_id', 'client_key'])


def downgrade() -> None:
    with op.batch_alter_table('assessment_tickets', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessment_tickets_evidence_id_client_key', type_='unique')
        batch_op.drop_column('sends')
        batch_op.drop_column('expiry_recorded_at')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('client_key')
        batch_op.drop_column('on_device')
