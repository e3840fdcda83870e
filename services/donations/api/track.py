"""The donor's view of a donation, by its tracking code (public, rate-limited)."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.donations import services, texts
from services.donations.schemas import OptionalReasonIn, TrackingOut
from shared import donor_links
from shared.auth import public
from shared.codes import display
from shared.i18n import current_language
from shared.limits import limited

blp = Blueprint("track", __name__, url_prefix="/api/v1/track",
                description="A donor's view of their donation")

def tracking_view(code: str, lang: str, latin: bool, session=None) -> dict:
    """The donor's view of a donation (`session`: a caller's transaction to read through)."""
    donation, history = services.find_by_tracking_code(code, session)
    convert = texts.latin if latin and lang == "uk" else (lambda s: s)
    timeline = []
    for entry in history:
        details = dict(entry.details or {})
        if entry.reason:
            details.setdefault("reason", entry.reason)
        when = until = None
        if entry.stage in ("pickup_scheduled", "pickup_rescheduled"):
            from datetime import datetime
            when = datetime.fromisoformat(details["start"])
            until = datetime.fromisoformat(details["end"])
        timeline.append({"at": entry.at, "stage": entry.stage,
                         "text": convert(texts.stage_text(entry.stage, details, lang,
                                                          when=when, until=until))})
    where = services.whereabouts(donation.id, session)
    for entry in where["centres"]:
        entry["text"] = convert(texts.centre_text(entry, lang))
    for entry in where["oblasts"]:
        entry["oblast"] = convert(entry["oblast"])
    summary = texts.copies_text(where, lang)
    where["text"] = convert(summary) if summary else None
    messages = [{"at": m.at, "stage": m.stage, "channel": m.channel, "status": m.status,
                 "text": convert(texts.message_text(m.stage, m.channel, m.status, lang))}
                for m in services.messages_of(donation.id, session)]
    erased = any(entry.stage == "erased" for entry in history)
    return {"tracking_code": display(donation.tracking_code), "status": donation.status,
            "copies": where, "messages": messages,
            # How we write to them (channels, reader news, unsubscribe) — for SMS donors too.
            "preferences_url": None if erased else donor_links.preferences_url(donation.donor_id),
            "status_text": convert(texts.status_name(donation.status, lang)),
            "declared_count": donation.declared_count,
            "collected_count": donation.collected_count, "timeline": timeline}


@blp.route("/<string:code>")
class Track(MethodView):
    @limited("tracking")
    @public
    @blp.response(200, TrackingOut)
    def get(self, code: str):
        """The timeline of a donation in plain words (`?script=latin` for Latin letters)."""
        # A mistyped code and an unknown one get the same answer: nothing to probe.
        return tracking_view(code, current_language(), request.args.get("script") == "latin")


@blp.route("/<string:code>/cancellation")
class DonorCancellation(MethodView):
    @limited("donor_actions")
    @public
    @blp.arguments(OptionalReasonIn)
    @blp.response(200, TrackingOut)
    def post(self, data, code: str):
        """The donor cancels their own donation (before it is collected)."""
        donation, _ = services.find_by_tracking_code(code)
        services.cancel(donation.id, by="donor", actor="donor", reason=data["reason"])
        return tracking_view(code, current_language(), False)


@blp.route("/<string:code>/erasure")
class DonorErasure(MethodView):
    @limited("donor_actions")
    @public
    @blp.response(200, TrackingOut)
    def post(self, code: str):
        """Forget me: name and contacts are erased here and in notifications; the
        donation's statistics remain."""
        services.erase_donor(code)
        return tracking_view(code, current_language(), False)
