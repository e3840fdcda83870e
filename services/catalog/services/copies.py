"""The one way a copy changes, and how a copy is shown."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from services.catalog import config, domain
from services.catalog.models import Centre, Copy, CopyStep
from services.catalog.services import reports
from shared import codes
from shared.models import utcnow
from shared.outbox import add_event

SERVICE = "catalog"


def centre_payload(centre: Centre) -> dict:
    return {"centre_code": centre.code, "centre_name": centre.name,
            "settlement": centre.settlement, "oblast": centre.oblast}


# What each per-copy event says besides the copy, its donation and the centre where it happens.
_COPY_EVENT_FIELDS = {
    "catalog.copy_catalogued": lambda copy, came_from: {"title": copy.title.title, "condition": copy.condition},
    "catalog.copy_withdrawn": lambda copy, came_from: {"reason": "damaged"},
    "catalog.copy_arrived": lambda copy, came_from: {"shipment_id": copy.shipment_id},
    "catalog.copy_misrouted": lambda copy, came_from: {"expected_centre_code": copy.destination_code},
    "catalog.copy_moved": lambda copy, came_from: {"from_centre_code": came_from},
    "catalog.copy_sent_on": lambda copy, came_from: {"from_centre_code": came_from,
                                                     "destination_code": copy.destination_code},
}


def move_copies(session: Session, copies: Sequence[Copy], action: str, *, actor: str | None,
                centre: Centre | None = None, destinations: Mapping[str, str] | None = None,
                batch: dict | None = None) -> None:
    """The one way a copy changes: `action` is a row of `domain.TRANSITIONS`.

    Every copy must be in a state the row starts from, and the change must happen where the
    row says (else `domain.TransitionNotAllowed`, before anything changes). Each copy gets the
    row's state and place, exactly one line of journey, and the row's event: one per copy, or,
    for a batch row (an allocation, a shipment), the batch's one event (`batch` holds its other
    fields) listing the copies, written even when the batch moved none. `centre` is where the change happens (a scan, a
    decision, a count); `destinations` the centre an allocation sends each copy to (by code).
    """
    here = centre.code if centre is not None else None
    for copy in copies:
        domain.transition(action, copy.status, here=here, centre=copy.centre_code,
                          destination=copy.destination_code)
    rule = domain.TRANSITIONS[action]
    places = {copy.code: domain.place_after(rule, copy.centre_code, copy.destination_code, here=here,
                                            given=destinations.get(copy.code) if destinations else None)
              for copy in copies}
    for copy in copies:
        if not domain.place_agrees(rule.target, *places[copy.code]):  # e.g. an allocation to no centre
            raise domain.TransitionNotAllowed(copy.status, action)
    now = utcnow()
    came_from = {}
    for copy in copies:
        came_from[copy.code] = copy.centre_code
        copy.centre_code, copy.destination_code = places[copy.code]
        copy.status, copy.updated_at = rule.target, now
    if any(copy in session.new for copy in copies):
        session.flush()  # new copies exist before their journey refers to them
    for copy in copies:
        session.add(CopyStep(copy_code=copy.code, kind=rule.step, at=now, actor=actor,
                             centre_code=copy.centre_code or copy.destination_code))
        if rule.event is not None and not rule.batch:
            at_centre = centre if here is not None and here == copy.centre_code else (
                session.get(Centre, copy.centre_code) if copy.centre_code else None)
            fields = _COPY_EVENT_FIELDS.get(rule.event)
            add_event(session, rule.event, {
                "copy_code": copy.code, "donation_id": copy.donation_id,
                **(centre_payload(at_centre) if at_centre is not None else {}),
                **(fields(copy, came_from[copy.code]) if fields else {})}, producer=SERVICE)
    if rule.batch:
        add_event(session, rule.event, {**(batch or {}), rule.names_copy: [c.code for c in copies]},
                  producer=SERVICE)
    reports.copies_moved(session, [copy.code for copy in copies])  # noted at commit, counted soon after


def copy_url(code: str) -> str:
    """The copy's public page: what its label's QR code opens."""
    return f"{config.public_url()}/c/{codes.display(code, codes.COPY_GROUP)}"


def copy_view(copy: Copy) -> dict:
    return {"code": codes.display(copy.code, codes.COPY_GROUP), "title": copy.title.title,
            "authors": copy.title.authors, "isbn": copy.title.isbn, "condition": copy.condition,
            "status": copy.status, "centre_code": copy.centre_code,
            "destination_code": copy.destination_code, "url": copy_url(copy.code)}
