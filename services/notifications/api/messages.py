"""The delivery log (admin): what each donor was told, when, how, and how it went."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from services.notifications.models import Message, Notice
from shared import db
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
        with db.session_scope("notifications") as session:
            return list(session.scalars(select(Message).where(
                Message.donation_id == query["donation_id"]).order_by(Message.id)))


@blp.route("/notices")
class Notices(MethodView):
    @require("admin")
    @blp.arguments(ByDonation, location="query")
    @blp.response(200, NoticeOut(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        """What the donor is to be told, stage by stage (a batch waits for its window to close)."""
        with db.session_scope("notifications") as session:
            return list(session.scalars(select(Notice).where(
                Notice.donation_id == query["donation_id"]).order_by(Notice.id)))
