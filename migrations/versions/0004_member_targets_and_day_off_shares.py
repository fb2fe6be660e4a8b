"""Individual targets, and who carries a day off's share of the plan.

* ``member_targets``: the owner's individual target for one person and one KPI of a plan;
  the rest of the plan's target is shared by everyone else. Cascades with the plan and with
  the person.
* ``days_off.share``: ``team`` (the rest of the team carries the day's share: what days off
  did before this revision, the default for existing rows) or ``reduce`` (the plan is reduced).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 15:50:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.types

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'member_targets',
        sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kpi_id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('target', bot.storage.types.ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'],
                                name=op.f('fk_member_targets_plan_id_plans'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_member_targets_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('plan_id', 'kpi_id', 'user_id', name=op.f('pk_member_targets')),
    )
    with op.batch_alter_table('days_off', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share', sa.String(length=16), nullable=False,
                                      server_default='team'))


def downgrade() -> None:
    with op.batch_alter_table('days_off', schema=None) as batch_op:
        batch_op.drop_column('share')
    op.drop_table('member_targets')
