"""The reports read model on PostgreSQL and SQLite: fed by real catalog use cases and by other
services' events, its figures match catalog's own records exactly, and a rebuild from the
records and the event archive gives the same figures."""
from __future__ import annotations

import csv
import dataclasses
import io
import threading
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select, text

from services.catalog.handlers import HANDLERS
from services.catalog.models import Copy, CopyStep
from services.catalog.report_models import ReportPendingCopy
from services.catalog.services import needs, reports
from shared import codes, db
from shared.bus.consumer import handle
from shared.bus.subscriptions import subscriptions_of
from shared.events import make_event
from shared.models import OutboxEvent
from shared.testing import wait_for
from tests.conftest import auth
from tests.integration.test_catalog_api import KHARKIV, LVIV, ODESA, allocate_and_ship, at_hub, catalogue, scan
from tests.samples import sample_payload


@pytest.fixture
def client(seeded_centres, redis_client, monkeypatch):
    """Three shelves of three books, in Kharkiv, Lviv and Odesa, 10,000 visitors a year each."""
    from sqlalchemy import update

    from services.catalog.app import create_app
    from services.catalog.models import Centre

    monkeypatch.setenv("OPEN_LIBRARY_URL", "off")
    with db.session_scope("catalog") as session:
        session.execute(update(Centre).values(has_shelf=False, shelf_capacity=None))
        for code in (KHARKIV, LVIV, ODESA):
            centre = session.get(Centre, code)
            centre.has_shelf, centre.shelf_capacity, centre.visitors_per_year = True, 3, 10_000
    return create_app({"TESTING": True}).test_client()


@pytest.fixture
def staff(tokens):
    from tests.staff import staff_token

    return {**tokens, "kharkiv": staff_token("iryna", "centre_staff", KHARKIV),
            "lviv": staff_token("marta", "centre_staff", LVIV)}

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)  # 10:00 in Kyiv, November


def send(event_type: str, payload: dict, at: datetime) -> None:
    event = make_event(event_type, payload, producer=event_type.split(".")[0])
    handle("catalog", HANDLERS, dataclasses.replace(event, occurred_at=at).to_wire())


def drain() -> int:
    """Catalog's own events that catalog hears, handled as its worker would (duplicates are
    absorbed by processed_events, so draining twice is harmless)."""
    wanted = subscriptions_of("catalog")
    with db.session_scope("catalog") as session:
        envelopes = [r.envelope for r in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
                     if r.event_type in wanted]
    for envelope in envelopes:
        handle("catalog", HANDLERS, envelope)
    return len(envelopes)


def offered(donation_id, at, **overrides):
    send("donations.donation_offered", {**sample_payload("donations.donation_offered", donation_id), **overrides}, at)


def message(donation_id, message_id, stage, channel, status, at):
    send("notifications.message_delivered", {"donation_id": donation_id, "message_id": message_id, "stage": stage,
                                             "channel": channel, "status": status, "at": at}, at)


