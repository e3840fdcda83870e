"""Scanning at a centre: arrivals, shelving, shelf counts, misrouted copies."""
from __future__ import annotations

import uuid

from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog.schemas import CopyOut, InventoryOut, MisroutedDecisionIn, RecentScanOut, ScanIn, ScanOut
from services.catalog.services import scanning
from shared.auth import current_staff, require
from shared.i18n import current_language

blp = Blueprint("scans", __name__, url_prefix="/api/v1/centres/<string:code>",
                description="Scans at a centre (centre staff of that centre, logistics, admin)")
BEARER = [{"bearer": []}]


@blp.route("/scans")
class Scans(MethodView):
    @require("centre_staff", "logistics", centre_arg="code")
    @blp.arguments(ScanIn)
    @blp.response(200, ScanOut)
    @blp.doc(security=BEARER)
    def post(self, data, code: str):
        """One scan. `result` is one word to switch on; `message` says it in the user's language."""
        return scanning.scan(code, data["code"], data["mode"], data["scan_id"] or uuid.uuid4(),
                             current_staff().name, current_language())

    @require("centre_staff", "logistics", centre_arg="code")
    @blp.response(200, RecentScanOut(many=True))
    @blp.doc(security=BEARER)
    def get(self, code: str):
        """The last 20 scans at the centre."""
        return scanning.recent_scans(code)


@blp.route("/inventory")
class CurrentInventory(MethodView):
    @require("centre_staff", "logistics", centre_arg="code")
    @blp.response(200, InventoryOut)
    @blp.doc(security=BEARER)
    def get(self, code: str):
        """The open shelf count (scans in `inventory` mode open one)."""
        return scanning.current_inventory(code)


@blp.route("/inventory/closing")
class InventoryClosing(MethodView):
    @require("centre_staff", "logistics", centre_arg="code")
    @blp.response(200, InventoryOut)
    @blp.doc(security=BEARER)
    def post(self, code: str):
        """Close the count: copies on the shelf it did not see were taken by readers."""
        return scanning.close_inventory(code, current_staff().name)


@blp.route("/misrouted")
class Misrouted(MethodView):
    @require("centre_staff", "logistics", centre_arg="code")
    @blp.response(200, CopyOut(many=True))
    @blp.doc(security=BEARER)
    def get(self, code: str):
        """Copies that arrived here by mistake and wait for a decision."""
        return scanning.misrouted_at(code)


@blp.route("/misrouted/<string:copy_code>")
class MisroutedDecision(MethodView):
    @require("centre_staff", "logistics", centre_arg="code")
    @blp.arguments(MisroutedDecisionIn)
    @blp.response(200, CopyOut)
    @blp.doc(security=BEARER)
    def post(self, data, code: str, copy_code: str):
        """Keep the copy here, or send it on to where it was going (one click)."""
        return scanning.decide_misrouted(code, copy_code, data["decision"], current_staff().name)
