"""Where books are needed: the public page donors see before they offer, and the oblasts'
wish lists that admin keeps."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from services.catalog.allocation import CentreState, need_scores
from services.catalog.domain import MAX_WISHES
from services.catalog.models import Centre, OblastPriority
from services.catalog.report_models import OblastWishes
from services.catalog.services.reports import catch_up, tallies
from services.catalog.texts import WISH_KINDS
from shared import db, errors
from shared.i18n import field_error
from shared.models import utcnow

SERVICE = "catalog"
# What the stock of a centre is for the allocator: on its shelf, or on the way to it.
HELD = ("received", "shelved", "allocated", "in_transit")


def needs() -> dict:
    """Centres with shelves, their need (the allocator's score, relative to the neediest), by
    oblast, with each oblast's wishes."""
    catch_up(reader=True)  # the stock as it is now, copies moved a moment ago included
    with db.session_scope(SERVICE) as session:
        t = tallies(session, "stock")["stock"]
        centres = list(session.scalars(select(Centre).where(Centre.has_shelf.is_(True)).order_by(Centre.code)))
        weights = {p.oblast: p.weight for p in session.scalars(select(OblastPriority))}
        wishes = {w.oblast: list(w.kinds) for w in session.scalars(select(OblastWishes))}
    states = [CentreState(code=c.code, settlement=c.settlement, oblast=c.oblast, capacity=c.shelf_capacity or 0,
                          stock=sum(t.get(f"{c.code}|{s}", 0) for s in HELD), visitors_per_year=c.visitors_per_year,
                          priority_weight=weights.get(c.oblast, 1.0)) for c in centres]
    scores = need_scores(states)
    top = max(scores.values(), default=0.0) or 1.0
    by_oblast: dict[str, list] = defaultdict(list)
    for centre, state in zip(centres, states):
        relative = scores[centre.code] / top
        level = ("full" if scores[centre.code] == 0 else "high" if relative >= 0.66
                 else "medium" if relative >= 0.33 else "low")
        by_oblast[centre.oblast].append({
            "code": centre.code, "name": centre.name, "settlement": centre.settlement, "address": centre.address,
            "books": state.stock, "capacity": state.capacity, "free_places": max(state.capacity - state.stock, 0),
            "visitors_per_year": centre.visitors_per_year, "need_score": round(scores[centre.code], 3),
            "need_relative": round(relative, 3), "level": level})
    oblasts = []
    for oblast, rows in by_oblast.items():
        rows.sort(key=lambda r: (-r["need_score"], r["code"]))
        oblasts.append({"oblast": oblast, "priority_weight": weights.get(oblast, 1.0),
                        "priority": weights.get(oblast, 1.0) > 1, "need_score": rows[0]["need_score"],
                        "level": rows[0]["level"], "wishes": wishes.get(oblast, []), "centres": rows})
    oblasts.sort(key=lambda o: (-o["need_score"], o["oblast"]))
    return {"oblasts": oblasts, "wish_kinds": {k: {"uk": v[0], "en": v[1]} for k, v in WISH_KINDS.items()}}


def set_wishes(oblast: str, kinds: list[str], actor: str) -> dict:
    unknown = [k for k in kinds if k not in WISH_KINDS]
    if unknown or len(kinds) > MAX_WISHES:
        raise errors.Invalid("catalog.wish_kinds", errors={"kinds": [field_error("catalog.wish_kinds", limit=MAX_WISHES)]},
                             limit=MAX_WISHES)
    with db.session_scope(SERVICE) as session:
        if session.scalar(select(Centre.code).where(Centre.oblast == oblast).limit(1)) is None:
            raise errors.NotFound("catalog.unknown_oblast")
        row = session.get(OblastWishes, oblast, with_for_update=True)
        if row is None:
            row = OblastWishes(oblast=oblast)
            session.add(row)
        row.kinds = list(dict.fromkeys(kinds))
        row.updated_by, row.updated_at = actor, utcnow()
        return {"oblast": oblast, "kinds": row.kinds}
