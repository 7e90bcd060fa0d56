"""Education providers and their decisions, sign-off rounds, the LNA, educational supervisors.

- `education_providers`, and `provider_reviewers` (who reviews for which provider, for a
  period); the role `provider_reviewer` in `user_roles`; `enrolments.provider_id` (none: the
  portfolio route without a provider).
- `stage_signoff_rounds`: each supervisor sign-off of a stage, frozen. `stage_signoffs` stays
  one row per stage, its current state, with two more statuses: `supervisor_signed` (waiting
  for the approvals after the supervisor's) and `referred` (sent back: signed off again in a
  new round). Every completed sign-off so far becomes its stage's round 1.
- `provider_decisions`: an approval or referral bound to a round and its content hash (one
  foreign key on both), first review or the second review of a sample.
- `learning_needs_analyses` and `lna_credits`.
- Assignment kind `educational` (`supervisor_assignments.kind` widens to 20 characters), and
  `progress_reviews`.
Rounds and decisions are append-only, like signatures.

Downgrading drops all of it: provider reviewer roles and educational assignments are
deleted, and a stage waiting for approval or referred goes back to `candidate_signed`, so the
supervisor signs it off again (the older code knows no other approver).

Revision ID: c15a00000001
Revises: c13a00000004
Create Date: 2026-12-06 20:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c15a00000001'
down_revision = 'c13a00000004'
branch_labels = None
depends_on = None

APPEND_ONLY = ("stage_signoff_rounds", "provider_decisions")
CHECKS = {  # table, check: (before, after)
    ("user_roles", "known_role"): (
        "role IN ('candidate', 'supervisor', 'hub_lead', 'admin')",
        "role IN ('candidate', 'supervisor', 'hub_lead', 'admin', 'provider_reviewer')"),
    ("supervisor_assignments", "known_kind"): (
        "kind IN ('primary', 'backup')",
        "kind IN ('primary', 'backup', 'educational')"),
    ("stage_signoffs", "known_status"): (
        "status IN ('open', 'candidate_signed', 'complete')",
        "status IN ('open', 'candidate_signed', 'supervisor_signed', 'referred', 'complete')"),
}


def _checks(which: int) -> None:
    """Put each widened check back to its old (0) or new (1) condition."""
    for (table, name), conditions in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), conditions[which])


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


def _unguard(table: str) -> None:
    """Lift the guards `_guard` set."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def _kind_length(before: int, after: int) -> None:
    """`educational` is longer than the assignment kinds' column held."""
    with op.batch_alter_table('supervisor_assignments', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=before),
                              type_=sa.String(length=after), existing_nullable=False)


