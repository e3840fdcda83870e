"""Notifications' API schemas: the delivery log for admin."""
from marshmallow import Schema, fields


class ByDonation(Schema):
    donation_id = fields.UUID(required=True)


class MessageOut(Schema):
    id = fields.Integer()
    donation_id = fields.UUID()
    stage = fields.String()
    channel = fields.String()
    status = fields.String(metadata={"description": "pending | sending | sent | failed"})
    attempts = fields.Integer()
    held_reason = fields.String(allow_none=True, metadata={"description": "quiet_hours while held"})
    next_attempt_at = fields.AwareDateTime()
    last_error = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    encoding = fields.String(allow_none=True, metadata={"description": "SMS: GSM-7 or UCS-2"})
    segments = fields.Integer(allow_none=True, metadata={"description": "SMS: parts billed"})
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class NoticeOut(Schema):
    id = fields.Integer()
    donation_id = fields.UUID()
    stage = fields.String()
    batch = fields.Integer(metadata={"description": "per-copy stages: the batch (1, 2, …), one message each"})
    occasion_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "a stage that can happen again: the pickup window's start, or when the pickup failed"})
    status = fields.String(metadata={"description": "pending | done | dropped"})
    reason = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    send_after = fields.AwareDateTime()
