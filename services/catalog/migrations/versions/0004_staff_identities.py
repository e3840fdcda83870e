"""staff identities: what every token is checked against (active, versions, role, centre)

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

import shared.models

revision = '0004'
down_revision = '0003'
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
    # Accounts made before: active, first versions (tokens signed before this change are refused
    # anyway: their format named no version and no expiry).
    op.execute("INSERT INTO staff_identities (staff_id, name, role, centre_code, active, token_version, "
               "session_version, revision, updated_at) SELECT id, name, role, centre_code, true, 1, 1, 1, "
               "created_at FROM staff_accounts")


def downgrade() -> None:
    op.drop_table('staff_identities')
