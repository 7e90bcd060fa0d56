"""Signatures and signed versions are append-only, like the audit log (rule D8).

What a supervisor signed never changes: the database itself now refuses to change or remove a
signature or a frozen evidence version, as it already did for audit events. `roadmap audit
verify` still catches an edit made by someone who lifts the guards first.

Revision ID: 4d7e2a91c3b5
Revises: 8f3b2c1d9e70
Create Date: 2026-12-06 06:25:00
"""
from alembic import op


revision = '4d7e2a91c3b5'
down_revision = '8f3b2c1d9e70'
branch_labels = None
depends_on = None

TABLES = ("signatures", "evidence_versions")

_PG_FUNCTION = """
CREATE FUNCTION signed_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION signed_records_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION signed_records_append_only()")
        return
    for table in TABLES:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
        op.execute("DROP FUNCTION IF EXISTS signed_records_append_only()")
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
