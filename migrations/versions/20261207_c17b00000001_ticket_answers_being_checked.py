"""An assessment ticket keeps the external assessor's answers while they check them.

The assessor completes the form, then reads it back on a check-your-answers page before
signing; they have no account, so what they typed is kept on their ticket (not in a cookie,
which cannot hold a long assessment) until they sign, when it is cleared. Nullable: a ticket
whose assessor has not reached the check page has none. Downgrading drops the column; any
answers waiting there are lost, nothing signed is touched.

Revision ID: c17b00000001
Revises: c15a00000003
Create Date: 2026-12-07 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c17b00000001'
down_revision = 'c15a00000003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment_tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment_tickets', schema=None) as batch_op:
        batch_op.drop_column('draft')
