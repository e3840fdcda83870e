"""The reports' API: the dashboard's figures (staff), where books are needed (public), the
oblasts' wish lists (admin), readers' likes (public, rate-limited)."""
from __future__ import annotations

import re
from datetime import datetime

from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog.schemas import DashboardArgs, WishesIn
from services.catalog.services import figures, needs, readers
from shared.auth import current_staff, public, require
from shared.i18n import field_error
from shared.limits import allowed
from shared.web import ApiError

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports, needs, open data")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def plain(value):
    """JSON-ready: times as ISO 8601 (Flask would write RFC 822 dates)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@blp.route("/reports/dashboard")
class Dashboard(MethodView):
    @require("logistics")
    @blp.arguments(DashboardArgs, location="query")
    @blp.response(200)
    def get(self, args):
        """Every figure of the dashboard: people informed, response times (of `month`, default the
        latest), feedback, equity. Exact counts from the reports read model."""
        month = args.get("month")
        if month and not MONTH.match(month):
            raise ApiError(422, "error.unprocessable", errors={"month": [field_error("catalog.bad_month")]})
        return plain(figures.dashboard(month))


@blp.route("/needs")
class Needs(MethodView):
    @public
    @blp.response(200)
    def get(self):
        """Centres with shelves by oblast, greatest need first, with the oblasts' wish lists."""
        return needs.needs()


@blp.route("/oblasts/<string:oblast>/wishes")
class Wishes(MethodView):
    @require("admin")
    @blp.arguments(WishesIn)
    @blp.response(200)
    def put(self, data, oblast: str):
        """The kinds of books this oblast asks for (keys of `wish_kinds` in GET /needs)."""
        return needs.set_wishes(oblast, data["kinds"], current_staff().name)


@blp.route("/copies/<string:code>/likes")
class Likes(MethodView):
    @public
    @blp.response(201)
    def post(self, code: str):
        """A reader's 'I liked this book'."""
        if not allowed("likes"):  # rate limit of this route
            raise ApiError(429, "error.too_many")
        return readers.like(code)
