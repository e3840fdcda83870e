"""What became of a gift: the impact report of one donation, or of every donation of a
publisher (or another organisation), as a page, a printable PDF and a shareable link — and
the donors' one-click 'was this useful?'.

Donations owns the donors and their donations and already hears, from catalog's events, where
each copy went (donation_copies, donation_shipments); readers' takings and notes are kept in
donation_reader_news. A report shows one donor's donations only: the link is signed, and an
organisation's report gathers the donations of donor records of the same kind and the same
e-mail (or phone)."""
from __future__ import annotations

import uuid
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.donations import config
from services.donations.impact_models import DonationFeedback, DonationReaderNews
from services.donations.models import Donation, DonationCopy, DonationShipment, Donor
from shared import db, errors
from shared.donor_links import impact_token, read_impact_token
from shared.models import utcnow
from shared.outbox import add_event

SERVICE = "donations"
ORGANISATIONS = ("publisher", "organisation")
COMMENT_LIMIT = 500
NOTES_SHOWN = 30
FEEDBACK_STAGES = ("tracking", "offered", "pickup_scheduled", "pickup_rescheduled", "pickup_failed", "collected",
                   "catalogued", "on_shelves", "taken", "noted", "cancelled")


class NotFound(errors.NotFound):
    """No such report (or feedback stage): the link is wrong, or the donor was forgotten."""


# --- feedback --------------------------------------------------------------------------------

def clean_comment(text: str | None) -> str | None:
    plain = " ".join(Markup(text or "").striptags().split())[:COMMENT_LIMIT]
    return plain or None


def give_feedback(donation_id, stage: str, useful: bool, comment: str | None = None) -> dict:
    """The donor's answer for a stage (latest wins); a comment, once given, stays unless
    replaced. Told to the reports (catalog) only when something changed."""
    if stage not in FEEDBACK_STAGES:
        raise NotFound()
    comment = clean_comment(comment)
    with db.session_scope(SERVICE) as session:
        donation = session.get(Donation, uuid.UUID(str(donation_id)))
        if donation is None:
            raise NotFound()
        row = session.get(DonationFeedback, (donation.id, stage), with_for_update=True)
        if row is not None and row.useful == useful and (comment is None or comment == row.comment):
            return {"stage": stage, "useful": row.useful, "comment": row.comment}
        now = utcnow()
        if row is None:
            row = DonationFeedback(donation_id=donation.id, stage=stage)
            session.add(row)
        row.useful, row.at = useful, now
        if comment is not None:
            row.comment = comment
        add_event(session, "donations.feedback_given", {
            "donation_id": donation.id, "stage": stage, "useful": useful, "comment": row.comment, "at": now},
            producer=SERVICE)
        return {"stage": stage, "useful": row.useful, "comment": row.comment}


def wipe_feedback(session: Session, donation_ids: list) -> None:
    """On erasure: the donor's words go; their yes/no stays counted."""
    session.execute(update(DonationFeedback).where(DonationFeedback.donation_id.in_(donation_ids))
                    .values(comment=None))


# --- readers' news (catalog's events) ----------------------------------------------------------

def on_copy_noted(session: Session, event: dict) -> None:
    p = event["payload"]
    session.add(DonationReaderNews(donation_id=p["donation_id"], copy_code=p["copy_code"], kind="noted",
                                   text=p["note"] or None, passing_on=p.get("passing_on", False),
                                   at=event["occurred_at"]))


def on_copy_taken_news(session: Session, event: dict) -> None:
    p = event["payload"]
    session.add(DonationReaderNews(donation_id=p["donation_id"], copy_code=p["copy_code"], kind="taken",
                                   at=event["occurred_at"]))


# --- the report -------------------------------------------------------------------------------

def links_for(donation: Donation, donor: Donor | None) -> dict:
    base = config.public_url()
    links = {"donation": f"{base}/impact/{impact_token('d', donation.id)}"}
    if donor is not None and donor.kind in ORGANISATIONS and not donor.erased_at:
        links["organisation"] = f"{base}/impact/{impact_token('o', donor.id)}"
    return links


def links_for_code(tracking_code: str) -> dict | None:
    from shared import codes

    with db.session_scope(SERVICE) as session:
        donation = session.scalar(select(Donation).where(Donation.tracking_code == codes.normalise(tracking_code)))
        if donation is None:
            return None
        links = links_for(donation, session.get(Donor, donation.donor_id))
        answer = session.get(DonationFeedback, (donation.id, "tracking"))
        links["tracking_answer"] = None if answer is None else answer.useful
        return links


