"""What the reports read model shows: the dashboard's figures, the equity map's, the open data.

Every figure is read from the read model's exact counters and rows (reports.py), never from a
sample, after the copies moved a moment ago are counted (`catch_up`). Response times are
medians and 90th percentiles by the nearest-rank rule (the smallest value at or above which
p % of the donations lie), in whole seconds; a month's figures are computed once per change of
that month (each process keeps them with the month's version).
"""
from __future__ import annotations

import math
import threading
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from services.catalog import question_reports
from services.catalog.models import Centre, ReaderNote
from services.catalog.report_models import ReportDonation, ReportFeedback
from services.catalog.services.reports import LEAD_STAGES, STEP_KINDS, catch_up, tallies
from shared import config, db
from shared.models import utcnow

SERVICE = "catalog"
STAGE_ORDER = ("offered", "pickup_scheduled", "pickup_rescheduled", "pickup_failed", "collected", "catalogued",
               "on_shelves", "taken", "noted", "cancelled")
CHANNELS = ("email", "sms", "telegram")
WAITING_LIMIT = 10
COMMENTS_LIMIT = 10
FEW_BOOKS_SHARE = 0.1  # a shelf holding less than a tenth of its capacity has "few" books
FEW_BOOKS_UNKNOWN_CAPACITY = 10


def percentile(sorted_values: list[int], p: int) -> int | None:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not sorted_values:
        return None
    return sorted_values[max(math.ceil(p / 100 * len(sorted_values)) - 1, 0)]


def lead_figures(rows) -> dict:
    """Response times of a group of donations: per stage, how many reached it, median, p90.
    `rows`: (cancelled, failed pickups, seconds to each of LEAD_STAGES or None)."""
    durations: list[list[int]] = [[] for _ in LEAD_STAGES]
    donations = cancelled = failed = 0
    for is_cancelled, failed_pickups, seconds in rows:
        donations += 1
        cancelled += is_cancelled
        failed += failed_pickups
        for index, value in enumerate(seconds):
            if value is not None:
                durations[index].append(value)
    stages = {}
    for stage, values in zip(LEAD_STAGES, durations):
        values.sort()
        stages[stage] = {"count": len(values), "median_s": percentile(values, 50), "p90_s": percentile(values, 90)}
    return {"donations": donations, "cancelled": cancelled, "failed_pickups": failed, "stages": stages}


def _lead_rows(rows):
    """(oblast, (cancelled, failed pickups, seconds from the offer to each stage))."""
    for oblast, cancelled, failed_pickups, *seconds in rows:
        yield oblast or "—", (bool(cancelled), failed_pickups or 0, seconds)


_month_cache: dict[str, tuple[int, dict]] = {}
_month_lock = threading.Lock()


def _month(session, month: str, version: int) -> dict:
    """A month's response times, network-wide and per oblast (donations offered that month)."""
    cached = _month_cache.get(month)
    if cached and cached[0] == version:
        return cached[1]
    rows = session.execute(select(
        ReportDonation.oblast, ReportDonation.cancelled_at.is_not(None), ReportDonation.failed_pickups,
        ReportDonation.scheduled_s, ReportDonation.collected_s, ReportDonation.catalogued_s,
        ReportDonation.shelved_s)
        .where(ReportDonation.month == month, ReportDonation.offered_at.is_not(None))).all()
    by_oblast = defaultdict(list)
    figures_of = list(_lead_rows(rows))
    for oblast, row in figures_of:
        by_oblast[oblast].append(row)
    figures = {"month": month, "network": lead_figures(row for _, row in figures_of),
               "oblasts": [{"oblast": oblast, **lead_figures(group)} for oblast, group in sorted(by_oblast.items())]}
    with _month_lock:
        _month_cache[month] = (version, figures)
    return figures


def _split(key: str) -> list[str]:
    return key.split("|")


def informed(t: dict) -> dict:
    told = defaultdict(lambda: dict.fromkeys(CHANNELS, 0))
    for key, n in t["told"].items():
        stage, channel = _split(key)
        told[stage][channel] += n
    delivery = {channel: {"sent": 0, "failed": 0} for channel in CHANNELS}
    for key, n in t["msg"].items():
        _, channel, status = _split(key)
        delivery.setdefault(channel, {"sent": 0, "failed": 0})[status] += n
    notices = defaultdict(lambda: {"direct": 0, "fell_back": 0, "not_reached": 0})
    for key, n in t["notice"].items():
        stage, outcome = _split(key)
        notices[stage][outcome] += n

    def order(stage):
        return (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER), stage)

    total_notices = {k: sum(v[k] for v in notices.values()) for k in ("direct", "fell_back", "not_reached")}
    return {
        "told": [{"stage": s, **told[s], "total": sum(told[s].values())} for s in sorted(told, key=order)],
        "delivery": [{"channel": c, **d, "rate": round(d["sent"] / (d["sent"] + d["failed"]), 4)
                      if d["sent"] + d["failed"] else None} for c, d in delivery.items()],
        "notices": [{"stage": s, **notices[s]} for s in sorted(notices, key=order)],
        "notices_total": total_notices,
        "unsubscribed": {"donors": t["unsub"].get("*", 0), **{c: t["unsub"].get(c, 0) for c in CHANNELS}},
    }


