"""Events published by the donations service.

Only `donor_contact_changed` carries personal data, and only notifications
subscribes to it; catalog hears ids, counts and items.
"""
from marshmallow import fields, validate

from shared.events.registry import EventSchema, register

DONOR_KINDS = ("citizen", "publisher", "organisation")
HANDOVERS = ("pickup", "dropoff", "walk_in")


class OfferedItemV1(EventSchema):
    isbn = fields.String(load_default=None, allow_none=True)
    title = fields.String(load_default=None, allow_none=True)
    authors = fields.String(load_default=None, allow_none=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))


@register
class DonationOfferedV1(EventSchema):
    event_type = "donations.donation_offered"
    event_version = 1

    donation_id = fields.UUID(required=True)
    donor_kind = fields.String(required=True, validate=validate.OneOf(DONOR_KINDS))
    handover = fields.String(required=True, validate=validate.OneOf(HANDOVERS))
    centre_code = fields.String(load_default=None, allow_none=True)
    city = fields.String(load_default=None, allow_none=True)
    oblast = fields.String(load_default=None, allow_none=True)
    declared_count = fields.Integer(required=True, validate=validate.Range(min=1))
    items = fields.List(fields.Nested(OfferedItemV1), required=True)


@register
class DonorContactChangedV1(EventSchema):
    event_type = "donations.donor_contact_changed"
    event_version = 1

    donation_id = fields.UUID(required=True)
    donor_id = fields.UUID(required=True)
    tracking_code = fields.String(required=True)
    name = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    language = fields.String(load_default="uk", validate=validate.OneOf(("uk", "en")))
    latin = fields.Boolean(load_default=False)
    channels = fields.List(fields.String(), load_default=list)
    # Added within v1: the donor's contact revision, growing with every change, so a consumer
    # keeps the newest when events overtake each other. Absent from older producers' events
    # (consumers then compare the events' times).
    sequence = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))


@register
class PickupScheduledV1(EventSchema):
    event_type = "donations.pickup_scheduled"
    event_version = 1

    donation_id = fields.UUID(required=True)
    scheduled_start = fields.AwareDateTime(required=True)
    scheduled_end = fields.AwareDateTime(required=True)


@register
class DonationCollectedV1(EventSchema):
    event_type = "donations.donation_collected"
    event_version = 1

    donation_id = fields.UUID(required=True)
    declared_count = fields.Integer(required=True)
    collected_count = fields.Integer(required=True, validate=validate.Range(min=0))


@register
class PickupRescheduledV1(EventSchema):
    event_type = "donations.pickup_rescheduled"
    event_version = 1

    donation_id = fields.UUID(required=True)
    scheduled_start = fields.AwareDateTime(required=True)
    scheduled_end = fields.AwareDateTime(required=True)
    previous_start = fields.AwareDateTime(load_default=None, allow_none=True)


@register
class PickupFailedV1(EventSchema):
    event_type = "donations.pickup_failed"
    event_version = 1

    donation_id = fields.UUID(required=True)
    reason = fields.String(required=True)


@register
class DonationCancelledV1(EventSchema):
    event_type = "donations.donation_cancelled"
    event_version = 1

    donation_id = fields.UUID(required=True)
    by = fields.String(required=True, validate=validate.OneOf(("donor", "staff")))
    reason = fields.String(load_default=None, allow_none=True)


@register
class DonorErasedV1(EventSchema):
    """The donor asked to be forgotten: every copy of their contacts must go."""

    event_type = "donations.donor_erased"
    event_version = 1

    donor_id = fields.UUID(required=True)
    donation_ids = fields.List(fields.UUID(), required=True)


@register
class FeedbackGivenV1(EventSchema):
    """A donor answered 'was this useful?' under a message (`stage`) or on the tracking page
    (`stage` = 'tracking'). The latest answer for a donation and stage counts. The comment is
    the donor's own short words (HTML stripped), wiped everywhere on erasure."""

    event_type = "donations.feedback_given"
    event_version = 1

    donation_id = fields.UUID(required=True)
    stage = fields.String(required=True, validate=validate.Length(min=1, max=40))
    useful = fields.Boolean(required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    at = fields.AwareDateTime(required=True)


# --- the consultation assistant -------------------------------------------------------------

ASK_CHANNELS = ("web", "telegram")


@register
class AssistantRepliedV1(EventSchema):
    """An answer to a question, to be sent back the way it came: to the Telegram conversation
    (notifications knows its chat), or to the e-mail a web asker left (staff answers only).
    Carries the answer's words and maybe an address: only notifications hears it."""

    event_type = "donations.assistant_replied"
    event_version = 1

    question_id = fields.UUID(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(("telegram", "email")))
    conversation_id = fields.UUID(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)
    language = fields.String(load_default="uk", validate=validate.OneOf(("uk", "en")))
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    kind = fields.String(required=True, validate=validate.OneOf(("answer", "handover", "staff")))


@register
class QuestionAskedV1(EventSchema):
    """Someone asked the assistant: what about (the intent), where, and whether it answered at
    once (`answered_at`) or handed the question to a person. No words, no asker."""

    event_type = "donations.question_asked"
    event_version = 1

    question_id = fields.UUID(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(ASK_CHANNELS))
    intent = fields.String(required=True, validate=validate.Length(min=1, max=20))
    language = fields.String(load_default="uk", validate=validate.OneOf(("uk", "en")))
    handed_over = fields.Boolean(required=True)
    asked_at = fields.AwareDateTime(required=True)
    answered_at = fields.AwareDateTime(load_default=None, allow_none=True)


@register
class QuestionAnsweredV1(EventSchema):
    """Staff answered a question the assistant handed over: the response time is
    `answered_at` − `asked_at`."""

    event_type = "donations.question_answered"
    event_version = 1

    question_id = fields.UUID(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(ASK_CHANNELS))
    asked_at = fields.AwareDateTime(required=True)
    answered_at = fields.AwareDateTime(required=True)
