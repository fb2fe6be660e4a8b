"""Anonymous stand-ins: the figures of someone who erased themselves stay in their team's totals.

* ``users.anonymous`` (false): the row is a stand-in, not a person. When a member erases
  themselves, the figures they reported for a team move to a new stand-in, a former member of
  that team, with no Telegram id and no name.
* ``users.telegram_id`` becomes nullable: a stand-in has none (the unique constraint allows
  any number of NULLs on PostgreSQL and SQLite).

Downgrading deletes the stand-ins and what they hold (the old schema cannot represent a user
without a Telegram id), so the teams' totals lose those figures again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymous', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.alter_column('telegram_id', existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    # Explicit deletes rather than the cascades: SQLite may run this without foreign keys.
    stand_ins = "SELECT id FROM users WHERE anonymous"
    op.execute(f"DELETE FROM entry_revisions WHERE entry_id IN "
               f"(SELECT id FROM entries WHERE user_id IN ({stand_ins}))")
    for table in ('entries', 'kpi_assignments', 'memberships', 'days_off', 'user_profiles',
                  'conversation_states', 'deliveries'):
        op.execute(f"DELETE FROM {table} WHERE user_id IN ({stand_ins})")
    op.execute("DELETE FROM users WHERE anonymous")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('telegram_id', existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column('anonymous')
