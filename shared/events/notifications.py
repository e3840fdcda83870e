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
