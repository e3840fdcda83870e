"""staff identities; the donor's contact revision; idempotency keys compared with the request

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

import shared.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_identities',
    sa.Column('staff_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('centre_code', sa.String(length=4), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', shared.models.AwareDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('staff_id')
    )
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_revision', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_column('request_hash')
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.drop_column('contact_revision')
    op.drop_table('staff_identities')
