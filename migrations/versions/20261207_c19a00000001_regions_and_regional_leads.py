"""Regions of training hubs, and their regional leads.

- `regions`: a name and the region's own annual Stage 2 sign-off target.
- `training_hubs.region_id` replaces the free-text `training_hubs.region`: each different text
  a hub held becomes a region of that name (created when its first hub was), and the hub
  belongs to it. Hubs with no text belong to no region.
- `region_leads`: who leads which region, for a period (history kept, like provider reviewers),
  and the role `regional_lead` in `user_roles`.
- Indexes for the region page, which reads only the items changed, done or waiting lately
  (by `evidence.updated_at`, `occurred_on`, `status` and `submitted_at`) and the stages waiting
  on someone (`stage_signoffs.status`), from the index alone.

Downgrading puts each hub's region's name back in `training_hubs.region`, drops the regions
and their leads, and deletes the `regional_lead` roles (the older code knows no such role).

Revision ID: c19a00000001
Revises: c15a00000003
Create Date: 2026-12-07 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c19a00000001'
down_revision = 'c17b00000001'
branch_labels = None
depends_on = None

INDEXES = (
    ('evidence', 'ix_evidence_updated_at', ['updated_at', 'enrolment_id']),
    ('evidence', 'ix_evidence_occurred_on', ['occurred_on', 'status', 'evidence_type_id', 'enrolment_id']),
    ('evidence', 'ix_evidence_status_submitted_at', ['status', 'submitted_at', 'enrolment_id']),
    ('stage_signoffs', 'ix_stage_signoffs_status', ['status', 'enrolment_id']),
)
ROLES_BEFORE = "role IN ('candidate', 'supervisor', 'hub_lead', 'admin', 'provider_reviewer')"
ROLES_AFTER = ("role IN ('candidate', 'supervisor', 'hub_lead', 'admin', 'provider_reviewer', "
               "'regional_lead')")


def _roles(condition: str) -> None:
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_roles_known_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_roles_known_role'), condition)


def upgrade() -> None:
    _roles(ROLES_AFTER)
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('annual_signoff_target', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('name', name=op.f('uq_regions_name'))
    )
    op.create_table('region_leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_region_leads_added_by_id_users')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_region_leads_ended_by_id_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_region_leads_region_id_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_region_leads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_leads'))
    )
    with op.batch_alter_table('region_leads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_leads_region_id'), ['region_id'], unique=False)
        batch_op.create_index('ix_region_leads_user_ended', ['user_id', 'ended_at'], unique=False)

    with op.batch_alter_table('training_hubs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_training_hubs_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_training_hubs_region_id_regions'), 'regions',
                                    ['region_id'], ['id'])
    # Each region a hub named becomes a region, as old as its oldest hub.
    op.execute("INSERT INTO regions (name, created_at) SELECT TRIM(region), MIN(created_at) "
               "FROM training_hubs WHERE region IS NOT NULL AND TRIM(region) <> '' "
               "GROUP BY TRIM(region)")
    op.execute("UPDATE training_hubs SET region_id = (SELECT regions.id FROM regions "
               "WHERE regions.name = TRIM(training_hubs.region)) WHERE region IS NOT NULL")
    with op.batch_alter_table('training_hubs', schema=None) as batch_op:
        batch_op.drop_column('region')
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('training_hubs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=200), nullable=True))
    op.execute("UPDATE training_hubs SET region = (SELECT regions.name FROM regions "
               "WHERE regions.id = training_hubs.region_id) WHERE region_id IS NOT NULL")
    with op.batch_alter_table('training_hubs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_hubs_region_id_regions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_training_hubs_region_id'))
        batch_op.drop_column('region_id')
    with op.batch_alter_table('region_leads', schema=None) as batch_op:
        batch_op.drop_index('ix_region_leads_user_ended')
        batch_op.drop_index(batch_op.f('ix_region_leads_region_id'))
    op.drop_table('region_leads')
    op.drop_table('regions')
    op.execute("DELETE FROM user_roles WHERE role = 'regional_lead'")
    _roles(ROLES_BEFORE)
