"""The network's measures on the running network: four donors in four oblasts (a failed pickup,
a channel that fails and falls back, a donation still waiting), books on shelves in three
centres, readers who take, like and write, donors who answer 'was this useful?' yes and no and
one who unsubscribes. Every figure on the dashboard and in the open data is checked against
what the services' own records say, exactly; then a rebuild gives the same figures."""
from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import select

from services.catalog.models import Centre, Copy, CopyStep
from services.catalog.report_models import CopyLike
from services.donations.impact_models import DonationFeedback
from services.notifications.models import Contact, Message, Notice
from shared import db
from shared.events import load_envelope
from shared.i18n import KYIV
from shared.models import OutboxEvent
from shared.testing import wait_for
from tests.e2e.catalog_steps import (
    allocate_and_dispatch,
    bearer,
    catalogue,
    centre_token,
    only_these_shelves,
    scan,
)
from tests.samples import offer

pytestmark = pytest.mark.e2e
SHELVES = {"1452": 4, "6341": 4, "4641": 4}  # Kramatorsk, Kharkiv, Lviv
VISITORS = {"1452": 20_000, "6341": 40_000, "4641": 50_000}
KHARKIV = "6341"


def post(network, service, path, token=None, **kwargs):
    response = requests.post(f"{network.url(service)}{path}", headers=bearer(token) if token else {}, timeout=20,
                             **kwargs)
    assert response.status_code < 400, response.text
    return response


def give(network, email, oblast, city, count, **donor):
    body = offer(donor={"kind": "citizen", "email": email, "consent": True, **donor},
                 items=[{"title": "Кобзар", "authors": "Тарас Шевченко", "quantity": count}],
                 handover={"kind": "pickup", "address": "вул. Центральна, 1", "city": city, "oblast": oblast})
    return post(network, "donations", "/api/v1/donations", json=body).json()


def window(hours_from_now: int) -> dict:
    start = datetime.now(timezone.utc) + timedelta(hours=hours_from_now)
    return {"scheduled_start": start.isoformat(), "scheduled_end": (start + timedelta(hours=2)).isoformat()}


def at_hub(network, token, donation_id):
    def heard():
        response = requests.get(f"{network.url('catalog')}/api/v1/intake/{donation_id}", headers=bearer(token),
                                timeout=5)
        return response.status_code == 200 and response.json()["status"] == "at_hub"

    wait_for(heard, timeout=30, message="the hub hears of the collection")


# --- the truth, from each service's own records ---------------------------------------------------

def nearest_rank(values: list[int], p: int):
    values = sorted(values)
    return values[max(math.ceil(p / 100 * len(values)) - 1, 0)] if values else None


