"""Walk-in donations registered by a centre's staff at the desk."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.donations import services
from services.donations.api.donations import created_response, idempotency_key
from services.donations.schemas import DonationCreated, WalkInIn
from shared.auth import current_staff, require
from shared.centres import is_known_centre
from shared.web import ApiError

blp = Blueprint("walk_ins", __name__, url_prefix="/api/v1/centres",
                description="Books handed over at a centre's desk")


@blp.route("/<string:code>/walk-ins")
class WalkIns(MethodView):
    @require("centre_staff", centre_arg="code")
    @blp.arguments(WalkInIn)
    @blp.response(201, DonationCreated)
    @blp.doc(security=[{"bearer": []}])
    def post(self, data, code: str):
        """Register books left at this centre: the handover is done on the spot."""
        if not is_known_centre(code):
            raise ApiError(404, "donations.unknown_centre")
        data["idempotency_key"] = idempotency_key()
        return created_response(services.register_walk_in(code, data, actor=current_staff().name))
