"""Donations' API schemas (marshmallow): what clients send and get back."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates, validates_schema

from services.donations import domain
from shared.books import clean_book_entry
from shared.centres import is_known_centre
from shared.events.donations import DONOR_KINDS
from shared.i18n import field_error

CHANNELS = ("email", "sms", "telegram")
MAX_ITEMS = 1000


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class DonorIn(StrictSchema):
    kind = fields.String(load_default="citizen", validate=validate.OneOf(DONOR_KINDS))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    language = fields.String(load_default="uk", validate=validate.OneOf(("uk", "en")))
    latin = fields.Boolean(load_default=False)
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=None)
    consent = fields.Boolean(required=True)

    @validates("consent")
    def _consent(self, value, **_):
        if not value:
            raise ValidationError(field_error("donations.consent_required"))

    # Field validators run side by side, so every wrong field is reported at once
    # (post_load below only runs when all fields passed).
    @validates("email")
    def _email(self, value, **_):
        if value and value.strip():
            try:
                domain.normalise_email(value.strip())
            except ValueError as exc:
                raise ValidationError(str(exc)) from None

    @validates("phone")
    def _phone(self, value, **_):
        if value and value.strip():
            try:
                domain.normalise_phone(value.strip())
            except ValueError as exc:
                raise ValidationError(str(exc)) from None

    @post_load
    def _normalise(self, data, **_):
        errors = {}
        for name, normaliser in (("email", domain.normalise_email), ("phone", domain.normalise_phone)):
            if data.get(name):
                try:
                    data[name] = normaliser(data[name].strip())
                except ValueError as exc:
                    errors[name] = [str(exc)]
            else:
                data[name] = None
        if errors:
            raise ValidationError(errors)
        if not data["email"] and not data["phone"]:
            raise ValidationError({"email": [field_error("donations.contact_required")]})
        if data["channels"] is None:
            # Every way they gave us, e-mail first: the next one is the fallback.
            data["channels"] = [c for c, given in (("email", data["email"]), ("sms", data["phone"])) if given]
        return data


class ItemIn(StrictSchema):
    isbn = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    authors = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))

    @post_load
    def _normalise(self, data, **_):
        return clean_book_entry(data)


class WindowIn(StrictSchema):
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)

    @validates_schema
    def _order(self, data, **_):
        if data["end"] <= data["start"]:
            raise ValidationError({"end": [field_error("donations.window_order")]})


class HandoverIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("pickup", "dropoff")))
    preferred_windows = fields.List(fields.Nested(WindowIn), load_default=list,
                                    validate=validate.Length(max=10))
    centre_code = fields.String(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    oblast = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))

    @validates_schema
    def _complete(self, data, **_):
        if data["kind"] == "dropoff":
            code = data.get("centre_code")
            if not code:
                raise ValidationError({"centre_code": [field_error("donations.centre_required")]})
            if not is_known_centre(code):
                raise ValidationError({"centre_code": [field_error("donations.unknown_centre")]})
        else:
            missing = [k for k in ("address", "city", "oblast") if not (data.get(k) or "").strip()]
            if missing:
                raise ValidationError({k: [field_error("donations.address_required")] for k in missing})


class DonationIn(StrictSchema):
    donor = fields.Nested(DonorIn, required=True)
    items = fields.List(fields.Nested(ItemIn), required=True,
                        validate=validate.Length(min=1, max=MAX_ITEMS))
    handover = fields.Nested(HandoverIn, required=True)


class WalkInDonorIn(DonorIn):
    """At the desk a donor may leave no contact at all; if they leave one, they consent."""

    consent = fields.Boolean(load_default=False)

    @validates("consent")
    def _consent(self, value, **_):
        pass

    @post_load
    def _normalise(self, data, **kwargs):
        if not (data.get("email") or data.get("phone")):
            return {**data, "email": None, "phone": None, "channels": []}
        if not data["consent"]:
            raise ValidationError({"consent": [field_error("donations.consent_required")]})
        return super()._normalise(data, **kwargs)


class WalkInIn(StrictSchema):
    donor = fields.Nested(WalkInDonorIn, load_default=None)
    items = fields.List(fields.Nested(ItemIn), required=True,
                        validate=validate.Length(min=1, max=MAX_ITEMS))


class ReasonIn(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class OptionalReasonIn(StrictSchema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


STATUS = {"description": "the donation's state (services/donations/domain.py)", "enum": list(domain.STATUSES)}


class DonationCreated(Schema):
    id = fields.UUID()
    tracking_code = fields.String()
    status = fields.String(metadata=STATUS)


class PickupIn(StrictSchema):
    scheduled_start = fields.AwareDateTime(required=True)
    scheduled_end = fields.AwareDateTime(required=True)

    @validates_schema
    def _order(self, data, **_):
        if data["scheduled_end"] <= data["scheduled_start"]:
            raise ValidationError({"scheduled_end": [field_error("donations.window_order")]})


class CollectionIn(StrictSchema):
    collected_count = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class DonationOut(Schema):
    id = fields.UUID()
    tracking_code = fields.String()
    status = fields.String(metadata=STATUS)
    handover = fields.String()
    centre_code = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    oblast = fields.String(allow_none=True)
    declared_count = fields.Integer()
    collected_count = fields.Integer(allow_none=True)
    pickup_start = fields.DateTime(allow_none=True)
    pickup_end = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class TimelineEntry(Schema):
    at = fields.DateTime()
    stage = fields.String()
    text = fields.String()


class CentreCopiesOut(Schema):
    centre_code = fields.String()
    centre_name = fields.String()
    settlement = fields.String()
    oblast = fields.String()
    on_the_way = fields.Integer()
    on_shelves = fields.Integer()
    taken = fields.Integer(metadata={"description": "taken home by readers"})
    text = fields.String()


class OblastCopiesOut(Schema):
    oblast = fields.String()
    centres = fields.Integer()
    on_shelves = fields.Integer()
    on_the_way = fields.Integer()
    taken = fields.Integer()


class CopiesOut(Schema):
    catalogued = fields.Integer()
    withdrawn = fields.Integer()
    text = fields.String(allow_none=True)
    centres = fields.List(fields.Nested(CentreCopiesOut))
    oblasts = fields.List(fields.Nested(OblastCopiesOut), metadata={"description": "the same, by oblast"})


class SentMessageOut(Schema):
    at = fields.AwareDateTime()
    stage = fields.String()
    channel = fields.String()
    status = fields.String()
    text = fields.String()


class TrackingOut(Schema):
    tracking_code = fields.String()
    status = fields.String()
    status_text = fields.String()
    declared_count = fields.Integer()
    collected_count = fields.Integer(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntry))
    copies = fields.Nested(CopiesOut, metadata={"description": "where the copies went"})
    messages = fields.List(fields.Nested(SentMessageOut), metadata={"description": "what we told the donor"})
    preferences_url = fields.String(allow_none=True, metadata={
        "description": "the donor's message preferences (signed link; none once erased)"})


class BoardDonation(Schema):
    id = fields.UUID()
    status = fields.String()
    created_at = fields.DateTime()
    declared_count = fields.Integer()
    address = fields.String(allow_none=True)
    preferred_windows = fields.List(fields.Dict(), allow_none=True)
    pickup_start = fields.DateTime(allow_none=True)
    pickup_end = fields.DateTime(allow_none=True)


class BoardCity(Schema):
    city = fields.String()
    donations = fields.List(fields.Nested(BoardDonation))


class BoardOblast(Schema):
    oblast = fields.String()
    waiting = fields.Integer()
    cities = fields.List(fields.Nested(BoardCity))


class ManifestOfferIn(StrictSchema):
    """The form fields that come with a manifest: who gives, and how the books are handed over."""

    donor = fields.Nested(DonorIn, required=True)
    handover = fields.Nested(HandoverIn, required=True)