def upgrade() -> None:
    _kind_length(10, 20)
    _checks(1)
    op.create_table('education_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_education_providers')),
    sa.UniqueConstraint('name', name=op.f('uq_education_providers_name'))
    )
    op.create_table('provider_reviewers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_provider_reviewers_added_by_id_users')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_provider_reviewers_ended_by_id_users')),
    sa.ForeignKeyConstraint(['provider_id'], ['education_providers.id'], name=op.f('fk_provider_reviewers_provider_id_education_providers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_provider_reviewers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_reviewers'))
    )
    with op.batch_alter_table('provider_reviewers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_reviewers_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_provider_reviewers_user_ended', ['user_id', 'ended_at'], unique=False)

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_enrolments_provider_id'), ['provider_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_enrolments_provider_id_education_providers'), 'education_providers', ['provider_id'], ['id'])

    op.create_table('stage_signoff_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signoff_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('signed_content', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['signoff_id'], ['stage_signoffs.id'], name=op.f('fk_stage_signoff_rounds_signoff_id_stage_signoffs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_signoff_rounds')),
    sa.UniqueConstraint('id', 'content_hash', name=op.f('uq_stage_signoff_rounds_id_content_hash')),
    sa.UniqueConstraint('signoff_id', 'number', name=op.f('uq_stage_signoff_rounds_signoff_id_number'))
    )
    # What supervisors signed off so far is each stage's first round.
    op.execute("INSERT INTO stage_signoff_rounds (signoff_id, number, signed_content, "
               "content_hash, signed_at) SELECT id, 1, signed_content, content_hash, completed_at "
               "FROM stage_signoffs WHERE status = 'complete' AND signed_content IS NOT NULL "
               "AND content_hash IS NOT NULL AND completed_at IS NOT NULL")
    op.create_table('provider_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_name', sa.String(length=200), nullable=False),
    sa.Column('review', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('heading_reasons', sa.JSON(), nullable=True),
    sa.Column('sampled_for_audit', sa.Boolean(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("NOT sampled_for_audit OR (review = 'first' AND outcome = 'approved')", name=op.f('ck_provider_decisions_only_first_approvals_sampled')),
    sa.CheckConstraint("outcome != 'referred' OR (reason IS NOT NULL AND TRIM(reason) != '')", name=op.f('ck_provider_decisions_referral_has_reason')),
    sa.CheckConstraint("outcome IN ('approved', 'referred')", name=op.f('ck_provider_decisions_known_outcome')),
    sa.CheckConstraint("review IN ('first', 'second')", name=op.f('ck_provider_decisions_known_review')),
    sa.ForeignKeyConstraint(['provider_id'], ['education_providers.id'], name=op.f('fk_provider_decisions_provider_id_education_providers')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_provider_decisions_reviewer_id_users')),
    sa.ForeignKeyConstraint(['round_id', 'content_hash'], ['stage_signoff_rounds.id', 'stage_signoff_rounds.content_hash'], name=op.f('fk_provider_decisions_round_id_stage_signoff_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_decisions')),
    sa.UniqueConstraint('round_id', 'review', name=op.f('uq_provider_decisions_round_id_review'))
    )
    with op.batch_alter_table('provider_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_decisions_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_decisions_reviewer_id'), ['reviewer_id'], unique=False)
    for table in APPEND_ONLY:
        _guard(table)

    op.create_table('learning_needs_analyses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_capacity', sa.String(length=20), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('route', sa.String(length=20), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("confirmed_capacity != 'provider_reviewer' OR provider_id IS NOT NULL", name=op.f('ck_learning_needs_analyses_reviewer_names_provider')),
    sa.CheckConstraint("confirmed_capacity IN ('provider_reviewer', 'supervisor')", name=op.f('ck_learning_needs_analyses_known_capacity')),
    sa.CheckConstraint("route IN ('portfolio', 'taught')", name=op.f('ck_learning_needs_analyses_known_route')),
    sa.CheckConstraint("status != 'confirmed' OR (route IS NOT NULL AND confirmed_at IS NOT NULL AND confirmed_by_id IS NOT NULL AND confirmed_capacity IS NOT NULL)", name=op.f('ck_learning_needs_analyses_confirmed_has_outcome')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'confirmed')", name=op.f('ck_learning_needs_analyses_known_status')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_learning_needs_analyses_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_learning_needs_analyses_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['provider_id'], ['education_providers.id'], name=op.f('fk_learning_needs_analyses_provider_id_education_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_needs_analyses')),
    sa.UniqueConstraint('enrolment_id', name=op.f('uq_learning_needs_analyses_enrolment_id'))
    )
    op.create_table('lna_credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('analysis_id', sa.Integer(), nullable=False),
    sa.Column('check_code', sa.String(length=80), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('given_by_id', sa.Integer(), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(evidence_id IS NULL) != (attachment_id IS NULL)', name=op.f('ck_lna_credits_one_piece_of_evidence')),
    sa.ForeignKeyConstraint(['analysis_id'], ['learning_needs_analyses.id'], name=op.f('fk_lna_credits_analysis_id_learning_needs_analyses')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_lna_credits_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_lna_credits_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['given_by_id'], ['users.id'], name=op.f('fk_lna_credits_given_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lna_credits')),
    sa.UniqueConstraint('analysis_id', 'check_code', name=op.f('uq_lna_credits_analysis_id_check_code'))
    )
    with op.batch_alter_table('lna_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lna_credits_attachment_id'), ['attachment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lna_credits_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('progress_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('heading_progress', sa.JSON(), nullable=False),
    sa.Column('concerns', sa.Text(), nullable=True),
    sa.Column('agreed_actions', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('candidate_response', sa.Text(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(candidate_response IS NULL) = (responded_at IS NULL)', name=op.f('ck_progress_reviews_response_has_time')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_progress_reviews_enrolment_id_enrolments')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_progress_reviews_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_reviews'))
    )
    with op.batch_alter_table('progress_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_reviews_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_progress_reviews_reviewer_id'), ['reviewer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('progress_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_reviews_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_progress_reviews_enrolment_id'))
    op.drop_table('progress_reviews')
    with op.batch_alter_table('lna_credits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lna_credits_evidence_id'))
        batch_op.drop_index(batch_op.f('ix_lna_credits_attachment_id'))
    op.drop_table('lna_credits')
    op.drop_table('learning_needs_analyses')

    for table in APPEND_ONLY:
        _unguard(table)
    with op.batch_alter_table('provider_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_decisions_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_provider_decisions_provider_id'))
    op.drop_table('provider_decisions')
    op.drop_table('stage_signoff_rounds')

    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_enrolments_provider_id_education_providers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_enrolments_provider_id'))
        batch_op.drop_column('provider_id')
    with op.batch_alter_table('provider_reviewers', schema=None) as batch_op:
        batch_op.drop_index('ix_provider_reviewers_user_ended')
        batch_op.drop_index(batch_op.f('ix_provider_reviewers_provider_id'))
    op.drop_table('provider_reviewers')
    op.drop_table('education_providers')

    op.execute("DELETE FROM user_roles WHERE role = 'provider_reviewer'")
    op.execute("DELETE FROM supervisor_assignments WHERE kind = 'educational'")
    op.execute("UPDATE stage_signoffs SET status = 'candidate_signed' "
               "WHERE status IN ('supervisor_signed', 'referred')")
    _checks(0)
    _kind_length(20, 10)
