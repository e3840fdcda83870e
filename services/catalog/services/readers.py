"""Readers and a copy: its public page (what the label's QR code opens) with its journey,
readers' notes, and "I liked this book"."""
from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select

from services.catalog.models import Centre, Copy, CopyStep, IncomingDonation, ReaderNote
from services.catalog.services import reports
from shared import codes, db, errors
from shared.i18n import field_error
from shared.models import utcnow
from shared.outbox import add_event

SERVICE = "catalog"
NOTE_LIMIT = 500
# Steps a reader cares about; the hub's bookkeeping (allocated, sent on) stays internal.
PUBLIC_STEPS = ("catalogued", "dispatched", "received", "shelved", "moved", "taken", "returned", "kept")


def _copy(session, code_text: str) -> Copy:
    code = codes.normalise(code_text)
    copy = session.get(Copy, code) if codes.is_valid(code, codes.COPY_RANDOM_CHARS) else None
    if copy is None:
        raise errors.NotFound("catalog.copy_not_found")
    return copy


def copy_page(code_text: str) -> dict:
    """What anyone with the label may see: the book, where it came from (donor kind and city,
    never a person), where it has been, and what readers wrote."""
    with db.session_scope(SERVICE) as session:
        copy = _copy(session, code_text)
        donation = session.get(IncomingDonation, copy.donation_id)
        steps = list(session.scalars(select(CopyStep).where(
            CopyStep.copy_code == copy.code, CopyStep.kind.in_(PUBLIC_STEPS)).order_by(CopyStep.id)))
        centres = {c.code: c for c in session.scalars(select(Centre).where(
            Centre.code.in_({s.centre_code for s in steps if s.centre_code} | {copy.centre_code or ""})))}
        notes = list(session.scalars(select(ReaderNote).where(ReaderNote.copy_code == copy.code)
                                     .order_by(ReaderNote.id.desc()).limit(50)))

        def place(code):
            centre = centres.get(code)
            return None if centre is None else {"code": centre.code, "name": centre.name,
                                                "settlement": centre.settlement, "oblast": centre.oblast}

        return {
            "code": codes.display(copy.code, codes.COPY_GROUP), "title": copy.title.title,
            "authors": copy.title.authors, "isbn": copy.title.isbn, "status": copy.status,
            "centre": place(copy.centre_code),
            "from": {"donor_kind": donation.donor_kind if donation else None,
                     "city": donation.city if donation else None},
            "journey": [{"kind": s.kind, "at": s.at, "centre": place(s.centre_code)} for s in steps],
            "notes": [{"text": n.text, "passing_on": n.passing_on, "at": n.at} for n in notes],
        }


def clean_note(text: str) -> str:
    """Readers' words only, as plain text that is safe anywhere in HTML: tags stripped (and
    entities decoded) by markupsafe, then any angle bracket left — `&lt;script&gt;` decodes to
    one — turned into a harmless look-alike, spaces tidied."""
    plain = Markup(text or "").striptags().replace("<", "‹").replace(">", "›")
    return " ".join(plain.split())[:NOTE_LIMIT]


def add_note(code_text: str, text: str, passing_on: bool) -> dict:
    note = clean_note(text)
    if not note and not passing_on:
        raise errors.Invalid("catalog.note_empty", errors={"text": [field_error("catalog.note_empty")]})
    with db.session_scope(SERVICE) as session:
        copy = _copy(session, code_text)
        session.add(ReaderNote(copy_code=copy.code, text=note, passing_on=passing_on, at=utcnow()))
        add_event(session, "catalog.copy_noted", {
            "copy_code": copy.code, "donation_id": copy.donation_id, "note": note,
            "passing_on": passing_on}, producer=SERVICE)
        return {"text": note, "passing_on": passing_on}


def like(code_text: str) -> dict:
    """A reader's "I liked this book", counted by the reports."""
    with db.session_scope(SERVICE) as session:
        copy = _copy(session, code_text)
        reports.record_like(session, copy.code, copy.centre_code, utcnow())
        return {"code": codes.display(copy.code, codes.COPY_GROUP), "liked": True}