def response(session, t: dict, month: str | None) -> dict:
    months = sorted(t["leadver"])
    trend = [{"month": m, **_month(session, m, t["leadver"][m])["network"]} for m in months]
    if month not in t["leadver"]:
        month = months[-1] if months else None
    chosen = _month(session, month, t["leadver"][month]) if month else {"network": lead_figures([]), "oblasts": []}
    waiting = []
    now = utcnow()
    hub = config.public_base_url("catalog")
    board = f"{config.public_base_url('donations')}/staff/board"
    for row in session.scalars(select(ReportDonation).where(ReportDonation.waiting_since.is_not(None))
                               .order_by(ReportDonation.waiting_since, ReportDonation.donation_id)
                               .limit(WAITING_LIMIT)):
        stage = ("catalogued" if row.catalogued_at else "collected" if row.collected_at
                 else "scheduled" if row.scheduled_at else "offered")
        link = (f"{hub}/staff/hub/{row.donation_id}" if stage in ("collected", "catalogued")
                else f"{board}#donation-{row.donation_id}")
        waiting.append({"donation_id": str(row.donation_id), "oblast": row.oblast, "offered_at": row.offered_at,
                        "stage": stage, "failed_pickups": row.failed_pickups,
                        "waiting_days": round((now - row.offered_at).total_seconds() / 86400, 1), "link": link})
    return {"month": month, "months": months, "network": chosen["network"], "oblasts": chosen["oblasts"],
            "trend": trend, "waiting": waiting}


def feedback(session, t: dict) -> dict:
    weeks = defaultdict(lambda: {"message_yes": 0, "message_no": 0, "tracking_yes": 0, "tracking_no": 0,
                                 "reader_likes": 0})
    for key, n in t["feedback"].items():
        week, source, answer = _split(key)
        weeks[week][f"{source}_{answer}"] += n
    for week, n in t["like_week"].items():
        weeks[week]["reader_likes"] += n
    rows = []
    for week in sorted(weeks, reverse=True):
        w = weeks[week]
        yes, no = w["message_yes"] + w["tracking_yes"], w["message_no"] + w["tracking_no"]
        if not (yes or no or w["reader_likes"]):
            continue
        rows.append({"week": week, **w, "yes": yes, "no": no,
                     "share_positive": round(yes / (yes + no), 4) if yes + no else None})
    comments = [{"stage": r.stage, "useful": r.useful, "comment": r.comment, "at": r.at}
                for r in session.scalars(select(ReportFeedback).where(ReportFeedback.comment.is_not(None))
                                         .order_by(ReportFeedback.at.desc()).limit(COMMENTS_LIMIT))]
    notes = [{"text": n.text, "at": n.at} for n in session.scalars(
        select(ReaderNote).where(ReaderNote.text != "").order_by(ReaderNote.id.desc()).limit(COMMENTS_LIMIT))]
    return {"weeks": rows, "comments": comments, "reader_notes": notes}


