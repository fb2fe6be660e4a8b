"""Invite links that expire, single-use links, and the team digest's options.

* ``teams.invite_expires_at``: when the link stops working (UTC). Links made before this
  revision keep working (NULL: no expiry); every new link lasts seven days.
* ``teams.invite_uses_left``: how many more people may join with the link (1 for a single-use
  link); NULL: any number until it expires.
* ``group_chats.leaderboard`` (false) and ``group_chats.missing`` ("named"): the group's team
  digest options, an opt-in ranking with streaks and how people who have not reported are
  shown. Existing groups get the defaults (the digest they had).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 22:55:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.types

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invite_expires_at', bot.storage.types.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('invite_uses_left', sa.Integer(), nullable=True))
    with op.batch_alter_table('group_chats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leaderboard', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('missing', sa.String(length=16), nullable=False,
                                      server_default='named'))


def downgrade() -> None:
    with op.batch_alter_table('group_chats', schema=None) as batch_op:
        batch_op.drop_column('missing')
        batch_op.drop_column('leaderboard')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('invite_uses_left')
        batch_op.drop_column('invite_expires_at')
