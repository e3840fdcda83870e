"""Catalog's API schemas."""
from marshmallow import RAISE, Schema, fields, post_load, validate

from services.catalog import domain
from shared.books import clean_book_entry
from shared.events.catalog import CONDITIONS


class CentreOut(Schema):
    code = fields.String()
    name = fields.String()
    oblast = fields.String()
    settlement = fields.String()
    address = fields.String()
    notes = fields.String(allow_none=True)
    visitors_per_year = fields.Integer(allow_none=True)
    visitors_source = fields.String(metadata={"description": "unknown | demo | admin"})
    has_shelf = fields.Boolean()
    shelf_source = fields.String(metadata={"description": "unknown | demo | admin"})
    shelf_capacity = fields.Integer(allow_none=True)
    auto_shelve = fields.Boolean()


class CentreQuery(Schema):
    with_shelf = fields.Boolean(load_default=None)
    oblast = fields.String(load_default=None)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class CopyIn(StrictSchema):
    isbn = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    authors = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    condition = fields.String(load_default="good", validate=validate.OneOf(CONDITIONS))
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))

    @post_load
    def _normalise(self, data, **_):
        return clean_book_entry(data)


class IntakeIn(StrictSchema):
    copies = fields.List(fields.Nested(CopyIn), required=True, validate=validate.Length(min=1, max=1000))


class CopyOut(Schema):
    code = fields.String()
    title = fields.String()
    authors = fields.String(allow_none=True)
    isbn = fields.String(allow_none=True)
    condition = fields.String()
    status = fields.String()
    centre_code = fields.String(allow_none=True)
    destination_code = fields.String(allow_none=True)
    url = fields.String(metadata={"description": "the copy's public page (its QR code)"})


class IntakeOut(Schema):
    donation_id = fields.UUID()
    status = fields.String()
    declared_count = fields.Integer()
    collected_count = fields.Integer(allow_none=True)
    catalogued_count = fields.Integer()
    withdrawn_count = fields.Integer()
    difference = fields.Integer(allow_none=True, metadata={
        "description": "catalogued − collected: a difference is shown, never hidden"})
    created = fields.List(fields.Nested(CopyOut))
    copies = fields.List(fields.Nested(CopyOut))


class TitleLookupOut(Schema):
    isbn = fields.String()
    status = fields.String(metadata={"description": "found | not_found | unavailable | off"})
    title = fields.String(allow_none=True)
    authors = fields.String(allow_none=True)
    publisher = fields.String(allow_none=True)
    publish_date = fields.String(allow_none=True)
    cover_url = fields.String(allow_none=True)
    message = fields.String(allow_none=True)


class AllocationIn(StrictSchema):
    donation_ids = fields.List(fields.UUID(), load_default=None)


class AllocationCopyOut(Schema):
    code = fields.String()
    reason = fields.String()


class AllocationCentreOut(Schema):
    centre_code = fields.String()
    centre_name = fields.String()
    settlement = fields.String()
    oblast = fields.String()
    count = fields.Integer()
    copies = fields.List(fields.Nested(AllocationCopyOut))


class AllocationOut(Schema):
    id = fields.Integer()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.AwareDateTime()
    copy_count = fields.Integer()
    centres = fields.List(fields.Nested(AllocationCentreOut))
    unplaced = fields.List(fields.String(), metadata={"description": "copies no shelf had room for"})


class AllocationItemIn(StrictSchema):
    centre_code = fields.String(required=True, allow_none=True, metadata={
        "description": "the centre to send the copy to; null keeps it at the hub"})


class ShipmentSummaryOut(Schema):
    id = fields.Integer()
    centre_code = fields.String()
    centre_name = fields.String()
    settlement = fields.String()
    oblast = fields.String()
    status = fields.String(metadata={"description": "prepared | in_transit | closed"})
    carrier_tracking = fields.String(allow_none=True)
    allocation_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    dispatched_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    copy_count = fields.Integer()
    received_count = fields.Integer()


