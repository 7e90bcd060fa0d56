"""Assignments end at a moment, with who assigned and ended them; who opened what.

`supervisor_assignments.ends_on` (a last day, so a supervisor replaced in the morning read on
until midnight) becomes `ended_at`, the moment access ends: existing rows end at the end of
their last day in England, as before. `assigned_by_id` and `ended_by_id` are filled from the
audit log. `content_access_events` records each opening of portfolio content by someone
other than the candidate.

Revision ID: c13a00000003
Revises: c13a00000002
Create Date: 2026-12-06 17:00:00
"""
import datetime as dt
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = 'c13a00000003'
down_revision = 'c13a00000002'
branch_labels = None
depends_on = None

LONDON = ZoneInfo("Europe/London")
_assignments = sa.table(
    "supervisor_assignments", sa.column("id", sa.Integer), sa.column("starts_on", sa.Date),
    sa.column("ends_on", sa.Date), sa.column("ended_at", sa.DateTime(timezone=True)))


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after a day in England, in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LONDON).astimezone(dt.timezone.utc)


def _last_day(moment: dt.datetime, starts_on: dt.date) -> dt.date:
    """The last day in England an assignment ending at the moment covered."""
    if moment.tzinfo is None:  # SQLite gives back the UTC wall time
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return max(starts_on, (moment - dt.timedelta(microseconds=1)).astimezone(LONDON).date())


def _actor_from_audit(column: str, action: str) -> None:
    op.execute(
        f"UPDATE supervisor_assignments SET {column} = (SELECT a.actor_id FROM audit_events a "
        f"WHERE a.action = '{action}' AND a.subject_type = 'assignment' "
        "AND a.subject_id = supervisor_assignments.id ORDER BY a.id LIMIT 1)")


def upgrade() -> None:
    op.create_table('content_access_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.String(length=30), nullable=False),
    sa.Column('what', sa.String(length=20), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("what IN ('item', 'attachment', 'heading', 'export')", name=op.f('ck_content_access_events_known_what')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_content_access_events_attachment_id_attachments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_content_access_events_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_content_access_events_evidence_id_evidence'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_content_access_events_reader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_access_events'))
    )
    with op.batch_alter_table('content_access_events', schema=None) as batch_op:
        batch_op.create_index('ix_content_access_events_enrolment_opened', ['enrolment_id', 'opened_at'], unique=False)

    with op.batch_alter_table('supervisor_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('assigned_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_by_id', sa.Integer(), nullable=True))
    bind = op.get_bind()
    for row_id, ends_on in bind.execute(sa.select(_assignments.c.id, _assignments.c.ends_on)
                                        .where(_assignments.c.ends_on.is_not(None))).all():
        bind.execute(_assignments.update().where(_assignments.c.id == row_id)
                     .values(ended_at=_end_of(ends_on)))
    _actor_from_audit("assigned_by_id", "assignment.created")
    _actor_from_audit("ended_by_id", "assignment.ended")
    with op.batch_alter_table('supervisor_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_supervisor_assignments_supervisor_ends')
        batch_op.drop_constraint(batch_op.f('ck_supervisor_assignments_ends_after_start'), type_='check')
        batch_op.drop_column('ends_on')
        batch_op.create_foreign_key(batch_op.f('fk_supervisor_assignments_assigned_by_id_users'), 'users', ['assigned_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_supervisor_assignments_ended_by_id_users'), 'users', ['ended_by_id'], ['id'])
        batch_op.create_index('ix_supervisor_assignments_supervisor_ended', ['supervisor_id', 'ended_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('supervisor_assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
    bind = op.get_bind()
    for row_id, starts_on, ended_at in bind.execute(
            sa.select(_assignments.c.id, _assignments.c.starts_on, _assignments.c.ended_at)
            .where(_assignments.c.ended_at.is_not(None))).all():
        bind.execute(_assignments.update().where(_assignments.c.id == row_id)
                     .values(ends_on=_last_day(ended_at, starts_on)))
    with op.batch_alter_table('supervisor_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_supervisor_assignments_supervisor_ended')
        batch_op.drop_constraint(batch_op.f('fk_supervisor_assignments_ended_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_supervisor_assignments_assigned_by_id_users'), type_='foreignkey')
        batch_op.drop_column('ended_by_id')
        batch_op.drop_column('assigned_by_id')
        batch_op.drop_column('ended_at')
        batch_op.create_check_constraint('ends_after_start', 'ends_on IS NULL OR ends_on >= starts_on')
        batch_op.create_index('ix_supervisor_assignments_supervisor_ends', ['supervisor_id', 'ends_on'], unique=False)

    with op.batch_alter_table('content_access_events', schema=None) as batch_op:
        batch_op.drop_index('ix_content_access_events_enrolment_opened')

    op.drop_table('content_access_events')
