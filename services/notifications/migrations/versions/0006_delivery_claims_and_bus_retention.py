"""bus retention indexes, notice times and staff alert claims

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:00:00
"""
import sqlalchemy as sa
from alembic import op

import shared.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Pruning processed ids and replayed dead letters older than the replay window reads these.
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.create_index('ix_processed_events_handled_at', ['handled_at'], unique=False)
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.create_index('ix_dead_letters_failed_at', ['failed_at'], unique=False)
    # The time of the news a notice carries (an older pickup time must not be told after a
    # newer one), and when a staff alert was taken for sending.
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_at', shared.models.AwareDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', shared.models.AwareDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('occurred_at')
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.drop_index('ix_dead_letters_failed_at')
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_index('ix_processed_events_handled_at')
