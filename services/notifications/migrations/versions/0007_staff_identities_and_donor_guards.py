"""staff identities; one guard row per donor (contact order, erasure)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

import shared.models

revision = '0007'
down_revision = '0006'
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
    op.create_table('donor_guards',
    sa.Column('donor_id', sa.Uuid(), nullable=False),
    sa.Column('contact_sequence', sa.Integer(), nullable=True),
    sa.Column('contact_as_of', shared.models.AwareDateTime(timezone=True), nullable=True),
    sa.Column('erased_at', shared.models.AwareDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('donor_id')
    )


def downgrade() -> None:
    op.drop_table('donor_guards')
    op.drop_table('staff_identities')
