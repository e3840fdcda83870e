"""Admin: open shelves, change capacities and visitor numbers, weigh oblasts."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog.schemas import CentreChangeIn, CentreOut, PriorityIn, PriorityOut, ShelfIn
from services.catalog.services import centres
from shared.auth import require

blp = Blueprint("admin", __name__, url_prefix="/api/v1", description="Shelves and priorities (admin)")
BEARER = [{"bearer": []}]


@blp.route("/centres/<string:code>/shelf")
class Shelf(MethodView):
    @require("admin")
    @blp.arguments(ShelfIn)
    @blp.response(201, CentreOut)
    @blp.doc(security=BEARER)
    def post(self, data, code: str):
        """Open a bookcrossing shelf at the centre."""
        return centres.open_shelf(code, data["capacity"], data["auto_shelve"])


@blp.route("/centres/<string:code>")
class CentreSettings(MethodView):
    @require("admin")
    @blp.arguments(CentreChangeIn)
    @blp.response(200, CentreOut)
    @blp.doc(security=BEARER)
    def patch(self, data, code: str):
        """Change shelf capacity (never below what the shelf holds), visitors, auto-shelving."""
        return centres.change_centre(code, data)


@blp.route("/oblasts")
class Oblasts(MethodView):
    @require("admin", "logistics")
    @blp.response(200, PriorityOut(many=True))
    @blp.doc(security=BEARER)
    def get(self):
        return centres.priorities()


@blp.route("/oblasts/<string:oblast>/priority")
class Priority(MethodView):
    @require("admin")
    @blp.arguments(PriorityIn)
    @blp.response(200, PriorityOut)
    @blp.doc(security=BEARER)
    def put(self, data, oblast: str):
        """An oblast's priority weight (1 = normal; more = it gets books sooner)."""
        return centres.set_priority(oblast, data["weight"])
