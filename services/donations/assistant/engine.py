"""One question → one answer: what is asked (intents.understand), the facts it needs — a
donation by its tracking code or by the donor's Telegram chat, the needs snapshot catalog
published, the centres' reference data — and the words (replies). The same engine answers the
Telegram bot and the "Ask us" box.

A tracking code is the key to its donation's status and nothing more: the answer says what the
tracking page says (stage, where the copies are, the link), never a name, a contact or an
address."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.donations import services as donation_services
from services.donations.assistant import intents, replies
from services.donations.assistant.intents import Understanding
from services.donations.assistant.language import Place, gazetteer
from services.donations.assistant.models import NeedsSnapshot
from services.donations.models import Donation, Donor
from shared import config, db, donor_links
from shared.centres import reference_centres

SERVICE = "donations"
MAX_CODES = 3


@dataclass
class Answer:
    understanding: Understanding
    text: str
    handed_over: bool
    donation_ids: list[uuid.UUID] = field(default_factory=list)
    donor_id: uuid.UUID | None = None

    @property
    def intent(self) -> str:
        return self.understanding.intent

    @property
    def language(self) -> str:
        return self.understanding.language


def _urls(lang: str) -> dict[str, str]:
    donations, catalog = config.public_base_url("donations"), config.public_base_url("catalog")
    return {"offer": f"{donations}/?lang={lang}", "track": f"{donations}/track?lang={lang}",
            "needs": f"{catalog}/needs?lang={lang}"}


def tracking_url(code: str, lang: str) -> str:
    return f"{config.public_base_url('donations')}/track/{code}?lang={lang}"


def snapshot(session: Session) -> dict | None:
    row = session.get(NeedsSnapshot, 1)
    return dict(row.payload) if row is not None else None


def answer(text: str, *, channel: str, hint: str | None = None, known_donations: list[uuid.UUID] | tuple = (),
           page_url: str | None = None, email: str | None = None, session: Session | None = None) -> Answer:
    """The assistant's answer to `text`. `known_donations`: the donations of a donor the channel
    recognised (their Telegram chat); `page_url`: where a web asker reopens their question;
    `session`: a consumer's transaction to read through (else one is opened)."""
    if session is None:
        with db.session_scope(SERVICE) as own:
            return answer(text, channel=channel, hint=hint, known_donations=known_donations, page_url=page_url,
                          email=email, session=own)
    understood = intents.understand(text, hint)
    lang = understood.language
    urls = _urls(lang)
    result = Answer(understood, "", handed_over=understood.intent in intents.HANDED_OVER)
    intent = understood.intent
    if intent == "track":
        result.text = _track(session, understood, known_donations, channel, urls, result)
    elif intent == "needs":
        result.text = replies.needs(snapshot(session), understood.places.first, urls["needs"], lang)
    elif intent == "give":
        place = understood.places.first
        result.text = replies.give(urls["offer"], place, _dropoff_centres(place), lang)
    elif intent == "shelf":
        result.text = _shelf(session, understood, urls, lang)
    elif intent == "preferences":
        result.text = _preferences(session, understood, known_donations, result)
    elif intent in intents.HANDED_OVER:
        result.text = replies.handover(intent, channel, page_url, email, lang)
    else:
        result.text = getattr(replies, intent)(lang)
    return result


# --- where are my books -----------------------------------------------------------------------------

def _donation_view(session: Session, code: str, lang: str) -> tuple[dict, Donation] | None:
    from services.donations.api.track import tracking_view

    try:
        donation, _ = donation_services.find_by_tracking_code(code, session)
        return tracking_view(code, lang, False, session), donation
    except donation_services.NotFound:
        return None