def journey(client, staff):
    """Two donations from Kharkiv oblast: one reaches shelves (6 books, one damaged), one fails
    its pickup and is cancelled. Messages, feedback and channel choices around them."""
    first, second = uuid.uuid4(), uuid.uuid4()
    offered(first, T0)
    send("donations.pickup_scheduled", sample_payload("donations.pickup_scheduled", first), T0 + timedelta(hours=2))
    send("donations.donation_collected", {"donation_id": first, "declared_count": 3, "collected_count": 6},
         T0 + timedelta(days=1))
    offered(second, T0 + timedelta(hours=1), oblast="Донецька")
    send("donations.pickup_failed", sample_payload("donations.pickup_failed", second), T0 + timedelta(hours=5))
    send("donations.donation_cancelled", sample_payload("donations.donation_cancelled", second), T0 + timedelta(hours=6))
    drain()  # catalog.donation_at_hub, nobody in catalog hears it

    created = catalogue(client, staff, first, [{"title": f"Книжка {i}", "authors": "Автор"} for i in range(5)]
                        + [{"title": "Мокра", "authors": "Автор", "condition": "damaged"}]).json["created"]
    assert len(created) == 6
    _, shipments = allocate_and_ship(client, staff)
    by_centre = {s["centre_code"]: [c["code"] for c in s["copies"]] for s in shipments}
    for code in by_centre[KHARKIV]:
        scan(client, staff["kharkiv"], KHARKIV, code, "shelve")
    scan(client, staff["lviv"], LVIV, by_centre[LVIV][0])  # arrived, not shelved yet
    # A count at Kharkiv finds only the first copy: the others were taken by readers.
    scan(client, staff["kharkiv"], KHARKIV, by_centre[KHARKIV][0], "inventory")
    client.post(f"/api/v1/centres/{KHARKIV}/inventory/closing", headers=auth(staff["kharkiv"]))
    # Readers like a book, twice.
    for _ in range(2):
        assert client.post(f"/api/v1/copies/{by_centre[KHARKIV][0]}/likes").status_code == 201
    client.post(f"/api/v1/copies/{by_centre[KHARKIV][0]}/notes", json={"text": "Чудово!", "passing_on": False})

    message(first, 1, "offered", "email", "sent", T0)
    message(first, 2, "collected", "sms", "failed", T0 + timedelta(days=1))
    message(first, 3, "collected", "email", "sent", T0 + timedelta(days=1, minutes=1))
    message(first, 3, "collected", "email", "sent", T0 + timedelta(days=1, minutes=1))  # a replay: counted once
    message(second, 4, "pickup_failed", "telegram", "failed", T0 + timedelta(hours=5))
    feedback = "donations.feedback_given"
    send(feedback, {"donation_id": first, "stage": "collected", "useful": False, "comment": None,
                    "at": T0 + timedelta(days=1, hours=1)}, T0 + timedelta(days=1, hours=1))
    send(feedback, {"donation_id": first, "stage": "collected", "useful": True, "comment": "Дуже швидко!",
                    "at": T0 + timedelta(days=1, hours=2)}, T0 + timedelta(days=1, hours=2))
    send(feedback, {"donation_id": second, "stage": "tracking", "useful": False, "comment": None,
                    "at": T0 + timedelta(hours=7)}, T0 + timedelta(hours=7))
    donor_a, donor_b = uuid.uuid4(), uuid.uuid4()
    send("notifications.channels_changed", {"donor_id": donor_a, "unsubscribed": ["sms"]}, T0)
    send("notifications.channels_changed", {"donor_id": donor_b, "unsubscribed": ["email", "sms"]}, T0)
    send("notifications.channels_changed", {"donor_id": donor_b, "unsubscribed": []}, T0 + timedelta(hours=1))
    drain()
    drain()  # a redelivery changes nothing
    return first, second, by_centre


def truth() -> dict:
    """What catalog's own tables say, counted directly."""
    with db.session_scope("catalog") as session:
        shelved = Counter(dict(session.execute(select(Copy.centre_code, func.count())
                                               .where(Copy.status == "shelved").group_by(Copy.centre_code)).all()))
        steps = session.execute(select(CopyStep.kind, CopyStep.centre_code, CopyStep.at)).all()
        firsts = {kind: min(s.at for s in steps if s.kind == kind) for kind in ("catalogued", "shelved")}
    taken = Counter(s.centre_code for s in steps if s.kind == "taken")
    return {"shelved": shelved, "taken": taken, "firsts": firsts}


def stable(board: dict) -> dict:
    board = dict(board)
    board.pop("generated_at")
    for w in board["response"]["waiting"]:
        w.pop("waiting_days")
    return board


