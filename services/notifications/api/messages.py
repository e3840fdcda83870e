"""The delivery log (admin): what each donor was told, when, how, and how it went."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications import services
from services.notifications.schemas import ByDonation, MessageOut, NoticeOut
from shared.auth import require

blp = Blueprint("messages", __name__, url_prefix="/api/v1",
                description="What each donor was told, when and how")


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
