"""User profiles, team size and invite code.

* ``user_profiles``: one row per person with the questionnaire answers kept after onboarding
  (they decide KPI advice and the plan). Until now they lived in a fake conversation row with
  ``chat_id`` 2**62; the upgrade moves those rows here and the downgrade moves them back.
* ``teams.planned_size``: the head count the plan is split over (the questionnaire's team
  size), backfilled from the owner's answers; NULL when unknown.
* ``teams.invite_code``: the secret of the team's invite link, unique, NULL until the first
  link is made.

Generated with autogenerate against 0001 from bot/storage/tables.py, then reviewed: the data
moves were added by hand, as SQL of their own (not the application's tables or code, so later
changes cannot break this revision). Other conversation rows (the daily loop's 2**62 + 1) are
left alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:28:09.965053

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.storage.types

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROFILE_CHAT_ID = 2**62
"""Where 0001-era code kept the answers: a conversation row no Telegram chat can have."""

# The data moves are plain SQL per dialect, so that ``alembic upgrade --sql`` renders them for
# review exactly as they run. The planned size mirrors how onboarding read the answers at 0002:
# 1 for a solo owner, a sales manager or a marketer, else the team size (1 when missing).
_MOVE_UP = {
    'postgresql': f"""
        INSERT INTO user_profiles (user_id, answers, updated_at)
        SELECT user_id, COALESCE(data -> 'answers', '{{}}'::json), updated_at
        FROM conversation_states WHERE chat_id = {PROFILE_CHAT_ID}""",
    'sqlite': f"""
        INSERT INTO user_profiles (user_id, answers, updated_at)
        SELECT user_id, COALESCE(json_extract(data, '$.answers'), '{{}}'), updated_at
        FROM conversation_states WHERE chat_id = {PROFILE_CHAT_ID}""",
}
_PLANNED_SIZE = {
    'postgresql': """
        UPDATE teams SET planned_size = CASE
            WHEN p.answers ->> 'team' = 'solo'
                OR p.answers ->> 'role' IN ('sales_manager', 'marketer') THEN 1
            WHEN p.answers ->> 'team_size' ~ '^[0-9]{1,6}$'
                THEN GREATEST((p.answers ->> 'team_size')::int, 1)
            ELSE 1 END
        FROM user_profiles AS p WHERE p.user_id = teams.owner_user_id""",
    'sqlite': """
        UPDATE teams SET planned_size = (
            SELECT CASE
                WHEN json_extract(p.answers, '$.team') = 'solo'
                    OR json_extract(p.answers, '$.role') IN ('sales_manager', 'marketer') THEN 1
                WHEN CAST(json_extract(p.answers, '$.team_size') AS INTEGER) >= 1
                    THEN CAST(json_extract(p.answers, '$.team_size') AS INTEGER)
                ELSE 1 END
            FROM user_profiles AS p WHERE p.user_id = teams.owner_user_id)
        WHERE owner_user_id IN (SELECT user_id FROM user_profiles)""",
}
_MOVE_DOWN = {
    'postgresql': f"""
        INSERT INTO conversation_states
            (chat_id, user_id, flow, step, data, token, message_id, updated_at)
        SELECT {PROFILE_CHAT_ID}, user_id, 'profile', 'done',
            json_build_object('answers', answers), '', NULL, updated_at
        FROM user_profiles""",
    'sqlite': f"""
        INSERT INTO conversation_states
            (chat_id, user_id, flow, step, data, token, message_id, updated_at)
        SELECT {PROFILE_CHAT_ID}, user_id, 'profile', 'done',
            json_object('answers', json(answers)), '', NULL, updated_at
        FROM user_profiles""",
}


def _run(statements: dict[str, str]) -> None:
    op.execute(statements[op.get_context().dialect.name])


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('user_profiles',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at', bot.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_profiles'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('invite_code', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_teams_invite_code'), ['invite_code'])

    _run(_MOVE_UP)
    _run(_PLANNED_SIZE)
    op.execute(f"DELETE FROM conversation_states WHERE chat_id = {PROFILE_CHAT_ID}")


def downgrade() -> None:
    """Downgrade schema."""
    _run(_MOVE_DOWN)
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_teams_invite_code'), type_='unique')
        batch_op.drop_column('invite_code')
        batch_op.drop_column('planned_size')

    op.drop_table('user_profiles')