def test_dashboard_figures_are_exact_and_a_rebuild_gives_the_same(client, staff):
    first, second, by_centre = journey(client, staff)
    real = truth()
    board = client.get("/api/v1/reports/dashboard", headers=auth(staff["logistics"])).json

    informed = board["informed"]
    told = {r["stage"]: r for r in informed["told"]}
    assert set(told) == {"offered", "collected"}
    assert (told["offered"]["email"], told["collected"]["email"], told["collected"]["sms"]) == (1, 1, 0)
    delivery = {r["channel"]: r for r in informed["delivery"]}
    assert (delivery["email"]["sent"], delivery["email"]["failed"], delivery["email"]["rate"]) == (2, 0, 1.0)
    assert (delivery["sms"]["sent"], delivery["sms"]["failed"], delivery["sms"]["rate"]) == (0, 1, 0.0)
    assert (delivery["telegram"]["failed"], delivery["telegram"]["rate"]) == (1, 0.0)
    notices = {r["stage"]: r for r in informed["notices"]}
    assert notices["collected"] == {"stage": "collected", "direct": 0, "fell_back": 1, "not_reached": 0}
    assert notices["pickup_failed"]["not_reached"] == 1 and notices["offered"]["direct"] == 1
    assert informed["notices_total"] == {"direct": 1, "fell_back": 1, "not_reached": 1}
    assert informed["unsubscribed"] == {"donors": 1, "email": 0, "sms": 1, "telegram": 0}

    response = board["response"]
    assert response["month"] == "2026-11" and response["months"] == ["2026-11"]
    network = response["network"]
    assert (network["donations"], network["cancelled"], network["failed_pickups"]) == (2, 1, 1)
    stages = network["stages"]
    assert stages["scheduled"] == {"count": 1, "median_s": 7200, "p90_s": 7200}
    assert stages["collected"] == {"count": 1, "median_s": 86400, "p90_s": 86400}
    for stage in ("catalogued", "shelved"):
        seconds = int((real["firsts"][stage] - T0).total_seconds())
        assert stages[stage] == {"count": 1, "median_s": seconds, "p90_s": seconds}
    oblasts = {o["oblast"]: o for o in response["oblasts"]}
    assert (oblasts["Харківська"]["donations"], oblasts["Донецька"]["failed_pickups"]) == (1, 1)
    assert response["waiting"] == []  # the first is on a shelf, the second cancelled

    feedback = board["feedback"]
    [week] = [w for w in feedback["weeks"] if w["yes"] or w["no"]]
    assert (week["week"], week["yes"], week["no"], week["share_positive"]) == ("2026-11-02", 1, 1, 0.5)
    assert (week["message_yes"], week["message_no"], week["tracking_no"]) == (1, 0, 1)
    assert sum(w["reader_likes"] for w in feedback["weeks"]) == 2
    assert [c["comment"] for c in feedback["comments"]] == ["Дуже швидко!"]
    assert [n["text"] for n in feedback["reader_notes"]] == ["Чудово!"]

    equity = board["equity"]
    centres = {c["code"]: c for c in equity["centres"]}
    for code, centre in centres.items():
        assert centre["on_shelf"] == real["shelved"].get(code, 0), code
        assert centre["taken_by_readers"] == real["taken"].get(code, 0), code
    assert centres[KHARKIV]["on_shelf"] == 1 and centres[KHARKIV]["taken_by_readers"] == len(by_centre[KHARKIV]) - 1
    assert centres[KHARKIV]["per_1000_visitors"] == 0.1  # 1 book, 10,000 visitors a year
    assert centres[LVIV]["waiting_to_shelve"] == 1
    kharkiv_oblast = {o["oblast"]: o for o in equity["oblasts"]}["Харківська"]
    assert kharkiv_oblast["on_shelf"] == sum(c["on_shelf"] for c in centres.values() if c["oblast"] == "Харківська")
    low = {c["code"]: c["level"] for c in equity["low_stock"]}
    assert low[LVIV] == "none"  # a shelf with a book received but not yet on it
    month_rows = {m["month"]: m for m in equity["months"]}
    assert sum(m["shelved"] for m in month_rows.values()) == len(by_centre[KHARKIV])
    assert sum(m["taken"] for m in month_rows.values()) == len(by_centre[KHARKIV]) - 1

    # The open data say the same, per centre and month.
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/centres-months.csv").get_data(as_text=True))))
    kharkiv = [r for r in rows if r["centre_code"] == KHARKIV]
    assert sum(int(r["shelved"]) for r in kharkiv) == len(by_centre[KHARKIV])
    assert sum(int(r["liked_by_readers"]) for r in kharkiv) == 2
    assert client.get("/open-data/centres-months.json").json["rows"] == [
        {k: (int(v) if k not in ("month", "centre_code", "centre_name", "settlement", "oblast") else v)
         for k, v in r.items()} for r in rows]

    # Rebuilt from catalog's tables and the event archive — not the outbox, pruned here — the same figures.
    with db.session_scope("catalog") as session:
        session.execute(delete(OutboxEvent))
    counts = reports.rebuild()
    assert counts["copies"] == 6 and counts["events"] == 17  # the replayed message is kept, counted once
    again = client.get("/api/v1/reports/dashboard", headers=auth(staff["logistics"])).json
    assert stable(again) == stable(board)


