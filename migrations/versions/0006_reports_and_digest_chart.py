"""Weekly and monthly reports; the digest chart setting.

* ``users.digest_chart`` (false): the morning digest carries the progress chart.
* The deliveries table gets two new kinds, ``weekly_report`` and ``monthly_report``: ``kind``
  is a string column, so no change to the schema is needed for them. Downgrading deletes
  their rows (the old code does not know those kinds).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15 10:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_chart', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    op.execute("DELETE FROM deliveries WHERE kind IN ('weekly_report', 'monthly_report')")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_chart')
