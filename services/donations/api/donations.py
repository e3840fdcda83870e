"""Donations and the logistics actions on them."""
from __future__ import annotations

import uuid

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.donations import services
from services.donations.schemas import (
    BoardOblast,
    CollectionIn,
    DonationCreated,
    DonationIn,
    DonationOut,
    PickupIn,
    ReasonIn,
)
from shared.auth import current_staff, public, require
from shared.codes import display
from shared.limits import limited

blp = Blueprint("donations", __name__, url_prefix="/api/v1/donations",
                description="Donation offers and pickup logistics")


@blp.route("")
class Donations(MethodView):
    @limited("offers")
    @public
    @blp.arguments(DonationIn())
    @blp.response(201, DonationCreated)
    @blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                          "schema": {"type": "string", "maxLength": 100}}])
    def post(self, data):
        """Offer books (public). Resubmitting the same form returns the same donation."""
        return created_response(offer(data))


def offer(data: dict) -> services.Offered:
    """The public offer use case, with the request's Idempotency-Key."""
    return services.offer_donation(data, idempotency_key=idempotency_key())


def idempotency_key() -> str | None:
    return (request.headers.get("Idempotency-Key") or "").strip()[:100] or None


def created_response(offered: services.Offered):
    donation = offered.donation
    body = {"id": donation.id, "tracking_code": display(donation.tracking_code),
            "status": donation.status}
    if not offered.created:
        return body, 200, {"Idempotent-Replayed": "true"}
    return body



@blp.route("/board")
class Board(MethodView):
    @require("logistics")
    @blp.response(200, BoardOblast(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self):
        """Donations waiting for a pickup, by oblast and city, oldest first."""
        return services.pickup_board()


@blp.route("/<uuid:donation_id>")
class DonationById(MethodView):
    @require("logistics")
    @blp.response(200, DonationOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, donation_id: uuid.UUID):
        return services.get_donation(donation_id)


@blp.route("/<uuid:donation_id>/pickup")
class Pickup(MethodView):
    @require("logistics")
    @blp.arguments(PickupIn)
    @blp.response(200, DonationOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, data, donation_id: uuid.UUID):
        """Schedule (or reschedule) the pickup into a window."""
        return services.schedule_pickup(donation_id, data["scheduled_start"], data["scheduled_end"],
                                        actor=current_staff().name)


@blp.route("/<uuid:donation_id>/pickup/failure")
class PickupFailure(MethodView):
    @require("logistics")
    @blp.arguments(ReasonIn)
    @blp.response(200, DonationOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, data, donation_id: uuid.UUID):
        """The pickup did not happen; `reason` is told to the donor."""
        return services.fail_pickup(donation_id, data["reason"], actor=current_staff().name)


@blp.route("/<uuid:donation_id>/cancellation")
class Cancellation(MethodView):
    @require("logistics")
    @blp.arguments(ReasonIn)
    @blp.response(200, DonationOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, data, donation_id: uuid.UUID):
        """Cancel a donation that has not been collected, with a reason."""
        return services.cancel(donation_id, by="staff", actor=current_staff().name, reason=data["reason"])


@blp.route("/<uuid:donation_id>/collection")
class Collection(MethodView):
    @require("logistics")
    @blp.arguments(CollectionIn)
    @blp.response(200, DonationOut)
    @blp.doc(security=[{"bearer": []}])
    def post(self, data, donation_id: uuid.UUID):
        """Record what was collected (it may differ from the offer; both are kept)."""
        return services.record_collection(donation_id, data["collected_count"], actor=current_staff().name,
                                          note=data["note"])