def _organisation_donations(session: Session, donor: Donor) -> list[Donation]:
    """Donations of donor records of the same organisation kind and the same contact."""
    if donor.kind not in ORGANISATIONS or donor.erased_at or not (donor.email or donor.phone):
        return list(session.scalars(select(Donation).where(Donation.donor_id == donor.id)))
    same = (func.lower(Donor.email) == donor.email.lower()) if donor.email else (Donor.phone == donor.phone)
    ids = select(Donor.id).where(Donor.kind.in_(ORGANISATIONS), Donor.erased_at.is_(None), same)
    return list(session.scalars(select(Donation).where(Donation.donor_id.in_(ids))
                                .order_by(Donation.created_at)))


def report(token: str) -> dict:
    claims = read_impact_token(token)
    if claims is None:
        raise NotFound()
    kind, key = claims
    with db.session_scope(SERVICE) as session:
        if kind == "d":
            donation = session.get(Donation, uuid.UUID(key))
            if donation is None:
                raise NotFound()
            donor = session.get(Donor, donation.donor_id)
            donations = [donation]
        else:
            donor = session.get(Donor, uuid.UUID(key))
            if donor is None:
                raise NotFound()
            donations = _organisation_donations(session, donor)
            if not donations:
                raise NotFound()
        return _report(session, kind, donor, donations)


def _report(session: Session, kind: str, donor: Donor | None, donations: list[Donation]) -> dict:
    ids = [d.id for d in donations]
    copies = list(session.scalars(select(DonationCopy).where(DonationCopy.donation_id.in_(ids))))
    shipments = list(session.scalars(select(DonationShipment).where(DonationShipment.donation_id.in_(ids))))
    news = list(session.scalars(select(DonationReaderNews).where(DonationReaderNews.donation_id.in_(ids))
                                .order_by(DonationReaderNews.at.desc(), DonationReaderNews.id.desc())))
    where = {c.copy_code: c for c in copies}
    taken_codes = {n.copy_code for n in news if n.kind == "taken"} | {
        c.copy_code for c in copies if c.status in ("taken", "moved")}
    centres: dict[str, dict] = {}

    def centre(code, name, settlement, oblast) -> dict:
        return centres.setdefault(code, {"centre_code": code, "centre_name": name, "settlement": settlement,
                                         "oblast": oblast, "sent": 0, "on_shelves": 0, "taken": 0})

    for s in shipments:
        centre(s.centre_code, s.centre_name, s.settlement, s.oblast)["sent"] += s.count
    for c in copies:
        if c.centre_code and c.status in ("shelved", "moved"):
            centre(c.centre_code, c.centre_name, c.settlement, c.oblast)["on_shelves"] += 1
    for code in taken_codes:
        c = where.get(code)
        if c is not None and c.centre_code:
            centre(c.centre_code, c.centre_name, c.settlement, c.oblast)["taken"] += 1
    oblasts: dict[str, dict] = {}
    for entry in centres.values():
        o = oblasts.setdefault(entry["oblast"] or "—", {"oblast": entry["oblast"] or "—", "centres": 0,
                                                        "sent": 0, "on_shelves": 0, "taken": 0})
        o["centres"] += 1
        for k in ("sent", "on_shelves", "taken"):
            o[k] += entry[k]
    notes = [{"text": n.text, "passing_on": n.passing_on, "at": n.at,
              "settlement": where[n.copy_code].settlement if n.copy_code in where else None}
             for n in news if n.kind == "noted" and n.text][:NOTES_SHOWN]
    per_donation = []
    for d in donations:
        mine = [c for c in copies if c.donation_id == d.id]
        per_donation.append({
            "offered_at": d.created_at, "declared": d.declared_count, "collected": d.collected_count,
            "catalogued": sum(1 for c in mine if c.status != "withdrawn"),
            "centres": len({s.centre_code for s in shipments if s.donation_id == d.id})})
    return {
        "kind": "donation" if kind == "d" else "organisation",
        "donor_name": donor.name if donor is not None and donor.kind in ORGANISATIONS and not donor.erased_at else None,
        "donor_kind": donor.kind if donor is not None else None,
        "generated_at": utcnow(),
        "donations": len(donations),
        "declared": sum(d.declared_count for d in donations),
        "collected": sum(d.collected_count or 0 for d in donations),
        "catalogued": sum(1 for c in copies if c.status != "withdrawn"),
        "sent": sum(s.count for s in shipments),
        "on_shelves": sum(1 for c in copies if c.status in ("shelved", "moved")),
        "taken": len(taken_codes),
        "centres_reached": len(centres), "oblasts_reached": len(oblasts),
        "centres": sorted(centres.values(), key=lambda c: (c["oblast"] or "", c["settlement"] or "", c["centre_code"])),
        "oblasts": sorted(oblasts.values(), key=lambda o: o["oblast"]),
        "notes": notes, "notes_total": sum(1 for n in news if n.kind == "noted" and n.text),
        "per_donation": per_donation,
    }


