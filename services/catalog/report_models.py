"""The reports read model's tables (catalog's database). Nothing here names a person: ids,
oblasts, centres, stages, channels, times and counts — and donors' short feedback comments,
wiped when the donor asks to be forgotten.

Counters (`report_tallies`) keep the dashboard cheap at a million copies: each is exact,
moved by the projection in the same transaction as the fact it counts, or, for catalog's own
copies, in batches a moment later (`report_pending_copies`; see reports.py)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from services.catalog.models import Base
from shared.models import AwareDateTime, BigId, utcnow


class ReportTally(Base):
    """One exact counter: `kind` says what is counted, `key` along which dimensions
    ('centre|month|step', 'stage|channel|status' …, '|'-separated)."""

    __tablename__ = "report_tallies"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class ReportCopy(Base):
    """What the counters already know of a copy: where it was counted (the centre it is at, or
    is on its way to), in which state, and the last journey step counted."""

    __tablename__ = "report_copies"

    copy_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str | None] = mapped_column(String(20))
    last_step_id: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


class ReportPendingCopy(Base):
    """A copy that changed since its counters were last moved: noted in the transaction that
    changed it, counted in batches (`reports.catch_up`) by the catalog worker every few
    seconds and before any report is read."""

    __tablename__ = "report_pending_copies"

    copy_code: Mapped[str] = mapped_column(String(12), primary_key=True)


class ReportDonation(Base):
    """A donation's milestones, for the response times (offer → scheduled, collected,
    catalogued, on a shelf). `month` is the offer's month in Kyiv; `waiting_since` is the offer
    time while the donation is neither on a shelf nor cancelled (the 'waiting longest' list)."""

    __tablename__ = "report_donations"

    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    donor_kind: Mapped[str | None] = mapped_column(String(20))
    handover: Mapped[str | None] = mapped_column(String(10))
    centre_code: Mapped[str | None] = mapped_column(String(4))
    oblast: Mapped[str | None] = mapped_column(String(60))
    declared_count: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[str | None] = mapped_column(String(7), index=True)
    offered_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    scheduled_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    collected_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    catalogued_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    shelved_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    failed_pickups: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Seconds from the offer to each milestone (what the response times are made of).
    scheduled_s: Mapped[int | None] = mapped_column(Integer)
    collected_s: Mapped[int | None] = mapped_column(Integer)
    catalogued_s: Mapped[int | None] = mapped_column(Integer)
    shelved_s: Mapped[int | None] = mapped_column(Integer)
    waiting_since: Mapped[datetime | None] = mapped_column(AwareDateTime, index=True)


class ReportMessage(Base):
    """A message to a donor as notifications reported it: stage, channel, status."""

    __tablename__ = "report_messages"
    __table_args__ = (Index("ix_report_messages_notice", "donation_id", "stage"),)

    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    stage: Mapped[str] = mapped_column(String(40), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)


class ReportFeedback(Base):
    """A donor's 'was this useful?' for one message stage (or the tracking page): the latest
    answer counts."""

    __tablename__ = "report_feedback"

    donation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    useful: Mapped[bool] = mapped_column(Boolean, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, index=True)


class ReportChannelChoice(Base):
    """Which channels a donor turned off (donor id only; the address stays in notifications)."""

    __tablename__ = "report_channel_choices"

    donor_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    unsubscribed: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    as_of: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)


class ReportEvent(Base):
    """Every other service's event the reports heard, kept for `bookcross reports rebuild`
    (the producers' outboxes are pruned). Payloads are stored as the projection needs them:
    no free text but feedback comments, and those are wiped on erasure."""

    __tablename__ = "report_event_archive"
    __table_args__ = (Index("ix_report_event_archive_order", "occurred_at", "event_id"),)

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)


class CopyLike(Base):
    """A reader's one-click 'I liked this book' on the copy page, with where the copy was."""

    __tablename__ = "copy_likes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    copy_code: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    centre_code: Mapped[str | None] = mapped_column(String(4))
    at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)


class OblastWishes(Base):
    """The kinds of books an oblast asks for (keys of needs.WISH_KINDS), kept by admin."""

    __tablename__ = "oblast_wishes"

    oblast: Mapped[str] = mapped_column(String(60), primary_key=True)
    kinds: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    updated_by: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, nullable=False, default=utcnow)
