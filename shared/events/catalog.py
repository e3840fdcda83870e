"""Events published by the catalog service.

Catalog holds no donor personal data: its events carry copy codes, donation
ids, centre codes and counts only.
"""
from marshmallow import fields, validate

from shared.events.registry import EventSchema, register


@register
class DonationAtHubV1(EventSchema):
    """The hub expects a collected donation's books for cataloguing."""

    event_type = "catalog.donation_at_hub"
    event_version = 1

    donation_id = fields.UUID(required=True)
    expected_count = fields.Integer(required=True, validate=validate.Range(min=0))