def week_of(at: datetime) -> str:
    day = at.astimezone(KYIV).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def truth() -> dict:
    with db.session_scope("notifications") as session:
        messages = [(m.donation_id, m.stage.split(":")[0], m.channel, m.status)
                    for m in session.scalars(select(Message)) if m.status in ("sent", "failed")]
        pending = sum(1 for m in session.scalars(select(Message)) if m.status not in ("sent", "failed"))
        pending += sum(1 for n in session.scalars(select(Notice)) if n.status == "pending")
        unsubscribed = {c.donor_id: tuple(sorted(c.unsubscribed or [])) for c in session.scalars(select(Contact))}
    with db.session_scope("donations") as session:
        events = [load_envelope(r.envelope) for r in session.scalars(select(OutboxEvent))]
        feedback = [(f.stage, f.useful, f.at, f.comment) for f in session.scalars(select(DonationFeedback))]
    with db.session_scope("catalog") as session:
        copies = [(c.code, c.donation_id, c.status, c.centre_code) for c in session.scalars(select(Copy))]
        steps = [(s.copy_code, s.kind, s.centre_code, s.at) for s in session.scalars(select(CopyStep))]
        centres = {c.code: c for c in session.scalars(select(Centre))}
        likes = [(lk.centre_code, lk.at) for lk in session.scalars(select(CopyLike))]

    told, delivery, notices = Counter(), Counter(), defaultdict(list)
    for donation, stage, channel, status in messages:
        delivery[(channel, status)] += 1
        notices[(donation, stage)].append(status)
    for _donation, stage, channel in {(d, s, c) for d, s, c, st in messages if st == "sent"}:
        told[(stage, channel)] += 1
    outcomes = Counter()
    for (_, stage), statuses in notices.items():
        outcome = ("fell_back" if "failed" in statuses else "direct") if "sent" in statuses else "not_reached"
        outcomes[(stage, outcome)] += 1

    first = defaultdict(dict)  # donation → milestone → time
    oblast, failed, cancelled = {}, Counter(), set()
    for e in sorted(events, key=lambda e: e["occurred_at"]):
        p, at = e["payload"], e["occurred_at"]
        key = str(p.get("donation_id"))
        if e["type"] == "donations.donation_offered":
            first[key]["offered"], oblast[key] = at, p["oblast"]
        elif e["type"] == "donations.pickup_scheduled":
            first[key].setdefault("scheduled", at)
        elif e["type"] == "donations.donation_collected":
            first[key].setdefault("collected", at)
        elif e["type"] == "donations.pickup_failed":
            failed[key] += 1
        elif e["type"] == "donations.donation_cancelled":
            cancelled.add(key)
    donation_of = {code: str(d) for code, d, _, _ in copies}
    for code, kind, _, at in sorted(steps, key=lambda s: s[3]):
        if kind in ("catalogued", "shelved"):
            first[donation_of[code]].setdefault(kind, at)
    lead = {}
    for stage in ("scheduled", "collected", "catalogued", "shelved"):
        values = [int((m[stage] - m["offered"]).total_seconds()) for m in first.values() if stage in m and "offered" in m]
        lead[stage] = {"count": len(values), "median_s": nearest_rank(values, 50), "p90_s": nearest_rank(values, 90)}

    shelved = Counter(centre for _, _, status, centre in copies if status == "shelved")
    per_month = Counter((centre, at.astimezone(KYIV).strftime("%Y-%m"), kind) for _, kind, centre, at in steps
                        if centre and kind in ("received", "shelved", "taken", "moved"))
    weeks = Counter((week_of(at), "tracking" if stage == "tracking" else "message", useful)
                    for stage, useful, at, _ in feedback)
    return {"pending": pending, "told": told, "delivery": delivery, "outcomes": outcomes,
            "unsubscribed": unsubscribed, "lead": lead, "failed": failed, "cancelled": cancelled, "oblast": oblast,
            "shelved": shelved, "per_month": per_month, "centres": centres, "weeks": weeks, "likes": likes,
            "comments": sorted((c for *_, c in feedback if c), reverse=True), "donations": set(first)}


def compare(board: dict, real: dict) -> None:
    """Every figure of the dashboard against the records."""
    informed = board["informed"]
    assert {(r["stage"], c): r[c] for r in informed["told"] for c in ("email", "sms", "telegram") if r[c]} == \
        dict(real["told"])
    for r in informed["told"]:
        assert r["total"] == sum(r[c] for c in ("email", "sms", "telegram"))
    for r in informed["delivery"]:
        sent, failed = real["delivery"][(r["channel"], "sent")], real["delivery"][(r["channel"], "failed")]
        assert (r["sent"], r["failed"]) == (sent, failed), r
        assert r["rate"] == (round(sent / (sent + failed), 4) if sent + failed else None)
    assert {(r["stage"], k): r[k] for r in informed["notices"] for k in ("direct", "fell_back", "not_reached")
            if r[k]} == dict(real["outcomes"])
    off = [channels for channels in real["unsubscribed"].values() if channels]
    assert informed["unsubscribed"] == {"donors": len(off), **{c: sum(c in o for o in off)
                                                               for c in ("email", "sms", "telegram")}}

    response = board["response"]
    network = response["network"]
    assert network["donations"] == len(real["oblast"])
    assert network["failed_pickups"] == sum(real["failed"].values())
    assert network["cancelled"] == len(real["cancelled"])
    assert network["stages"] == real["lead"]
    by_oblast = {o["oblast"]: o for o in response["oblasts"]}
    assert set(by_oblast) == set(real["oblast"].values())
    for name, row in by_oblast.items():
        mine = [d for d, o in real["oblast"].items() if o == name]
        assert row["donations"] == len(mine)
        assert row["failed_pickups"] == sum(real["failed"][d] for d in mine)

    feedback = board["feedback"]
    for w in feedback["weeks"]:
        for source in ("message", "tracking"):
            assert w[f"{source}_yes"] == real["weeks"][(w["week"], source, True)]
            assert w[f"{source}_no"] == real["weeks"][(w["week"], source, False)]
        assert w["reader_likes"] == sum(1 for _, at in real["likes"] if week_of(at) == w["week"])
    assert sum(w["yes"] + w["no"] for w in feedback["weeks"]) == sum(real["weeks"].values())
    assert [c["comment"] for c in feedback["comments"]] == real["comments"]

    equity = board["equity"]
    for c in equity["centres"]:
        assert c["on_shelf"] == real["shelved"][c["code"]], c["code"]
        assert c["taken_by_readers"] == sum(n for (centre, _, kind), n in real["per_month"].items()
                                            if centre == c["code"] and kind == "taken")
        visitors = real["centres"][c["code"]].visitors_per_year
        assert c["per_1000_visitors"] == (round(c["on_shelf"] * 1000 / visitors, 3) if visitors else None)
    months = {m["month"]: m for m in equity["months"]}
    for (_, month, kind), _n in real["per_month"].items():
        assert months[month][kind] == sum(v for (_, m, k), v in real["per_month"].items() if m == month and k == kind)


