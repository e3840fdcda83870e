"""At the hub: titles by ISBN (with the metadata cache), copies with codes, labels."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.catalog import config, domain
from services.catalog.labels import Label, label_sheet
from services.catalog.metadata import OpenLibrary, ProviderUnavailable
from services.catalog.models import Copy, IncomingDonation, IsbnLookup, Title
from services.catalog.services.copies import copy_url, copy_view, move_copies
from shared import codes, db, errors
from shared.books import title_key
from shared.i18n import field_error
from shared.models import utcnow

SERVICE = "catalog"


def provider() -> OpenLibrary | None:
    """The configured metadata provider; OPEN_LIBRARY_URL=off turns lookups off."""
    url = config.open_library_url()
    return None if url is None else OpenLibrary(url, timeout=config.open_library_timeout())


@dataclass(frozen=True)
class Lookup:
    status: str  # found | not_found | unavailable | off
    title: str | None = None
    authors: str | None = None
    publisher: str | None = None
    publish_date: str | None = None
    cover_url: str | None = None


def lookup_isbn(isbn13: str) -> Lookup:
    """Metadata for an ISBN: from the cache, else from the provider (and then cached). Never
    raises for a provider that is away: staff type the title by hand and nothing blocks."""
    with db.session_scope(SERVICE) as session:
        cached = session.get(IsbnLookup, isbn13)
        if cached is not None:
            return _from_row(cached)
    source = provider()
    if source is None:
        return Lookup("off")
    try:
        found = source.lookup(isbn13)
    except ProviderUnavailable:
        return Lookup("unavailable")  # not cached: ask again next time
    row = {"isbn": isbn13, "found": found is not None, "fetched_at": utcnow()}
    if found is not None:
        row.update(title=found.title[:500], authors=", ".join(found.authors)[:500] or None,
                   publisher=(found.publisher or None) and found.publisher[:300],
                   publish_date=found.publish_date and found.publish_date[:60],
                   cover_url=found.cover_url and found.cover_url[:500])
    with db.session_scope(SERVICE) as session:
        db.insert_ignoring_duplicates(session, IsbnLookup.__table__, row)
        return _from_row(session.get(IsbnLookup, isbn13))


def _from_row(row: IsbnLookup) -> Lookup:
    if not row.found:
        return Lookup("not_found")
    return Lookup("found", row.title, row.authors, row.publisher, row.publish_date, row.cover_url)


def _title(session: Session, isbn: str | None, title: str | None, authors: str | None,
           looked_up: Lookup | None) -> Title:
    key = title_key(isbn, title, authors)
    existing = session.get(Title, key)
    if existing is not None:
        return existing
    if looked_up is not None and looked_up.status == "found" and not title:
        values = {"title": looked_up.title, "authors": looked_up.authors,
                  "publisher": looked_up.publisher, "source": "open_library"}
    else:
        values = {"title": " ".join(title.split()), "authors": authors and " ".join(authors.split()),
                  "publisher": None, "source": "staff"}
    db.insert_ignoring_duplicates(session, Title.__table__, {
        "key": key, "isbn": isbn, "created_at": utcnow(), **values})
    return session.get(Title, key)


def catalogue(donation_id: uuid.UUID, entries: list[dict], actor: str) -> dict:
    """Catalogue copies of a donation at the hub. Every entry is checked before anything is
    written: an ISBN nobody knows needs a title typed by hand."""
    looked_up: dict[int, Lookup] = {}
    problems: dict[str, dict] = {}
    for index, entry in enumerate(entries):
        if entry.get("isbn") and not entry.get("title"):
            looked_up[index] = result = lookup_isbn(entry["isbn"])
            if result.status != "found":
                key = "catalog.title_needed" if result.status == "not_found" else "catalog.provider_unavailable"
                problems[str(index)] = {"title": [field_error(key)]}
    if problems:
        raise errors.Invalid(errors={"copies": problems})

    with db.session_scope(SERVICE) as session:
        incoming = session.get(IncomingDonation, donation_id, with_for_update=True)
        if incoming is None:
            raise errors.NotFound("catalog.donation_unknown")
        if incoming.status != "at_hub":
            raise errors.Conflict("catalog.donation_not_at_hub", status=incoming.status)
        made = []
        now = utcnow()
        for index, entry in enumerate(entries):
            title = _title(session, entry.get("isbn"), entry.get("title"), entry.get("authors"),
                           looked_up.get(index))
            batch = [Copy(code=codes.normalise(codes.new_code(codes.COPY_RANDOM_CHARS)),
                          title_key=title.key, donation_id=donation_id, condition=entry["condition"],
                          status=domain.NEW, catalogued_at=now, updated_at=now, title=title)
                     for _ in range(entry["quantity"])]
            session.add_all(batch)
            move_copies(session, batch, "catalogue", actor=actor)
            if entry["condition"] == "damaged":
                move_copies(session, batch, "withdraw", actor=actor)
            made.extend(batch)
        summary = _summary(session, incoming)
        summary["created"] = [copy_view(c) for c in made]
        return summary


def _summary(session: Session, incoming: IncomingDonation) -> dict:
    counts = dict(session.execute(
        select(Copy.status, func.count()).where(Copy.donation_id == incoming.donation_id)
        .group_by(Copy.status)).all())
    catalogued = sum(counts.values())
    expected = incoming.collected_count
    return {"donation_id": incoming.donation_id, "status": incoming.status,
            "declared_count": incoming.declared_count, "collected_count": expected,
            "catalogued_count": catalogued, "withdrawn_count": counts.get("withdrawn", 0),
            # Shown, not hidden: more or fewer books than were collected.
            "difference": None if expected is None else catalogued - expected}


def waiting_at_hub() -> list[dict]:
    """Donations at the hub, oldest collection first, with how many of their copies are
    catalogued so far."""
    with db.session_scope(SERVICE) as session:
        counts = dict(session.execute(select(Copy.donation_id, func.count()).group_by(Copy.donation_id)).all())
        return [{"id": d.donation_id, "where": ", ".join(x for x in (d.city, d.oblast) if x) or d.centre_code or "—",
                 "kind": d.donor_kind, "collected": d.collected_count, "catalogued": counts.get(d.donation_id, 0),
                 "collected_at": d.collected_at}
                for d in session.scalars(select(IncomingDonation).where(IncomingDonation.status == "at_hub")
                                         .order_by(IncomingDonation.collected_at))]


def intake_summary(donation_id: uuid.UUID) -> dict:
    with db.session_scope(SERVICE) as session:
        incoming = session.get(IncomingDonation, donation_id)
        if incoming is None:
            raise errors.NotFound("catalog.donation_unknown")
        summary = _summary(session, incoming)
        copies = session.scalars(select(Copy).where(Copy.donation_id == donation_id)
                                 .order_by(Copy.catalogued_at, Copy.code))
        summary["copies"] = [copy_view(c) for c in copies]
        return summary


def labels_pdf(donation_id: uuid.UUID) -> bytes:
    """A4 label sheets for the donation's copies that go to shelves (not the withdrawn)."""
    with db.session_scope(SERVICE) as session:
        if session.get(IncomingDonation, donation_id) is None:
            raise errors.NotFound("catalog.donation_unknown")
        copies = list(session.scalars(
            select(Copy).where(Copy.donation_id == donation_id, Copy.status != "withdrawn")
            .order_by(Copy.catalogued_at, Copy.code)))
        return label_sheet([Label(codes.display(c.code, codes.COPY_GROUP), c.title.title,
                                  copy_url(c.code)) for c in copies])
