"""The donor's say and the impact report, through the API (public; signed link or tracking code)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.donations import impact, services
from shared.auth import public
from shared.limits import allowed
from shared.web import ApiError

blp = Blueprint("impact", __name__, url_prefix="/api/v1", description="Feedback and impact reports")


class FeedbackIn(Schema):
    useful = fields.Boolean(required=True)
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


def _plain(value):
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@blp.route("/track/<string:code>/feedback")
class TrackFeedback(MethodView):
    @public
    @blp.arguments(FeedbackIn)
    @blp.response(200)
    def post(self, data, code: str):
        """'Was this useful?' for the tracking page: the latest answer counts."""
        if not allowed("feedback"):  # rate limit of this route
            raise ApiError(429, "error.too_many")
        donation, _ = services.find_by_tracking_code(code)
        return impact.give_feedback(donation.id, "tracking", data["useful"], data["comment"])


@blp.route("/impact/<string:token>")
class Impact(MethodView):
    @public
    @blp.response(200)
    def get(self, token: str):
        """The impact report behind a shareable link: copies, centres and oblasts reached, taken by
        readers, readers' notes. One donor's donations only."""
        if not allowed("impact"):  # rate limit of this route
            raise ApiError(429, "error.too_many")
        return _plain(impact.report(token))
