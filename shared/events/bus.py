"""Events the bus itself publishes, from whichever service it runs in."""
from marshmallow import fields

from shared.events.registry import EventSchema, register


@register
class EventDeadLetteredV1(EventSchema):
    """A consumer gave up on an event after its retries; staff should look (and replay)."""

    event_type = "bus.event_dead_lettered"
    event_version = 1

    service = fields.String(required=True)
    consumers = fields.List(fields.String(), required=True)
    dead_event_id = fields.String(required=True)
    dead_event_type = fields.String(required=True)
    error = fields.String(required=True)
