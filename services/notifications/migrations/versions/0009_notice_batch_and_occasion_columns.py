"""a notice's batch and occasion become columns: no data inside the stage

Before: `notices.stage` held `on_shelves:3` (a per-copy batch), `pickup_scheduled:<time>`,
`pickup_rescheduled:<time>` (a window's start) and `pickup_failed:<time>` (the failure's time),
unique per donation; `messages.stage` repeated it. After: the stage alone, with `batch` (1, 2, …
for per-copy stages, else 0) and `occasion_at` (the window's start or the failure's time);
one notice per donation, stage and batch, or per donation, stage and occasion; one message per
recipient, notice and channel (a notice is one donation's stage and batch or occasion, so that
is one per recipient, donation, stage and channel, as before).

Revision ID: 0009
Revises: 0008
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

import shared.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PER_COPY_STAGES = ("catalogued", "on_shelves", "taken", "noted")
NOT_OCCASIONAL = "occasion_at IS NULL"
OCCASIONAL = "occasion_at IS NOT NULL"

notices = sa.table("notices", sa.column("id", sa.BigInteger()), sa.column("stage", sa.String()),
                   sa.column("batch", sa.Integer()),
                   sa.column("occasion_at", shared.models.AwareDateTime(timezone=True)))
messages = sa.table("messages", sa.column("id", sa.BigInteger()), sa.column("notice_id", sa.BigInteger()),
                    sa.column("stage", sa.String()))


def _split(stage: str) -> dict:
    name, _, rest = stage.partition(":")
    if name in PER_COPY_STAGES:
        return {"stage": name, "batch": int(rest), "occasion_at": None}
    moment = datetime.fromisoformat(rest)
    return {"stage": name, "batch": 0,
            "occasion_at": (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)}


# SQLite changes a table's constraints by copying the table, and a copy of `notices` would break
# the reference from `messages` (dropping the old table deletes what messages point at): that
# reference is taken off while `notices` is rebuilt, and put back after. PostgreSQL alters in place.
FK_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
MESSAGE_FK = "fk_messages_notice_id_notices"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _without_message_reference() -> None:
    if _sqlite():
        with op.batch_alter_table('messages', naming_convention=FK_NAMES) as batch_op:
            batch_op.drop_constraint(MESSAGE_FK, type_='foreignkey')


def _with_message_reference() -> None:
    if _sqlite():
        with op.batch_alter_table('messages', schema=None) as batch_op:
            batch_op.create_foreign_key(MESSAGE_FK, 'notices', ['notice_id'], ['id'])


def upgrade() -> None:
    _without_message_reference()
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('occasion_at', shared.models.AwareDateTime(timezone=True), nullable=True))
        batch_op.drop_constraint('uq_notice_stage', type_='unique')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_message_once', type_='unique')

    connection = op.get_bind()
    rows = connection.execute(sa.select(notices.c.id, notices.c.stage).where(notices.c.stage.like("%:%"))).all()
    if rows:
        connection.execute(
            notices.update().where(notices.c.id == sa.bindparam("notice_id")).values(
                stage=sa.bindparam("new_stage"), batch=sa.bindparam("new_batch"),
                occasion_at=sa.bindparam("new_occasion_at", type_=shared.models.AwareDateTime(timezone=True))),
            [{"notice_id": notice_id, **{f"new_{k}": v for k, v in _split(stage).items()}} for notice_id, stage in rows])
    # A message's stage is its notice's.
    connection.execute(messages.update().values(stage=sa.select(notices.c.stage).where(
        notices.c.id == messages.c.notice_id).scalar_subquery()).where(messages.c.stage.like("%:%")))

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.alter_column('stage', existing_type=sa.String(length=80), type_=sa.String(length=40))
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('stage', existing_type=sa.String(length=80), type_=sa.String(length=40))
        batch_op.create_unique_constraint('uq_message_once', ['recipient_hash', 'notice_id', 'channel'])
    op.create_index('uq_notice_once', 'notices', ['donation_id', 'stage', 'batch'], unique=True,
                    sqlite_where=sa.text(NOT_OCCASIONAL), postgresql_where=sa.text(NOT_OCCASIONAL))
    op.create_index('uq_notice_occasion', 'notices', ['donation_id', 'stage', 'occasion_at'], unique=True,
                    sqlite_where=sa.text(OCCASIONAL), postgresql_where=sa.text(OCCASIONAL))
    _with_message_reference()


def _joined(stage: str, batch: int, occasion_at) -> str:
    if occasion_at is not None:
        return f"{stage}:{occasion_at.astimezone(timezone.utc).isoformat()}"
    return f"{stage}:{batch}" if batch else stage


def downgrade() -> None:
    _without_message_reference()
    op.drop_index('uq_notice_occasion', table_name='notices')
    op.drop_index('uq_notice_once', table_name='notices')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_message_once', type_='unique')
        batch_op.alter_column('stage', existing_type=sa.String(length=40), type_=sa.String(length=80))
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.alter_column('stage', existing_type=sa.String(length=40), type_=sa.String(length=80))
    connection = op.get_bind()
    rows = connection.execute(sa.select(notices.c.id, notices.c.stage, notices.c.batch, notices.c.occasion_at)
                              .where(sa.or_(notices.c.batch != 0, notices.c.occasion_at.is_not(None)))).all()
    if rows:
        connection.execute(notices.update().where(notices.c.id == sa.bindparam("notice_id"))
                           .values(stage=sa.bindparam("new_stage")),
                           [{"notice_id": i, "new_stage": _joined(s, b, o)} for i, s, b, o in rows])
        connection.execute(messages.update().values(stage=sa.select(notices.c.stage).where(
            notices.c.id == messages.c.notice_id).scalar_subquery()))
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_message_once', ['recipient_hash', 'donation_id', 'stage', 'channel'])
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_notice_stage', ['donation_id', 'stage'])
        batch_op.drop_column('occasion_at')
        batch_op.drop_column('batch')
    _with_message_reference()
