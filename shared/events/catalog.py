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


CONDITIONS = ("good", "worn", "damaged")


class _CopyEvent(EventSchema):
    copy_code = fields.String(required=True)
    donation_id = fields.UUID(required=True)


class _AtCentre(_CopyEvent):
    centre_code = fields.String(required=True)
    centre_name = fields.String(required=True)
    settlement = fields.String(required=True)
    oblast = fields.String(required=True)


@register
class CopyCataloguedV1(_CopyEvent):
    event_type = "catalog.copy_catalogued"
    event_version = 1

    title = fields.String(required=True)
    condition = fields.String(required=True, validate=validate.OneOf(CONDITIONS))


@register
class CopyWithdrawnV1(_CopyEvent):
    """A damaged copy does not go to a shelf."""

    event_type = "catalog.copy_withdrawn"
    event_version = 1

    reason = fields.String(required=True)


class _CentreCount(EventSchema):
    centre_code = fields.String(required=True)
    count = fields.Integer(required=True, validate=validate.Range(min=1))


@register
class CopiesAllocatedV1(EventSchema):
    event_type = "catalog.copies_allocated"
    event_version = 1

    allocation_id = fields.Integer(required=True)
    centres = fields.List(fields.Nested(_CentreCount), required=True)
    # Added within v1: the copies it allocated (absent from older events).
    copy_codes = fields.List(fields.String(), load_default=list)


class _DonationCount(EventSchema):
    donation_id = fields.UUID(required=True)
    count = fields.Integer(required=True, validate=validate.Range(min=1))


@register
class ShipmentDispatchedV1(EventSchema):
    event_type = "catalog.shipment_dispatched"
    event_version = 1

    shipment_id = fields.Integer(required=True)
    centre_code = fields.String(required=True)
    centre_name = fields.String(required=True)
    settlement = fields.String(required=True)
    oblast = fields.String(required=True)
    carrier_tracking = fields.String(load_default=None, allow_none=True)
    donations = fields.List(fields.Nested(_DonationCount), required=True)
    # Added within v1: the copies it carries (absent from older events).
    copy_codes = fields.List(fields.String(), load_default=list)


@register
class CopyArrivedV1(_AtCentre):
    event_type = "catalog.copy_arrived"
    event_version = 1

    shipment_id = fields.Integer(load_default=None, allow_none=True)


@register
class CopyMisroutedV1(_AtCentre):
    """A copy turned up at a centre it was not sent to; that centre's staff must decide."""

    event_type = "catalog.copy_misrouted"
    event_version = 1

    expected_centre_code = fields.String(load_default=None, allow_none=True)


@register
class CopyShelvedV1(_AtCentre):
    event_type = "catalog.copy_shelved"
    event_version = 1


@register
class CopyTakenV1(_AtCentre):
    """A reader took the copy home (it was not on the shelf at a count)."""

    event_type = "catalog.copy_taken"
    event_version = 1


@register
class CopyNotedV1(_CopyEvent):
    """A reader left a note on the copy's page (already stripped of HTML)."""

    event_type = "catalog.copy_noted"
    event_version = 1

    note = fields.String(required=True)
    passing_on = fields.Boolean(load_default=False)


@register
class CopyMovedV1(_AtCentre):
    """The copy travelled with a reader and was scanned at another centre: it lives there now.
    (Or a reader brought it back where it was taken from: `from_centre_code` is that centre.)"""

    event_type = "catalog.copy_moved"
    event_version = 1

    from_centre_code = fields.String(load_default=None, allow_none=True)


@register
class CopySentOnV1(_CopyEvent):
    """Staff sent a misrouted copy on: towards the centre it is meant for, or back to the hub
    (`destination_code` empty)."""

    event_type = "catalog.copy_sent_on"
    event_version = 1

    from_centre_code = fields.String(required=True)
    destination_code = fields.String(load_default=None, allow_none=True)


@register
class ShipmentClosedV1(EventSchema):
    event_type = "catalog.shipment_closed"
    event_version = 1

    shipment_id = fields.Integer(required=True)
    centre_code = fields.String(required=True)
    received_count = fields.Integer(required=True)
    missing = fields.List(fields.String(), required=True)


@register
class ShelfOpenedV1(EventSchema):
    event_type = "catalog.shelf_opened"
    event_version = 1

    centre_code = fields.String(required=True)
    centre_name = fields.String(required=True)
    capacity = fields.Integer(required=True)


@register
class StaffAccountChangedV1(EventSchema):
    """A staff account was added, changed, disabled, removed, or its tokens re-issued: every
    service keeps the account's state to check tokens against (`shared.staff_identity`).
    `revision` grows with every change; an older one never overwrites a newer."""

    event_type = "catalog.staff_account_changed"
    event_version = 1

    staff_id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    centre_code = fields.String(load_default=None, allow_none=True)
    active = fields.Boolean(required=True)
    token_version = fields.Integer(required=True)
    session_version = fields.Integer(required=True)
    revision = fields.Integer(required=True)


class _NeedsCentre(EventSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    settlement = fields.String(required=True)
    oblast = fields.String(required=True)
    address = fields.String(load_default=None, allow_none=True)
    level = fields.String(required=True, validate=validate.OneOf(("high", "medium", "low", "full")))


class _NeedsOblast(EventSchema):
    oblast = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(("high", "medium", "low", "full")))
    priority = fields.Boolean(load_default=False)
    wishes = fields.List(fields.String(), load_default=list)


@register
class NeedsChangedV1(EventSchema):
    """Where books are needed, now: the centres with shelves (and how much each needs them,
    as the needs page says it), the oblasts greatest need first with their wish lists, and the
    words of each wish. Published when it changes (checked every ASSISTANT_NEEDS_SECONDS), for
    the assistant in donations; no personal data."""

    event_type = "catalog.needs_changed"
    event_version = 1

    digest = fields.String(required=True)
    centres = fields.List(fields.Nested(_NeedsCentre), required=True)
    oblasts = fields.List(fields.Nested(_NeedsOblast), required=True)
    wish_kinds = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)