def test_erasure_wipes_feedback_comments_but_keeps_the_count(client, staff):
    donation = uuid.uuid4()
    offered(donation, T0)
    send("donations.feedback_given", {"donation_id": donation, "stage": "tracking", "useful": True,
                                      "comment": "Мене звати Олена, дякую", "at": T0}, T0)
    send("donations.donor_erased", {"donor_id": uuid.uuid4(), "donation_ids": [donation]}, T0 + timedelta(days=1))
    for _ in range(2):  # live, then rebuilt from the archive
        board = client.get("/api/v1/reports/dashboard", headers=auth(staff["admin"])).json
        assert board["feedback"]["comments"] == []
        assert board["feedback"]["weeks"][0]["tracking_yes"] == 1
        reports.rebuild()


def test_dashboard_and_map_pages_are_for_staff(client, staff):
    assert client.get("/api/v1/reports/dashboard").status_code == 401
    assert client.get("/api/v1/reports/dashboard", headers=auth(staff["kharkiv"])).status_code == 403
    assert client.get("/api/v1/reports/dashboard?month=2026-13", headers=auth(staff["admin"])).status_code == 422
    page = client.get("/staff/reports")
    assert page.status_code == 302 and "/staff/login" in page.headers["Location"]
    client.set_cookie("bookcross_staff", _cookie("olha", "logistics"))
    html = client.get("/staff/reports?lang=en").get_data(as_text=True)
    assert "How the network is doing" in html and 'class="oblast-map"' in html and "<table" in html
    assert "<script" not in html
    assert 'data-oblast="Донецька"' in client.get("/staff/reports/map").get_data(as_text=True)


def _cookie(name: str, role: str) -> str:
    from tests.staff import staff_cookie

    return staff_cookie(name, role)[1]


def test_needs_page_ranks_centres_by_the_allocators_need_and_shows_wishes(client, staff):
    put = client.put("/api/v1/oblasts/Харківська/wishes", json={"kinds": ["ukrainian_history", "business"]},
                     headers=auth(staff["admin"]))
    assert put.status_code == 200
    assert client.put("/api/v1/oblasts/Харківська/wishes", json={"kinds": ["comics"]},
                      headers=auth(staff["admin"])).status_code == 422
    assert client.put("/api/v1/oblasts/Харківська/wishes", json={"kinds": []},
                      headers=auth(staff["logistics"])).status_code == 403
    data = client.get("/api/v1/needs").json
    kharkiv = {o["oblast"]: o for o in data["oblasts"]}["Харківська"]
    assert kharkiv["wishes"] == ["ukrainian_history", "business"] and kharkiv["priority"] is True
    # Equal visitors and no books: the priority oblast (weight 1.5) needs most.
    assert data["oblasts"][0]["oblast"] == "Харківська" and kharkiv["level"] == "high"
    html = client.get("/needs?lang=en").get_data(as_text=True)
    assert "Where books are needed" in html and "Ukrainian history" in html


@pytest.mark.parametrize("path", ["/open-data/centres.csv", "/open-data/centres.json", "/open-data"])
def test_open_data_is_public(client, path):
    assert client.get(path).status_code == 200