def test_every_figure_of_the_dashboard_and_the_open_data(network, logistics_token, admin_token, smtp_server,
                                                          sms_gateway):
    only_these_shelves(network, admin_token, SHELVES)
    for code, visitors in VISITORS.items():
        requests.patch(f"{network.url('catalog')}/api/v1/centres/{code}", json={"visitors_per_year": visitors},
                       headers=bearer(admin_token), timeout=10).raise_for_status()
    sms_gateway.fail_with = (400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400})
    try:
        a = give(network, "a.reports@example.com", "Харківська", "Харків", 5)
        b = give(network, "b.reports@example.com", "Донецька", "Краматорськ", 4, kind="publisher", name="Видавець")
        c = give(network, "c.reports@example.com", "Львівська", "Львів", 2, phone="067 123 45 11",
                 channels=["sms", "email"])
        d = give(network, "d.reports@example.com", "Одеська", "Одеса", 1)  # never picked up: waiting
        post(network, "donations", f"/api/v1/donations/{a['id']}/pickup", logistics_token, json=window(1))
        post(network, "donations", f"/api/v1/donations/{b['id']}/pickup", logistics_token, json=window(1))
        post(network, "donations", f"/api/v1/donations/{b['id']}/pickup/failure", logistics_token,
             json={"reason": "Склад зачинений."})
        post(network, "donations", f"/api/v1/donations/{b['id']}/pickup", logistics_token, json=window(26))
        for donation, count in ((a, 5), (b, 4), (c, 2)):
            post(network, "donations", f"/api/v1/donations/{donation['id']}/collection", logistics_token,
                 json={"collected_count": count})
            at_hub(network, logistics_token, donation["id"])
        catalogue(network, logistics_token, a["id"], [{"title": f"Історія {i}", "authors": "Автор"} for i in range(4)]
                  + [{"title": "Мокра", "authors": "Автор", "condition": "damaged"}])
        catalogue(network, logistics_token, b["id"], [{"title": f"Бізнес {i}", "authors": "Автор"} for i in range(4)])
        catalogue(network, logistics_token, c["id"], [{"title": f"Поезія {i}", "authors": "Автор"} for i in range(2)])
        shipments = allocate_and_dispatch(network, logistics_token, [a["id"], b["id"], c["id"]])
        for centre, shipment in shipments.items():
            for copy in shipment["copies"]:
                assert scan(network, centre_token(centre), centre, copy["code"], "shelve")["result"] == "shelved"
        # A count at Kharkiv sees one book: the others were taken by readers.
        kharkiv = [copy["code"] for copy in shipments[KHARKIV]["copies"]]
        scan(network, centre_token(KHARKIV), KHARKIV, kharkiv[0], "inventory")
        post(network, "catalog", f"/api/v1/centres/{KHARKIV}/inventory/closing", centre_token(KHARKIV))
        post(network, "catalog", f"/c/{kharkiv[0]}/like", allow_redirects=False)
        post(network, "catalog", f"/api/v1/copies/{kharkiv[0]}/notes", json={"text": "Раджу!", "passing_on": True})

        # Feedback: donor A says yes under the 'collected' letter; donor B says no on the tracking page.
        letter = wait_for(lambda: next((m for m in smtp_server.mailbox.to("a.reports@example.com")
                                        if m["Subject"] == "Книжки вже в дорозі"), None), timeout=60,
                          message="donor A's 'collected' letter")
        yes = re.search(r"Так: (\S+)", letter.get_body(("plain",)).get_content()).group(1)
        assert requests.get(yes, timeout=10).status_code == 200
        requests.post(yes.split("?")[0], data={"answer": "yes", "comment": "Усе зрозуміло, дякую"},
                      timeout=10).raise_for_status()
        post(network, "donations", f"/track/{b['tracking_code']}/feedback", data={"answer": "no"},
             allow_redirects=False)
        # Donor A unsubscribes from e-mail with the mail client's one click.
        unsubscribe = letter["List-Unsubscribe"].strip("<>")
        requests.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}, timeout=10).raise_for_status()
    finally:
        sms_gateway.fail_with = None

    dashboard = f"{network.url('catalog')}/api/v1/reports/dashboard"

    def settled():
        real = truth()
        if real["pending"]:
            return None
        board = requests.get(dashboard, headers=bearer(logistics_token), timeout=10).json()
        compare(board, real)  # a mismatch is tried again; the last one is in the timeout's message
        return board, real

    board, real = wait_for(settled, timeout=120, interval=1, message="the dashboard catches up with the records")
    compare(board, real)
    # The scenario's own anchors, so an empty network cannot pass.
    informed = board["informed"]
    assert informed["unsubscribed"]["donors"] == 1 and informed["unsubscribed"]["email"] == 1
    assert informed["notices_total"]["fell_back"] >= 2  # donor C: SMS failed, e-mail told them, each stage
    assert {r["channel"]: r["failed"] for r in informed["delivery"]}["sms"] >= 2
    assert board["response"]["network"]["failed_pickups"] == 1
    assert board["response"]["network"]["donations"] == 4
    assert [w["donation_id"] for w in board["response"]["waiting"]] == [d["id"]]
    weeks = board["feedback"]["weeks"]
    assert (sum(w["yes"] for w in weeks), sum(w["no"] for w in weeks), sum(w["reader_likes"] for w in weeks)) == (1, 1, 1)
    assert [c["comment"] for c in board["feedback"]["comments"]] == ["Усе зрозуміло, дякую"]
    assert [n["text"] for n in board["feedback"]["reader_notes"]] == ["Раджу!"]
    equity = {c["code"]: c for c in board["equity"]["centres"]}
    assert sum(equity[code]["on_shelf"] for code in SHELVES) == 10 - (len(kharkiv) - 1)
    assert equity[KHARKIV]["on_shelf"] == 1 and equity[KHARKIV]["per_1000_visitors"] == 0.025
    oblasts = {o["oblast"]: o for o in board["equity"]["oblasts"]}
    # An oblast's visitors are those of all its centres (with a shelf or not): access, not stock.
    donetsk = [c for c in real["centres"].values() if c.oblast == "Донецька" and c.visitors_per_year]
    assert oblasts["Донецька"]["per_1000_visitors"] == round(
        sum(equity[c.code]["on_shelf"] for c in donetsk) * 1000 / sum(c.visitors_per_year for c in donetsk), 3)

    # The open data: per centre and month, exactly the journey steps and likes on record.
    rows = list(csv.DictReader(io.StringIO(requests.get(f"{network.url('catalog')}/open-data/centres-months.csv",
                                                        timeout=10).text)))
    names = {"received": "received", "shelved": "shelved", "taken": "taken_by_readers", "moved": "brought_by_readers"}
    got = Counter()
    for r in rows:
        for kind, column in names.items():
            got[(r["centre_code"], r["month"], kind)] += int(r[column])
    assert +got == +real["per_month"]
    liked = Counter((centre, at.astimezone(KYIV).strftime("%Y-%m")) for centre, at in real["likes"])
    assert {(r["centre_code"], r["month"]): int(r["liked_by_readers"]) for r in rows if int(r["liked_by_readers"])} \
        == dict(liked)
    as_json = requests.get(f"{network.url('catalog')}/open-data/centres-months.json", timeout=10).json()["rows"]
    assert [(r["centre_code"], r["month"], r["shelved"]) for r in as_json] == \
        [(r["centre_code"], r["month"], int(r["shelved"])) for r in rows]
    centres = requests.get(f"{network.url('catalog')}/open-data/centres.json", timeout=10).json()["rows"]
    assert {c["code"]: c["on_shelf"] for c in centres if c["code"] in SHELVES} == \
        {code: equity[code]["on_shelf"] for code in SHELVES}

    # `bookcross reports rebuild`, from catalog's records and the event archive: the same figures.
    from services.catalog.services.reports import rebuild

    rebuild()
    again = requests.get(dashboard, headers=bearer(logistics_token), timeout=10).json()
    compare(again, truth())
    for section in ("informed", "feedback", "equity"):
        assert again[section] == board[section]
    assert again["response"]["network"] == board["response"]["network"]