class ShipmentOut(ShipmentSummaryOut):
    copies = fields.List(fields.Nested(CopyOut))
    missing = fields.List(fields.Nested(CopyOut), metadata={"description": "copies that never arrived"})


class AcceptedOut(Schema):
    allocation_id = fields.Integer()
    shipments = fields.List(fields.Nested(ShipmentOut))


class ShipmentQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("prepared", "in_transit", "closed")))
    centre_code = fields.String(load_default=None)


class DispatchIn(StrictSchema):
    carrier_tracking = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class ScanIn(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=300), metadata={
        "description": "the copy code as typed or scanned, or the label's QR URL"})
    mode = fields.String(load_default="arrival", validate=validate.OneOf(domain.SCAN_MODES))
    scan_id = fields.UUID(load_default=None, metadata={
        "description": "made by the client per scan; a re-sent scan has no second effect"})


class ScanCopyOut(Schema):
    code = fields.String()
    title = fields.String()
    status = fields.String()
    centre_code = fields.String(allow_none=True)
    destination_code = fields.String(allow_none=True)


class InventoryOut(Schema):
    id = fields.Integer()
    centre_code = fields.String()
    opened_at = fields.AwareDateTime()
    opened_by = fields.String()
    closed_at = fields.AwareDateTime(allow_none=True)
    counted = fields.Integer()
    taken = fields.List(fields.String(), metadata={"description": "copies the count did not see"})


class ScanOut(Schema):
    scan_id = fields.UUID()
    result = fields.String(metadata={"description": "the one word a client switches on",
                                     "enum": list(domain.SCAN_RESULTS)})
    message = fields.String()
    copy = fields.Nested(ScanCopyOut, allow_none=True)
    inventory = fields.Dict(allow_none=True)
    replayed = fields.Boolean()


class RecentScanOut(Schema):
    scan_id = fields.UUID()
    at = fields.AwareDateTime()
    mode = fields.String()
    raw = fields.String()
    result = fields.String()
    title = fields.String(allow_none=True)


class MisroutedDecisionIn(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(domain.DECISIONS))


class ShelfIn(StrictSchema):
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=10000))
    auto_shelve = fields.Boolean(load_default=False)


class CentreChangeIn(StrictSchema):
    shelf_capacity = fields.Integer(validate=validate.Range(min=1, max=10000))
    visitors_per_year = fields.Integer(validate=validate.Range(min=0, max=10_000_000))
    auto_shelve = fields.Boolean()


class PriorityIn(StrictSchema):
    weight = fields.Float(required=True, validate=validate.Range(min=0, max=10))


class PriorityOut(Schema):
    oblast = fields.String()
    weight = fields.Float()
    source = fields.String()


class NoteIn(StrictSchema):
    text = fields.String(load_default="", validate=validate.Length(max=2000))
    passing_on = fields.Boolean(load_default=False)


class NoteOut(Schema):
    text = fields.String()
    passing_on = fields.Boolean()
    at = fields.AwareDateTime()


class PlaceOut(Schema):
    code = fields.String()
    name = fields.String()
    settlement = fields.String()
    oblast = fields.String()


class StepOut(Schema):
    kind = fields.String()
    at = fields.AwareDateTime()
    centre = fields.Nested(PlaceOut, allow_none=True)


class CopyPageOut(Schema):
    code = fields.String()
    title = fields.String()
    authors = fields.String(allow_none=True)
    isbn = fields.String(allow_none=True)
    status = fields.String()
    centre = fields.Nested(PlaceOut, allow_none=True)
    from_ = fields.Dict(data_key="from", attribute="from", metadata={"description": "donor kind and city"})
    journey = fields.List(fields.Nested(StepOut))
    notes = fields.List(fields.Nested(NoteOut))


class DashboardArgs(Schema):
    month = fields.String(load_default=None)


class WishesIn(Schema):
    kinds = fields.List(fields.String(), required=True, validate=validate.Length(max=domain.MAX_WISHES))