def test_admin_keeps_the_oblasts_wish_lists_on_a_page(client):
    from shared.auth import form_token
    from tests.staff import staff_cookie

    admin, cookie = staff_cookie("admin", "admin")
    client.set_cookie("bookcross_staff", cookie)
    page = client.get("/staff/reports/wishes?lang=en").get_data(as_text=True)
    assert "What kinds of books oblasts ask for" in page and 'value="business"' in page
    saved = client.post("/staff/reports/wishes?lang=en", data={
        "csrf": form_token(admin, "wishes"), "oblast": "Львівська", "kinds": ["business", "poetry"]})
    assert saved.status_code == 200 and 'id="wishes-saved"' in saved.get_data(as_text=True)
    lviv = {o["oblast"]: o for o in client.get("/api/v1/needs").json["oblasts"]}["Львівська"]
    assert lviv["wishes"] == ["business", "poetry"]
    too_many = client.post("/staff/reports/wishes?lang=en", data={
        "csrf": form_token(admin, "wishes"), "oblast": "Львівська", "kinds": list(needs.WISH_KINDS)[:7]})
    assert too_many.status_code == 422 and "Choose up to 6 kinds" in too_many.get_data(as_text=True)
    forged = client.post("/staff/reports/wishes", data={"csrf": "x", "oblast": "Львівська", "kinds": []})
    assert forged.status_code == 403
    client.set_cookie("bookcross_staff", staff_cookie("olha", "logistics")[1])
    assert client.get("/staff/reports/wishes").status_code == 403


def test_a_reader_likes_a_book_on_its_page_in_one_click(client, staff):
    created = catalogue(client, staff, _at_hub(), [{"title": "Кобзар", "authors": "Шевченко"}]).json["created"]
    code = created[0]["code"]
    liked = client.post(f"/c/{code}/like?lang=en")
    assert liked.status_code == 303 and "liked=1" in liked.headers["Location"]
    page = client.get(liked.headers["Location"]).get_data(as_text=True)
    assert 'id="liked"' in page and "Thank you!" in page
    assert client.post("/c/ZZZZZ-ZZZZZ/like").status_code == 404
    with db.session_scope("catalog") as session:
        assert reports.tallies(session, "like_week")["like_week"] == {reports.kyiv_week(datetime.now(timezone.utc)): 1}


def _at_hub():
    from tests.integration.test_catalog_api import at_hub

    return at_hub(collected=1)


# --- catalog's own copies: noted as they move, counted a moment later -------------------------

def pending_copies() -> set[str]:
    with db.session_scope("catalog") as session:
        return set(session.scalars(select(ReportPendingCopy.copy_code)))


def stock() -> dict[str, int]:
    with db.session_scope("catalog") as session:
        return {key: n for key, n in reports.tallies(session, "stock")["stock"].items() if n}


def test_copies_moved_are_counted_a_moment_later_exactly_once(client, staff):
    donation = at_hub(collected=2)
    created = catalogue(client, staff, donation, [{"title": f"Книжка {i}", "authors": "Автор"} for i in range(2)])
    made = {codes.normalise(c["code"]) for c in created.json["created"]}
    # The transaction that moved them noted them; it moved no counter (and waited on none).
    assert pending_copies() == made and stock() == {}
    assert reports.catch_up() == 2
    assert pending_copies() == set() and stock() == {"|catalogued": 2}
    assert reports.catch_up() == 0 and stock() == {"|catalogued": 2}  # counted once

    _, shipments = allocate_and_ship(client, staff)
    centre, first = shipments[0]["centre_code"], shipments[0]["copies"][0]["code"]
    assert scan(client, staff["logistics"], centre, first).json["result"] == "received"
    assert len(pending_copies()) == 2 and stock() == {"|catalogued": 2}
    # A report read counts them first: what it shows is never behind.
    board = client.get("/api/v1/reports/dashboard", headers=auth(staff["logistics"])).json
    assert pending_copies() == set()
    expected = Counter({f"{centre}|received": 1})
    for shipment in shipments:
        expected[f"{shipment['centre_code']}|in_transit"] += len(shipment["copies"]) - (shipment is shipments[0])
    assert stock() == {key: n for key, n in expected.items() if n}
    assert sum(c["on_shelf"] for c in board["equity"]["centres"]) == 0  # received, not shelved yet
    live = stock()
    reports.rebuild()
    assert stock() == live


