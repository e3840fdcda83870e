"""copies whose counters are to be moved (counted in batches)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_pending_copies',
    sa.Column('copy_code', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('copy_code')
    )


def downgrade() -> None:
    op.drop_table('report_pending_copies')
