"""one pending cluster report per month

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PENDING_ONLY = sa.text("sent_at IS NULL")


def upgrade():
    # Overlapping pushes before this revision could queue a month twice; the index cannot be made
    # while they stand. Keep the first queued (the one the next push would have delivered) and
    # drop the later copies: none of them was acknowledged by the hub, and the hub keeps each
    # provider's latest report for a month anyway.
    op.execute(
        "DELETE FROM report_outbox WHERE sent_at IS NULL AND id NOT IN "
        "(SELECT min(id) FROM report_outbox WHERE sent_at IS NULL GROUP BY period)"
    )
    with op.batch_alter_table('report_outbox', schema=None) as batch_op:
        batch_op.create_index(
            'uq_report_outbox_pending_period',
            ['period'],
            unique=True,
            sqlite_where=PENDING_ONLY,
            postgresql_where=PENDING_ONLY,
        )


def downgrade():
    with op.batch_alter_table('report_outbox', schema=None) as batch_op:
        batch_op.drop_index('uq_report_outbox_pending_period')