def equity(session, t: dict) -> dict:
    steps = defaultdict(lambda: dict.fromkeys(STEP_KINDS, 0))
    months = defaultdict(lambda: dict.fromkeys(STEP_KINDS, 0))
    for key, n in t["step_c"].items():
        centre, kind = _split(key)
        steps[centre][kind] += n
    for key, n in t["step_m"].items():
        month, kind = _split(key)
        months[month][kind] += n
    centres = []
    for c in session.scalars(select(Centre).order_by(Centre.oblast, Centre.code)):
        on_shelf = t["stock"].get(f"{c.code}|shelved", 0)
        centres.append({
            "code": c.code, "name": c.name, "settlement": c.settlement, "oblast": c.oblast,
            "has_shelf": c.has_shelf, "capacity": c.shelf_capacity, "visitors_per_year": c.visitors_per_year,
            "visitors_source": c.visitors_source, "on_shelf": on_shelf,
            "waiting_to_shelve": t["stock"].get(f"{c.code}|received", 0),
            "taken_by_readers": steps[c.code]["taken"],
            "per_1000_visitors": round(on_shelf * 1000 / c.visitors_per_year, 3) if c.visitors_per_year else None})
    oblasts = defaultdict(lambda: {"centres": 0, "with_shelf": 0, "on_shelf": 0, "taken_by_readers": 0,
                                   "visitors_per_year": 0, "on_shelf_counted": 0})
    for c in centres:
        o = oblasts[c["oblast"]]
        o["centres"] += 1
        o["with_shelf"] += c["has_shelf"]
        o["on_shelf"] += c["on_shelf"]
        o["taken_by_readers"] += c["taken_by_readers"]
        if c["visitors_per_year"]:
            o["visitors_per_year"] += c["visitors_per_year"]
            o["on_shelf_counted"] += c["on_shelf"]
    oblast_rows = []
    for name, o in sorted(oblasts.items()):
        counted = o.pop("on_shelf_counted")
        oblast_rows.append({"oblast": name, **o, "per_1000_visitors":
                            round(counted * 1000 / o["visitors_per_year"], 3) if o["visitors_per_year"] else None})
    low = []
    for c in centres:
        if not c["has_shelf"]:
            continue
        threshold = c["capacity"] * FEW_BOOKS_SHARE if c["capacity"] else FEW_BOOKS_UNKNOWN_CAPACITY
        if c["on_shelf"] == 0:
            low.append({**c, "level": "none"})
        elif c["on_shelf"] < threshold:
            low.append({**c, "level": "few"})
    low.sort(key=lambda c: (c["on_shelf"], c["code"]))
    return {"centres": centres, "oblasts": oblast_rows, "low_stock": low,
            "months": [{"month": m, **months[m]} for m in sorted(months)]}


def dashboard(month: str | None = None) -> dict:
    catch_up(reader=True)  # copies moved a moment ago are counted before anything is shown
    with db.session_scope(SERVICE) as session:
        t = tallies(session, "told", "msg", "notice", "unsub", "leadver", "feedback", "like_week", "stock", "step_c",
                    "step_m")
        return {"generated_at": utcnow(), "informed": informed(t), "response": response(session, t, month),
                "feedback": feedback(session, t), "equity": equity(session, t),
                "questions": question_reports.figures(session, month)}


def equity_only() -> dict:
    catch_up(reader=True)
    with db.session_scope(SERVICE) as session:
        return equity(session, tallies(session, "stock", "step_c", "step_m"))


# --- open data ---------------------------------------------------------------------------------

OPEN_DATA_FIELDS = ("month", "centre_code", "centre_name", "settlement", "oblast", "received", "shelved",
                    "taken_by_readers", "brought_by_readers", "liked_by_readers")


def open_data_months() -> list[dict]:
    """Per centre and month (Kyiv time): copies that arrived, went on the shelf, were taken by
    readers (a shelf count did not find them), were brought from elsewhere by readers, and
    readers' 'I liked this book'. Aggregates only: no copy, donation or person is named."""
    catch_up(reader=True)
    with db.session_scope(SERVICE) as session:
        t = tallies(session, "step", "like")
        centres = {c.code: c for c in session.scalars(select(Centre))}
    rows: dict[tuple[str, str], dict] = {}

    def row(centre_code: str, month: str) -> dict | None:
        centre = centres.get(centre_code)
        if centre is None:
            return None
        if (month, centre_code) not in rows:
            rows[(month, centre_code)] = {"month": month, "centre_code": centre_code, "centre_name": centre.name,
                                          "settlement": centre.settlement, "oblast": centre.oblast, "received": 0,
                                          "shelved": 0, "taken_by_readers": 0, "brought_by_readers": 0,
                                          "liked_by_readers": 0}
        return rows[(month, centre_code)]

    names = {"received": "received", "shelved": "shelved", "taken": "taken_by_readers", "moved": "brought_by_readers"}
    for key, n in t["step"].items():
        centre_code, month, kind = _split(key)
        if (r := row(centre_code, month)) is not None:
            r[names[kind]] += n
    for key, n in t["like"].items():
        centre_code, month = _split(key)
        if (r := row(centre_code, month)) is not None:
            r["liked_by_readers"] += n
    return [rows[k] for k in sorted(rows)]


CENTRE_FIELDS = ("code", "name", "settlement", "oblast", "has_shelf", "capacity", "visitors_per_year",
                 "visitors_source", "on_shelf", "per_1000_visitors", "taken_by_readers")


def open_data_centres() -> list[dict]:
    return [{k: c[k] for k in CENTRE_FIELDS} for c in equity_only()["centres"]]


def iso(value):
    return value.isoformat() if isinstance(value, datetime) else value