def someone_waits_for_a_lock() -> int:
    """A fresh transaction each time: PostgreSQL keeps pg_stat_activity as it first read it for
    the rest of a transaction."""
    with db.session_scope("catalog") as session:
        return session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND wait_event_type = 'Lock'"))


def test_a_catch_up_waits_for_a_copy_still_being_moved(pg_only):
    """A copy noted as pending and moved again by a transaction not yet committed: the catch-up
    that took its pending row waits for that transaction, and counts the copy as it committed
    (read before, the second move would never be counted: its pending row is the one taken)."""
    from services.catalog.models import Centre
    from services.catalog.services import intake
    from services.catalog.services.centres import seed_centres
    from services.catalog.services.copies import move_copies

    seed_centres(demo=True)
    (made,) = intake.catalogue(at_hub(collected=1), [{"isbn": None, "title": "Книжка", "authors": "Автор",
                                                       "condition": "good", "quantity": 1}], "test")["created"]
    code = codes.normalise(made["code"])
    reports.catch_up()
    with db.session_scope("catalog") as session:  # scanned at a centre it was not meant for
        move_copies(session, [session.get(Copy, code, with_for_update=True)], "misroute", actor="test",
                    centre=session.get(Centre, KHARKIV))
    assert pending_copies() == {code}

    moved, release, counted = threading.Event(), threading.Event(), []

    def keep_it() -> None:  # staff decide to keep it: a transaction left open until released
        with db.session_scope("catalog") as session:
            move_copies(session, [session.get(Copy, code, with_for_update=True)], "keep", actor="test",
                        centre=session.get(Centre, KHARKIV))
            session.flush()
            moved.set()
            release.wait(30)

    keeper = threading.Thread(target=keep_it)
    keeper.start()
    assert moved.wait(30)
    catcher = threading.Thread(target=lambda: counted.append(reports.catch_up()))
    catcher.start()
    wait_for(someone_waits_for_a_lock, timeout=30, message="the catch-up waiting for the copy")
    release.set()
    keeper.join(30)
    catcher.join(30)
    assert counted == [1]
    assert pending_copies() == set()
    assert stock() == {f"{KHARKIV}|received": 1}


def test_a_page_waits_for_the_copies_another_catch_up_is_counting(pg_only):
    """The worker's catch-up has taken a pending copy and not yet counted it (a busy machine
    paused it): a page about to show the figures waits for it, instead of skipping the copy and
    showing figures without it."""
    from services.catalog.models import Centre
    from services.catalog.services import intake
    from services.catalog.services.centres import seed_centres
    from services.catalog.services.copies import move_copies

    seed_centres(demo=True)
    (made,) = intake.catalogue(at_hub(collected=1), [{"isbn": None, "title": "Книжка", "authors": "Автор",
                                                       "condition": "good", "quantity": 1}], "test")["created"]
    code = codes.normalise(made["code"])
    reports.catch_up()
    with db.session_scope("catalog") as session:
        move_copies(session, [session.get(Copy, code, with_for_update=True)], "misroute", actor="test",
                    centre=session.get(Centre, KHARKIV))
    assert pending_copies() == {code}

    taken, release, shown = threading.Event(), threading.Event(), []

    def worker_catch_up() -> None:  # the periodic catch-up, paused between taking and counting
        with db.session_scope("catalog") as session:
            connection = session.connection()
            sql = reports._statements("postgresql")
            codes_taken = list(connection.execute(sql.take_pending, {"n": 1000}).scalars())
            taken.set()
            release.wait(30)
            connection.execute(sql.lock_copies, {"codes": codes_taken})
            reports.refresh_copies(session, codes_taken)
            connection.execute(sql.drop_pending, {"codes": codes_taken})

    def page() -> None:
        reports.catch_up(reader=True)
        shown.append(stock())

    worker = threading.Thread(target=worker_catch_up)
    worker.start()
    assert taken.wait(30)
    reader = threading.Thread(target=page)
    reader.start()
    wait_for(someone_waits_for_a_lock, timeout=30, message="the page waiting for the worker's catch-up")
    assert shown == []
    release.set()
    worker.join(30)
    reader.join(30)
    assert shown == [{f"{KHARKIV}|misrouted": 1}]
    assert pending_copies() == set()
