"""Initial schema.

Users, teams, plans, KPI assignments, entries with history, days off, conversation state,
processed updates and scheduled deliveries.

Generated with autogenerate from bot/storage/tables.py, then reviewed: foreign keys cascade
from users (erase), authorship columns SET NULL, unique keys for the upserts, indexes for
the daily and morning queries and for claiming due deliveries.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 14:55:20.830247

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.types

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_processed_updates'))
    )
    op.create_index(op.f('ix_processed_updates_processed_at'), 'processed_updates', ['processed_at'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('telegram_id', sa.BigInteger(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('working_weekdays', sa.String(length=20), nullable=False),
    sa.Column('digest_time', sa.Time(), nullable=True),
    sa.Column('reminder_time', sa.Time(), nullable=True),
    sa.Column('display_name', sa.String(length=256), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('onboarded', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('telegram_id', name=op.f('uq_users_telegram_id'))
    )
    op.create_table('conversation_states',
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('flow', sa.String(length=64), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_conversation_states_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chat_id', 'user_id', name=op.f('pk_conversation_states'))
    )
    op.create_index(op.f('ix_conversation_states_user_id'), 'conversation_states', ['user_id'], unique=False)
    op.create_table('days_off',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_days_off_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_days_off')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_days_off_user_id_day'))
    )
    op.create_table('entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kpi_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', bot.storage.types.ExactDecimal(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('entered_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('entered_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_entries_entered_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entries')),
    sa.UniqueConstraint('user_id', 'kpi_id', 'day', name=op.f('uq_entries_user_id_kpi_id_day'))
    )
    op.create_index(op.f('ix_entries_day_user_id'), 'entries', ['day', 'user_id'], unique=False)
    op.create_index(op.f('ix_entries_entered_by'), 'entries', ['entered_by'], unique=False)
    op.create_index(op.f('ix_entries_user_id_day'), 'entries', ['user_id', 'day'], unique=False)
    op.create_table('teams',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('owner_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_teams_owner_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams'))
    )
    op.create_index(op.f('ix_teams_owner_user_id'), 'teams', ['owner_user_id'], unique=False)
    op.create_table('deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('team_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('due_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', bot.storage.types.UTCDateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.Column('claimed_at', bot.storage.types.UTCDateTime(), nullable=True),
    sa.Column('sent_at', bot.storage.types.UTCDateTime(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('telegram_message_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_deliveries_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('chat_id', 'kind', 'local_date', name=op.f('uq_deliveries_chat_id_kind_local_date'))
    )
    op.create_index(op.f('ix_deliveries_status_due_at'), 'deliveries', ['status', 'due_at'], unique=False)
    op.create_index(op.f('ix_deliveries_status_next_attempt_at'), 'deliveries', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_deliveries_team_id'), 'deliveries', ['team_id'], unique=False)
    op.create_index(op.f('ix_deliveries_user_id'), 'deliveries', ['user_id'], unique=False)
    op.create_table('entry_revisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('value', bot.storage.types.ExactDecimal(), nullable=True),
    sa.Column('entered_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('entered_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by'], ['users.id'], name=op.f('fk_entry_revisions_entered_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_entry_revisions_entry_id_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_revisions')),
    sa.UniqueConstraint('entry_id', 'version', name=op.f('uq_entry_revisions_entry_id_version'))
    )
    op.create_index(op.f('ix_entry_revisions_entered_by'), 'entry_revisions', ['entered_by'], unique=False)
    op.create_table('group_chats',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('team_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=256), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_group_chats_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_chats')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_group_chats_chat_id'))
    )
    op.create_index(op.f('ix_group_chats_team_id'), 'group_chats', ['team_id'], unique=False)
    op.create_table('kpi_assignments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('team_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kpi_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_kpi_assignments_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kpi_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_assignments')),
    sa.UniqueConstraint('user_id', 'team_id', 'kpi_id', name=op.f('uq_kpi_assignments_user_id_team_id_kpi_id'))
    )
    op.create_index(op.f('ix_kpi_assignments_team_id'), 'kpi_assignments', ['team_id'], unique=False)
    op.create_table('memberships',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('team_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('weight', bot.storage.types.ExactDecimal(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_memberships_team_id_user_id'))
    )
    op.create_index(op.f('ix_memberships_user_id'), 'memberships', ['user_id'], unique=False)
    op.create_table('plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('team_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_plans_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_plans_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    op.create_index(op.f('ix_plans_created_by'), 'plans', ['created_by'], unique=False)
    op.create_index(op.f('ix_plans_team_id_period_start_period_end'), 'plans', ['team_id', 'period_start', 'period_end'], unique=False)
    op.create_table('plan_targets',
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kpi_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('target', bot.storage.types.ExactDecimal(), nullable=False),
    sa.Column('baseline', bot.storage.types.ExactDecimal(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_targets_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'kpi_id', name=op.f('pk_plan_targets'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('plan_targets')
    op.drop_index(op.f('ix_plans_team_id_period_start_period_end'), table_name='plans')
    op.drop_index(op.f('ix_plans_created_by'), table_name='plans')
    op.drop_table('plans')
    op.drop_index(op.f('ix_memberships_user_id'), table_name='memberships')
    op.drop_table('memberships')
    op.drop_index(op.f('ix_kpi_assignments_team_id'), table_name='kpi_assignments')
    op.drop_table('kpi_assignments')
    op.drop_index(op.f('ix_group_chats_team_id'), table_name='group_chats')
    op.drop_table('group_chats')
    op.drop_index(op.f('ix_entry_revisions_entered_by'), table_name='entry_revisions')
    op.drop_table('entry_revisions')
    op.drop_index(op.f('ix_deliveries_user_id'), table_name='deliveries')
    op.drop_index(op.f('ix_deliveries_team_id'), table_name='deliveries')
    op.drop_index(op.f('ix_deliveries_status_next_attempt_at'), table_name='deliveries')
    op.drop_index(op.f('ix_deliveries_status_due_at'), table_name='deliveries')
    op.drop_table('deliveries')
    op.drop_index(op.f('ix_teams_owner_user_id'), table_name='teams')
    op.drop_table('teams')
    op.drop_index(op.f('ix_entries_user_id_day'), table_name='entries')
    op.drop_index(op.f('ix_entries_entered_by'), table_name='entries')
    op.drop_index(op.f('ix_entries_day_user_id'), table_name='entries')
    op.drop_table('entries')
    op.drop_table('days_off')
    op.drop_index(op.f('ix_conversation_states_user_id'), table_name='conversation_states')
    op.drop_table('conversation_states')
    op.drop_table('users')
    op.drop_index(op.f('ix_processed_updates_processed_at'), table_name='processed_updates')
    op.drop_table('processed_updates')
