"""The delivery log (admin)."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from services.notifications.models import Notice
from shared import db
from shared.auth import require

blp = Blueprint("messages", __name__, url_prefix="/api/v1/messages",
                description="What each donor was told, when and how")


class MessagesQuery(Schema):
    donation_id = fields.UUID(required=True)


class MessageOut(Schema):
    id = fields.Integer()
    donation_id = fields.UUID()
    stage = fields.String()
    status = fields.String()
    channel = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


@blp.route("")
class Messages(MethodView):
    @require("admin")
    @blp.arguments(MessagesQuery, location="query")
    @blp.response(200, MessageOut(many=True))
    @blp.doc(security=[{"bearer": []}])
    def get(self, query):
        with db.session_scope("notifications") as session:
            return list(session.scalars(select(Notice).where(
                Notice.donation_id == query["donation_id"]).order_by(Notice.id)))