def report_pdf(data: dict, lang: str, texts: dict[str, str]) -> bytes:
    """The report as an A4 PDF (fpdf2, Roboto for Cyrillic)."""
    from importlib import resources

    from fpdf import FPDF

    def font(name: str) -> str:
        return str(resources.files("font_roboto").joinpath(f"files/{name}"))

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("Roboto", "", font("Roboto-Regular.ttf"))
    pdf.add_font("Roboto", "B", font("Roboto-Bold.ttf"))
    pdf.add_page()
    pdf.set_title(texts["title"])
    pdf.set_font("Roboto", "B", 18)
    title = texts["title"] + (f": {data['donor_name']}" if data["donor_name"] else "")
    pdf.multi_cell(0, 9, align="L", new_x="LMARGIN", new_y="NEXT", text=title)
    pdf.set_font("Roboto", "", 10)
    pdf.multi_cell(0, 6, align="L", new_x="LMARGIN", new_y="NEXT", text=f"{texts['generated']} {_day(data['generated_at'])}")
    pdf.ln(3)
    pdf.set_font("Roboto", "", 12)
    for key in ("donations", "collected", "catalogued", "on_shelves", "taken", "centres_reached", "oblasts_reached"):
        pdf.multi_cell(0, 7, align="L", new_x="LMARGIN", new_y="NEXT", text=f"{texts[key]}: {data[key]}")
    pdf.ln(3)
    _table(pdf, texts["by_oblast"], [texts["oblast"], texts["centres_reached"], texts["sent"], texts["on_shelves"],
                                     texts["taken"]],
           [[o["oblast"], o["centres"], o["sent"], o["on_shelves"], o["taken"]] for o in data["oblasts"]],
           (60, 30, 30, 30, 30))
    _table(pdf, texts["by_centre"], [texts["centre"], texts["oblast"], texts["sent"], texts["on_shelves"], texts["taken"]],
           [[f"{c['settlement']}, {c['centre_name']}", c["oblast"], c["sent"], c["on_shelves"], c["taken"]]
            for c in data["centres"]], (70, 45, 22, 22, 21))
    if data["notes"]:
        pdf.set_font("Roboto", "B", 13)
        pdf.multi_cell(0, 8, align="L", new_x="LMARGIN", new_y="NEXT", text=texts["notes"])
        pdf.set_font("Roboto", "", 11)
        for note in data["notes"]:
            place = f" ({note['settlement']})" if note["settlement"] else ""
            pdf.multi_cell(0, 6, align="L", new_x="LMARGIN", new_y="NEXT", text=f"{_day(note['at'])}{place}: «{note['text']}»")
            pdf.ln(1)
    return bytes(pdf.output())


def _table(pdf, title: str, header: list[str], rows: list[list], widths: tuple[int, ...]) -> None:
    if not rows:
        return
    pdf.set_font("Roboto", "B", 13)
    pdf.multi_cell(0, 8, align="L", new_x="LMARGIN", new_y="NEXT", text=title)
    pdf.set_font("Roboto", "", 10)
    with pdf.table(col_widths=widths, text_align=("LEFT",) + ("RIGHT",) * (len(header) - 1)) as table:
        head = table.row()
        for cell in header:
            head.cell(cell)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(str(value))
    pdf.ln(4)


def _day(at: datetime) -> str:
    from shared.i18n import KYIV

    return at.astimezone(KYIV).strftime("%d.%m.%Y")
