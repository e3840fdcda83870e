"""The delivery log (admin): what each donor was told, when, how, and how it went."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.notifications import services
from shared.auth import require

blp = Blueprint("messages", __name__, url_prefix="/api/v1",
                description="What each donor was told, when and how")


class ByDonation(Schema):
    donation_id = fields.UUID(required=True)


class MessageOut(Schema):
    id = fields.Integer()
    donation_id = fields.UUID()
    stage = fields.String()
    channel = fields.String()
    status = fields.String(metadata={"description": "pending | sending | sent | failed"})
    attempts = fields.Integer()
    held_reason = fields.String(allow_none=True, metadata={"description": "quiet_hours while held"})
    next_attempt_at = fields.AwareDateTime()
    last_error = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    encoding = fields.String(allow_none=True, metadata={"description": "SMS: GSM-7 or UCS-2"})
    segments = fields.Integer(allow_none=True, metadata={"description": "SMS: parts billed"})
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class NoticeOut(Schema):
    id = fields.Integer()
    donation_id = fields.UUID()
    stage = fields.String()
    batch = fields.Integer(metadata={"description": "per-copy stages: the batch (1, 2, …), one message each"})
    occasion_at = fields.AwareDateTime(allow_none=True, metadata={
        "description": "a stage that can happen again: the pickup window's start, or when the pickup failed"})
    status = fields.String(metadata={"description": "pending | done | dropped"})
    reason = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    send_after = fields.AwareDateTime()


@blp.route("/messages")
class Messages(MethodView):
    @require("admin")
    @blp.arguments(ByDonation, location="query")
    @blp.response(200, MessageOut(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """Every message to the donor of this donation (no addresses, no text after erasure)."""
        return services.messages_of(query["donation_id"])


@blp.route("/notices")
class Notices(MethodView):
    @require("admin")
    @blp.arguments(ByDonation, location="query")
    @blp.response(200, NoticeOut(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """What the donor is to be told, stage by stage (a batch waits for its window to close)."""
        return services.notices_of(query["donation_id"])