def _track(session: Session, understood: Understanding, known: list, channel: str, urls: dict,
           result: Answer) -> str:
    lang = understood.language
    parts = []
    for code in understood.codes[:MAX_CODES]:
        found = _donation_view(session, code, lang)
        if found is None:
            parts.append(replies.unknown_code(code, lang))
            continue
        view, donation = found
        result.donation_ids.append(donation.id)
        result.donor_id = result.donor_id or donation.donor_id
        text = replies.donation_status(view, tracking_url(view["tracking_code"], lang), lang)
        if "cancel" in understood.concepts and view["status"] in ("offered", "pickup_scheduled", "pickup_failed"):
            text += "\n" + replies._pick(lang, "Скасувати пожертву можна кнопкою на тій самій сторінці.",
                                         "The same page has a button to cancel the donation.")
        parts.append(text)
    if parts:
        return "\n\n".join(parts)
    if known:
        views = []
        for donation in _donations(session, known):
            found = _donation_view(session, donation.tracking_code, lang)
            if found is not None:
                result.donation_ids.append(donation.id)
                result.donor_id = result.donor_id or donation.donor_id
                views.append((found[0], tracking_url(found[0]["tracking_code"], lang)))
        if views:
            return replies.donations_status(views, lang)
    if understood.mistyped_codes:
        return replies.mistyped_code(understood.mistyped_codes[0], lang)
    return replies.ask_for_code(lang, urls["track"] if channel == "web" else None)


def _donations(session: Session, ids) -> list[Donation]:
    return list(session.scalars(select(Donation).where(Donation.id.in_([uuid.UUID(str(i)) for i in ids]))
                                .order_by(Donation.created_at.desc())))


# --- centres -------------------------------------------------------------------------------------------

def _reference(code: str) -> dict:
    centre = reference_centres()[code]
    _, by_code, _ = gazetteer()
    place = by_code[code]
    return {"code": code, "name": centre["name"], "settlement": place.name, "oblast": place.oblast,
            "address": centre["address"]}


def _in_place(centres: list[dict], place: Place) -> list[dict]:
    if place.kind == "oblast":
        return [c for c in centres if c["oblast"] == place.oblast]
    return [c for c in centres if c["settlement"] == place.name]


def _dropoff_centres(place: Place | None) -> list[dict]:
    """Where books can be brought: any service centre (the offer form lists them all)."""
    if place is None:
        return []
    return _in_place([_reference(code) for code in sorted(reference_centres())], place)


def _shelves(session: Session) -> tuple[list[dict], bool]:
    """Centres with shelves (as catalog last said), in the reference data's words; and whether
    catalog has said anything yet."""
    snap = snapshot(session)
    if snap is None:
        return [], False
    known_codes = reference_centres()
    shelves = []
    for centre in snap.get("centres", []):
        if centre["code"] in known_codes:
            shelves.append({**_reference(centre["code"]), "address": centre.get("address") or
                            known_codes[centre["code"]]["address"], "level": centre.get("level")})
    return shelves, True


def _shelf(session: Session, understood: Understanding, urls: dict, lang: str) -> str:
    shelves, known = _shelves(session)
    if understood.places.centre_codes:
        named = _reference(understood.places.centre_codes[0])
        has = any(c["code"] == named["code"] for c in shelves) if known else None
        nearby = [c for c in shelves if c["oblast"] == named["oblast"] and c["code"] != named["code"]]
        return replies.shelf(None, [], nearby, named, has, urls["needs"], lang)
    place = understood.places.first
    if place is None:
        return replies.shelf(None, [], [], None, None, urls["needs"], lang)
    if not known:  # catalog has not told us yet: say so, never "no shelves"
        return replies.shelves_unknown(urls["needs"], lang)
    here = _in_place(shelves, place)
    nearby = [] if here else [c for c in shelves if c["oblast"] == place.oblast]
    return replies.shelf(place, here, nearby, None, None, urls["needs"], lang)


# --- how we write to you --------------------------------------------------------------------------------

def _preferences(session: Session, understood: Understanding, known: list, result: Answer) -> str:
    lang = understood.language
    donation = None
    for code in understood.codes[:1]:
        found = _donation_view(session, code, lang)
        if found is not None:
            donation = found[1]
    if donation is None and known:
        donations = _donations(session, known)
        donation = donations[0] if donations else None
    preferences = tracking = None
    if donation is not None:
        result.donation_ids.append(donation.id)
        result.donor_id = donation.donor_id
        donor = session.get(Donor, donation.donor_id)
        erased = donor is None or donor.erased_at is not None
        if not erased:
            preferences = donor_links.preferences_url(donation.donor_id)
            tracking = tracking_url(donation.tracking_code, lang)
    return replies.preferences(preferences, tracking, "forget" in understood.concepts, lang)
