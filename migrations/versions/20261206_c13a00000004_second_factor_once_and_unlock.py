"""A security code works once, and too many wrong codes lock the second factor until the owner
unlocks it from an emailed link.

`users.totp_last_step` keeps the time step of the last accepted code (a code at or before it
is refused); `users.wrong_codes` and `users.last_wrong_code_at` count wrong codes in a row and
set the wait before the next try; `users.two_factor_locked_at` marks the lock; account tokens
gain the purpose `two_factor_unlock` for the emailed link.

Revision ID: c13a00000004
Revises: c13a00000003
Create Date: 2026-12-06 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c13a00000004'
down_revision = 'c13a00000003'
branch_labels = None
depends_on = None

OLD_PURPOSES = "purpose IN ('invitation', 'password_reset')"
NEW_PURPOSES = "purpose IN ('invitation', 'password_reset', 'two_factor_unlock')"


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('wrong_codes', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_wrong_code_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('two_factor_locked_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_tokens_known_purpose'), type_='check')
        batch_op.create_check_constraint(op.f('ck_account_tokens_known_purpose'), NEW_PURPOSES)


def downgrade() -> None:
    op.execute("DELETE FROM account_tokens WHERE purpose = 'two_factor_unlock'")
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_tokens_known_purpose'), type_='check')
        batch_op.create_check_constraint(op.f('ck_account_tokens_known_purpose'), OLD_PURPOSES)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('two_factor_locked_at')
        batch_op.drop_column('last_wrong_code_at')
        batch_op.drop_column('wrong_codes')
        batch_op.drop_column('totp_last_step')
