"""Allocations (proposed, edited, accepted) and the shipments they become."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog.schemas import (
    AcceptedOut,
    AllocationIn,
    AllocationItemIn,
    AllocationOut,
    DispatchIn,
    ShipmentOut,
    ShipmentQuery,
    ShipmentSummaryOut,
)
from services.catalog.services import shipping
from shared.auth import current_staff, require
from shared.i18n import current_language

blp = Blueprint("shipments", __name__, url_prefix="/api/v1",
                description="Allocation of copies to centres, and shipments")
BEARER = [{"bearer": []}]


@blp.route("/allocations")
class Allocations(MethodView):
    @require("logistics")
    @blp.arguments(AllocationIn)
    @blp.response(201, AllocationOut)
    @blp.doc(security=BEARER)
    def post(self, data):
        """Propose where every catalogued copy at the hub (or those of some donations) should go."""
        return shipping.propose(current_staff().name, data["donation_ids"])


@blp.route("/allocations/<int:allocation_id>")
class AllocationById(MethodView):
    @require("logistics")
    @blp.response(200, AllocationOut)
    @blp.doc(security=BEARER)
    def get(self, allocation_id: int):
        return shipping.get_allocation(allocation_id, current_language())


@blp.route("/allocations/<int:allocation_id>/copies/<string:copy_code>")
class AllocationItem(MethodView):
    @require("logistics")
    @blp.arguments(AllocationItemIn)
    @blp.response(200, AllocationOut)
    @blp.doc(security=BEARER)
    def put(self, data, allocation_id: int, copy_code: str):
        """Edit the proposal: send this copy to another centre (or keep it at the hub: null)."""
        return shipping.move_item(allocation_id, copy_code, data["centre_code"])


@blp.route("/allocations/<int:allocation_id>/acceptance")
class Acceptance(MethodView):
    @require("logistics")
    @blp.response(201, AcceptedOut)
    @blp.doc(security=BEARER)
    def post(self, allocation_id: int):
        """Accept the allocation: one shipment per centre, each with its manifest."""
        return shipping.accept(allocation_id, current_staff().name)


@blp.route("/shipments")
class Shipments(MethodView):
    @require("logistics", "centre_staff")
    @blp.arguments(ShipmentQuery, location="query")
    @blp.response(200, ShipmentSummaryOut(many=True))
    @blp.doc(security=BEARER)
    def get(self, query):
        """Shipments, newest first. Centre staff see their centre's only."""
        staff = current_staff()
        centre = staff.centre if staff.role == "centre_staff" else query["centre_code"]
        return shipping.list_shipments(status=query["status"], centre_code=centre)


@blp.route("/shipments/<int:shipment_id>")
class ShipmentById(MethodView):
    @require("logistics", "centre_staff")
    @blp.response(200, ShipmentOut)
    @blp.doc(security=BEARER)
    def get(self, shipment_id: int):
        """The shipment and its manifest."""
        shipping.check_own(shipment_id, current_staff())
        return shipping.get_shipment(shipment_id)


@blp.route("/shipments/<int:shipment_id>/dispatch")
class Dispatch(MethodView):
    @require("logistics")
    @blp.arguments(DispatchIn)
    @blp.response(200, ShipmentOut)
    @blp.doc(security=BEARER)
    def post(self, data, shipment_id: int):
        """The boxes left the hub (optionally with the carrier's tracking number)."""
        return shipping.dispatch(shipment_id, data["carrier_tracking"], current_staff().name)


@blp.route("/shipments/<int:shipment_id>/closing")
class Closing(MethodView):
    @require("logistics", "centre_staff")
    @blp.response(200, ShipmentOut)
    @blp.doc(security=BEARER)
    def post(self, shipment_id: int):
        """Close the shipment; the answer lists copies that never arrived (marked missing)."""
        shipping.check_own(shipment_id, current_staff())
        return shipping.close(shipment_id, current_staff().name)
