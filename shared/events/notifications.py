"""Events published by the notifications service. No addresses: ids, stage, channel, status."""
from marshmallow import fields, validate

from shared.events.registry import EventSchema, register


@register
class MessageDeliveredV1(EventSchema):
    """A message to a donor was sent, or finally failed (after its retries)."""

    event_type = "notifications.message_delivered"
    event_version = 1

    donation_id = fields.UUID(required=True)
    message_id = fields.Integer(required=True)
    stage = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(("email", "sms", "telegram")))
    status = fields.String(required=True, validate=validate.OneOf(("sent", "failed")))
    at = fields.AwareDateTime(required=True)


@register
class ChannelsChangedV1(EventSchema):
    """A donor turned channels off or on (unsubscribe link, preferences page): the channels
    now off. The donor's id only, never the address."""

    event_type = "notifications.channels_changed"
    event_version = 1

    donor_id = fields.UUID(required=True)
    unsubscribed = fields.List(fields.String(validate=validate.OneOf(("email", "sms", "telegram"))),
                               required=True)


@register
class QuestionReceivedV1(EventSchema):
    """Someone wrote to the Telegram bot (anything but `/start`): the assistant in donations
    answers. The chat stays here: `conversation_id` names it. A chat tied to a donor (they
    connected Telegram from their preferences) brings that donor's donations, so they are
    recognised without a code. The words are the asker's own: only donations hears this."""

    event_type = "notifications.question_received"
    event_version = 1

    question_id = fields.UUID(required=True)
    conversation_id = fields.UUID(required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    language_hint = fields.String(load_default=None, allow_none=True)
    donor_id = fields.UUID(load_default=None, allow_none=True)
    donation_ids = fields.List(fields.UUID(), load_default=list)
    received_at = fields.AwareDateTime(required=True)
