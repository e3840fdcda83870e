"""A copy's life across several centres, as a Hypothesis state machine on a real database.

Hypothesis drives catalog's HTTP API through intake, allocation (proposed, edited, accepted),
dispatch, scans at random centres in every mode, misrouted decisions, shipment closing, shelf
counts, readers carrying copies elsewhere, and centres switching shelving on arrival on and
off. After every step the database is read back and checked against the copy table
(services/catalog/domain.py):
- every change of a copy wrote exactly one journey step, and the steps form a path the table
  allows, from the state before to the state after, happening where the table says;
- every change wrote the event its row names (one per copy, or the batch's one event listing
  it; none where the table names none), and no other;
- a copy is in one place, the one its state says;
- a scan's answer word agrees with the change it made, and a copy scanned at the centre it is
  meant for is received there, whatever happened to it before.

Deterministic (a fixed seed, no example database): every run tries the same examples. The
test also checks that the run exercised every row of the table at least once; if a change to
the rules or the service makes it miss one, raise max_examples or pick another seed.
"""
from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, func, select, update

from services.catalog import domain
from services.catalog.app import create_app
from services.catalog.handlers import HANDLERS
from services.catalog.models import (
    Allocation,
    AllocationItem,
    Centre,
    Copy,
    CopyStep,
    IncomingDonation,
    Inventory,
    ReaderNote,
    Scan,
    Shipment,
    Title,
)
from shared import codes, db
from shared.bus.consumer import handle
from shared.events import load_envelope
from shared.models import OutboxEvent
from shared.outbox import relay
from shared.outbox.relay import wait_for_nudges
from tests.conftest import auth
from tests.samples import sample_envelope

SHELVES = ("6341", "4641", "5141")  # Харків, Львів, Одеса: centres with a shelf
NO_SHELF = "8041"
CENTRES = (*SHELVES, NO_SHELF)
MODES = domain.SCAN_MODES
UNKNOWN_CODE = "ZZZZZ-ZZZZZ"
BY_STEP = {rule.step: rule for rule in domain.TRANSITIONS.values()}
TABLE_EVENTS = {rule.event for rule in domain.TRANSITIONS.values() if rule.event}
# About 500 steps: some 10 s on SQLite and 15 s on PostgreSQL on a busy 2-core machine.
STATEFUL = settings(max_examples=20, stateful_step_count=25, derandomize=True, database=None,
                    deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=False)


def _reset_catalog() -> None:
    """Empty what a copy's life writes; keep the centres (their shelves reset)."""
    wait_for_nudges(10)
    with db.session_scope("catalog") as session:
        for model in (ReaderNote, Scan, Inventory, CopyStep, AllocationItem, Copy, Shipment, Allocation,
                      Title, IncomingDonation, OutboxEvent):
            session.execute(delete(model))
        session.execute(update(Centre).values(has_shelf=False, shelf_capacity=None, auto_shelve=False))
        session.execute(update(Centre).where(Centre.code.in_(SHELVES)).values(
            has_shelf=True, shelf_capacity=200, visitors_per_year=10_000))


class Place(NamedTuple):
    status: str
    centre: str | None
    destination: str | None


class SeededCodes:
    """Copy codes from a seeded generator instead of the system's randomness: Hypothesis
    replays an example (to shrink it) only if the same steps give the same copies, and the
    allocation breaks ties by code."""

    def __init__(self):
        self.random = random.Random(0)

    def token_bytes(self, count: int) -> bytes:
        return self.random.randbytes(count)


@seed(23)
class CopyLife(RuleBasedStateMachine):
    client = None   # set by the test: catalog's Flask test client
    tokens = None   # role → bearer token
    seeded_codes = SeededCodes()
    exercised: Counter = Counter()  # changes seen over the whole run, by action

    copies = Bundle("copies")

    def __init__(self):
        super().__init__()
        _reset_catalog()
        self.seeded_codes.random.seed(0)
        self.places: dict[str, Place] = {}   # as last observed
        self.last_step = self.last_event = 0
        self.shipments: dict[int, str] = {}  # id → prepared | in_transit | closed
        self.counting: set[str] = set()  # centres with an open shelf count
        self.shelving_on_arrival: set[str] = set()
        self.titles = 0

    # -- observing ---------------------------------------------------------------------------

    def observe(self, here: str | None = None) -> dict[str, list[domain.Transition]]:
        """Read back every change since the last look, made by a request at centre `here` (None:
        at the hub); check it against the table. Returns the changes per copy code."""
        with db.session_scope("catalog") as session:
            now = {c.code: Place(c.status, c.centre_code, c.destination_code)
                   for c in session.scalars(select(Copy))}
            steps = list(session.scalars(select(CopyStep).where(CopyStep.id > self.last_step)
                                         .order_by(CopyStep.id)))
            rows = list(session.scalars(select(OutboxEvent).where(OutboxEvent.id > self.last_event)
                                        .order_by(OutboxEvent.id)))
        if steps:
            self.last_step = steps[-1].id
        if rows:
            self.last_event = rows[-1].id
        by_copy: dict[str, list[CopyStep]] = defaultdict(list)
        for step in steps:
            by_copy[step.copy_code].append(step)
        events: dict[str, Counter] = defaultdict(Counter)
        said: dict[str, list] = defaultdict(list)  # per-copy events: (type, payload)
        for row in rows:
            if row.event_type not in TABLE_EVENTS:
                continue
            payload = load_envelope(row.envelope)["payload"]
            if "copy_code" in payload:
                events[payload["copy_code"]][row.event_type] += 1
                said[payload["copy_code"]].append((row.event_type, payload))
            else:
                field = next(r.names_copy for r in domain.TRANSITIONS.values() if r.event == row.event_type)
                for code in payload[field]:
                    events[code][row.event_type] += 1

        changes: dict[str, list[domain.Transition]] = {}
        for code in set(now) | set(self.places):
            before, after = self.places.get(code), now.get(code)
            assert after is not None, f"copy {code} vanished"
            assert domain.place_agrees(*after), f"{code} is {after}: not one place its state allows"
            path = self._walk(code, before, after, by_copy.get(code, []), here)
            wanted = Counter(r.event for r in path if r.event)
            assert events.get(code, Counter()) == wanted, (
                f"{code}: changes {[r.action for r in path]} wrote events {dict(events.get(code, {}))}")
            for event_type, payload in said.get(code, []):
                if "centre_code" in payload:
                    assert payload["centre_code"] == after.centre, f"{code}: {event_type} names another centre"
                if event_type == "catalog.copy_moved":
                    assert before.centre is not None and payload["from_centre_code"] == before.centre, (
                        f"{code}: moved from {payload['from_centre_code']}, but it was {before}")
            if path:
                changes[code] = path
                self.exercised.update(r.action for r in path)
        assert not set(events) - set(now), "an event names a copy that does not exist"
        self.places = now
        return changes

    def _walk(self, code: str, before: Place | None, after: Place, steps: list[CopyStep], where: str | None):
        """The steps written for a copy, as a path through the table from `before` to `after`."""
        status, centre, destination = before if before is not None else (domain.NEW, None, None)
        path = []
        for step in steps:
            rule = BY_STEP.get(step.kind)
            assert rule is not None, f"{code}: journey step {step.kind!r} is no change of the table"
            here = where if rule.at != domain.NOWHERE else None
            try:
                domain.transition(rule.action, status, here=here, centre=centre, destination=destination)
            except domain.TransitionNotAllowed:
                raise AssertionError(f"{code}: {rule.action} from {status} at {centre} (meant for "
                                     f"{destination}) happening at {here}: the table does not allow it") from None
            given = after.destination if rule.action == "allocate" else None
            centre, destination = domain.place_after(rule, centre, destination, here=here, given=given)
            status = rule.target
            path.append(rule)
        assert Place(status, centre, destination) == after, (
            f"{code}: was {before}, is {after}, but its journey {[s.kind for s in steps]} leads to "
            f"{(status, centre, destination)}: a change without its step")
        return path

    @invariant()
    def every_change_was_observed(self):
        """Every rule reads back and checks what it changed; nothing is written behind its back."""
        with db.session_scope("catalog") as session:
            last_step = session.scalar(select(func.max(CopyStep.id))) or 0
            last_event = session.scalar(select(func.max(OutboxEvent.id))) or 0
        assert (last_step, last_event) == (self.last_step, self.last_event)

    # -- the hub ---------------------------------------------------------------------------------

    @initialize(target=copies, quantity=st.integers(2, 6), shelving_on_arrival=st.sets(st.sampled_from(SHELVES)))
    def books_on_their_way(self, quantity, shelving_on_arrival):
        """Every life starts with a donation catalogued, allocated and dispatched."""
        for here in sorted(shelving_on_arrival):
            self.switch_shelving_on_arrival(here, True)
        made = self.intake(quantity, damaged=False, stray=None)
        self.allocate_and_ship(dispatch=True)
        return made

    @rule(target=copies, quantity=st.integers(1, 3), damaged=st.integers(0, 4).map(lambda n: n == 0),
          stray=st.sampled_from(CENTRES + (None,)))
    def intake(self, quantity, damaged, stray=None):
        """A donation catalogued at the hub. A copy may go out in the wrong box, turn up at a
        centre, and be sent back to the hub."""
        donation_id = uuid.uuid4()
        for event_type in ("donations.donation_offered", "donations.donation_collected"):
            envelope = sample_envelope(event_type, donation_id)
            if event_type == "donations.donation_collected":
                envelope["payload"]["collected_count"] = quantity
            handle("catalog", HANDLERS, envelope)
        self.titles += 1
        response = self.client.post(f"/api/v1/intake/{donation_id}/copies", headers=auth(self.tokens["logistics"]),
                                    json={"copies": [{"title": f"Книжка {self.titles}", "authors": "Авторка",
                                                      "quantity": quantity,
                                                      "condition": "damaged" if damaged else "good"}]})
        assert response.status_code == 201, response.json
        made = [codes.normalise(c["code"]) for c in response.json["created"]]
        changes = self.observe()
        assert {code: [r.action for r in path] for code, path in changes.items()} == {
            code: ["catalogue", "withdraw"] if damaged else ["catalogue"] for code in made}
        if stray and not damaged:
            assert [r.action for r in self._scan(made[0], stray, "arrival")[made[0]]] == ["misroute"]
            self._decide(made[0], "send_on")
        return multiple(*made)

    def _waiting(self) -> list[str]:
        return sorted(code for code, place in self.places.items() if place.status == "catalogued")

    @precondition(lambda self: self._waiting())
    @rule(dispatch=st.booleans())
    def allocate_and_ship(self, dispatch):
        """Logistics' usual morning: propose, accept, and (mostly) dispatch at once."""
        response = self.client.post("/api/v1/allocations", json={}, headers=auth(self.tokens["logistics"]))
        assert response.status_code == 201, response.json
        accepted = self.client.post(f"/api/v1/allocations/{response.json['id']}/acceptance",
                                    headers=auth(self.tokens["logistics"]))
        assert accepted.status_code == 201, accepted.json
        for shipment in accepted.json["shipments"]:
            self.shipments[shipment["id"]] = "prepared"
            if dispatch:
                sent = self.client.post(f"/api/v1/shipments/{shipment['id']}/dispatch", json={},
                                        headers=auth(self.tokens["logistics"]))
                assert sent.status_code == 200, sent.json
                self.shipments[shipment["id"]] = "in_transit"
        changes = self.observe()
        assert changes and all([r.action for r in path] == (["allocate", "dispatch"] if dispatch else ["allocate"])
                               for path in changes.values())

    @precondition(lambda self: self._waiting())
    @rule(data=st.data(), edits=st.lists(st.tuples(st.integers(0, 20), st.sampled_from((*SHELVES, None))), max_size=3),
          stale=st.booleans())
    def allocate_by_hand(self, data, edits, stale):
        """Propose, edit (another centre, or stay at the hub), accept; a proposal may go stale
        while a copy it holds is scanned somewhere."""
        response = self.client.post("/api/v1/allocations", json={}, headers=auth(self.tokens["logistics"]))
        assert response.status_code == 201, response.json
        proposal = response.json
        proposed = sorted(codes.normalise(c["code"]) for centre in proposal["centres"] for c in centre["copies"])
        assert set(proposed) <= set(self._waiting())
        for index, centre in edits:
            code = proposed[index % len(proposed)] if proposed else UNKNOWN_CODE
            edited = self.client.put(f"/api/v1/allocations/{proposal['id']}/copies/{code}", json={"centre_code": centre},
                                     headers=auth(self.tokens["logistics"]))
            assert edited.status_code in (200, 404, 409), edited.json
            assert self.observe() == {}, "editing a proposal changes no copy"
        if stale and proposed:
            self._scan(proposed[0], data.draw(st.sampled_from(CENTRES)), "arrival")
        accepted = self.client.post(f"/api/v1/allocations/{proposal['id']}/acceptance",
                                    headers=auth(self.tokens["logistics"]))
        changes = self.observe()
        if accepted.status_code == 201:
            self.shipments.update({s["id"]: "prepared" for s in accepted.json["shipments"]})
            assert changes and all([r.action for r in path] == ["allocate"] for path in changes.values())
        else:
            assert accepted.status_code == 409 and changes == {}, accepted.json
            emptied = self.client.get(f"/api/v1/allocations/{proposal['id']}",
                                      headers=auth(self.tokens["logistics"])).json["copy_count"] == 0
            assert stale or emptied, "only a stale or emptied proposal is refused"

    def _shipments(self, status: str) -> list[int]:
        return sorted(id_ for id_, now in self.shipments.items() if now == status)

    @precondition(lambda self: self._shipments("prepared"))
    @rule(data=st.data())
    def dispatch(self, data):
        shipment = data.draw(st.sampled_from(self._shipments("prepared")))
        response = self.client.post(f"/api/v1/shipments/{shipment}/dispatch", json={"carrier_tracking": "NP-1"},
                                    headers=auth(self.tokens["logistics"]))
        assert response.status_code == 200, response.json
        self.shipments[shipment] = "in_transit"
        changes = self.observe()
        assert all([r.action for r in path] == ["dispatch"] for path in changes.values())
        again = self.client.post(f"/api/v1/shipments/{shipment}/dispatch", json={},
                                 headers=auth(self.tokens["logistics"]))
        assert again.status_code == 409 and self.observe() == {}

    @precondition(lambda self: self._shipments("in_transit"))
    @rule(data=st.data())
    def close_shipment(self, data):
        shipment = data.draw(st.sampled_from(self._shipments("in_transit")))
        response = self.client.post(f"/api/v1/shipments/{shipment}/closing", headers=auth(self.tokens["logistics"]))
        assert response.status_code == 200, response.json
        self.shipments[shipment] = "closed"
        changes = self.observe()
        assert all([r.action for r in path] == ["lose"] for path in changes.values())
        assert {codes.normalise(c["code"]) for c in response.json["missing"]} == set(changes)

    # -- at the centres --------------------------------------------------------------------------

    @rule(code=st.one_of(copies, st.just(UNKNOWN_CODE)), here=st.sampled_from(CENTRES), mode=st.sampled_from(MODES),
          sent_again=st.booleans(), switch_shelving=st.booleans())
    def scan(self, code, here, mode, sent_again, switch_shelving):
        """Any code at any centre in any mode; the scan may be sent twice (the network came
        back), and the centre may first have switched shelving on arrival on or off."""
        if switch_shelving and here in SHELVES:
            self.switch_shelving_on_arrival(here, here not in self.shelving_on_arrival)
        self._scan(code, here, mode, sent_again=sent_again)

    @precondition(lambda self: any(p.destination for p in self.places.values()))
    @rule(data=st.data(), mode=st.sampled_from(MODES))
    def scan_where_it_is_meant_to_go(self, data, mode):
        """A copy on its way (or astray, or on a shelf) is scanned at the centre it is meant for."""
        code = data.draw(st.sampled_from(sorted(code for code, place in self.places.items() if place.destination)))
        self._scan(code, self.places[code].destination, mode)

    def _not_at_a_centre(self) -> list[str]:
        return sorted(code for code, place in self.places.items()
                      if place.centre is None and place.status != "withdrawn")

    @precondition(lambda self: self._not_at_a_centre())
    @rule(data=st.data(), mode=st.sampled_from(MODES), decision=st.sampled_from(("keep", "send_on", None)))
    def scan_at_a_wrong_centre(self, data, mode, decision):
        """A copy on its way (or still at the hub) turns up at a centre it is not meant for;
        staff decide at once, or later."""
        code = data.draw(st.sampled_from(self._not_at_a_centre()))
        here = data.draw(st.sampled_from([c for c in CENTRES if c != self.places[code].destination]))
        changes = self._scan(code, here, mode)
        assert [r.action for r in changes[code]] == ["misroute"]
        if decision:
            self._decide(code, decision)

    @precondition(lambda self: any(p.status in ("taken", *domain.ON_SHELF) for p in self.places.values()))
    @rule(data=st.data(), mode=st.sampled_from(MODES), note=st.sampled_from(("", "Раджу!")))
    def reader_carries_a_copy_elsewhere(self, data, mode, note):
        """A copy a reader took (or picked from a shelf) is scanned at another centre; the reader
        may leave a note first (a note changes nothing)."""
        code = data.draw(st.sampled_from(sorted(
            code for code, place in self.places.items() if place.status in ("taken", *domain.ON_SHELF))))
        if note:
            response = self.client.post(f"/api/v1/copies/{code}/notes", json={"text": note, "passing_on": True})
            assert response.status_code == 201, response.json
            assert self.observe() == {}, "a note changes no copy"
        here = data.draw(st.sampled_from([c for c in CENTRES if c != self.places[code].centre]))
        changes = self._scan(code, here, mode)
        assert changes[code][0].action == "move"

    @precondition(lambda self: any(p.status == "taken" for p in self.places.values()))
    @rule(data=st.data(), mode=st.sampled_from(MODES))
    def reader_brings_a_copy_back(self, data, mode):
        """A copy a reader took is scanned at the centre it was taken from."""
        code = data.draw(st.sampled_from(sorted(code for code, p in self.places.items() if p.status == "taken")))
        changes = self._scan(code, self.places[code].centre, mode)
        assert changes[code][0].action == "return"

    def _scan(self, code: str, here: str, mode: str, *, sent_again: bool = False) -> dict:
        compact = codes.normalise(code)
        before = self.places.get(compact)
        auto_shelve = here in self.shelving_on_arrival
        body = {"code": code, "mode": mode, "scan_id": str(uuid.uuid4())}
        response = self.client.post(f"/api/v1/centres/{here}/scans", json=body, headers=auth(self.tokens["logistics"]))
        assert response.status_code == 200, response.json
        answer = response.json
        result = answer["result"]
        if result == "counted":
            self.counting.add(here)
        changes = self.observe(here)
        assert set(changes) <= {compact}, "a scan changes only the copy scanned"
        path = [r.action for r in changes.get(compact, [])]
        after = self.places.get(compact)
        assert result in domain.SCAN_RESULTS
        if after is not None:
            assert answer["copy"]["status"] == after.status and answer["copy"]["centre_code"] == after.centre
        if before is not None and before.status != "withdrawn" and before.destination == here:
            assert after.status in domain.ON_SHELF and after.centre == here, (
                f"{code} meant for {here} was {before}, scanned there ({mode}) it is {after} ({result})")
        if mode == "arrival" and not auto_shelve:
            assert "shelve" not in path, "an arrival scan shelves only where shelving on arrival is on"
        # The word agrees with the change.
        if result == "unknown":
            assert path == [] and (before is None or before.status == "withdrawn")
        elif result == "misrouted":
            assert after.status == "misrouted" and after.centre == here and path in ([], ["misroute"])
            assert before.destination != here
        elif result == "received":
            assert mode == "arrival" and path and path[0] in ("receive", "move", "return")
            assert path[1:] in ([], ["shelve"]) and after.centre == here and after.status in domain.ON_SHELF
        elif result == "shelved":
            assert mode != "inventory" and path and path[-1] == "shelve"
            assert after.status == "shelved" and after.centre == here
        elif result == "already_received":
            assert mode == "arrival" and path == [] and before.centre == here and before.status in domain.ON_SHELF
        elif result == "already_shelved":
            assert mode == "shelve" and path == [] and before.status == "shelved" and before.centre == here
        elif result == "counted":
            assert mode == "inventory" and after.status == "shelved" and after.centre == here
            assert path in ([], ["shelve"], ["receive", "shelve"], ["move", "shelve"], ["return", "shelve"])
        if sent_again:  # the network came back: the first answer, no second effect
            again = self.client.post(f"/api/v1/centres/{here}/scans", json=body, headers=auth(self.tokens["logistics"]))
            assert again.status_code == 200 and again.json["replayed"] is True and again.json["result"] == result
            assert self.observe(here) == {}
        return changes

    def _misrouted(self) -> list[str]:
        return sorted(code for code, place in self.places.items() if place.status == "misrouted")

    @precondition(lambda self: self._misrouted())
    @rule(data=st.data(), decision=st.sampled_from(("keep", "send_on")), elsewhere=st.sampled_from(CENTRES))
    def decide_misrouted(self, data, decision, elsewhere):
        self._decide(data.draw(st.sampled_from(self._misrouted())), decision, elsewhere)

    def _decide(self, code: str, decision: str, elsewhere: str | None = None) -> None:
        before = self.places[code]
        if elsewhere not in (None, before.centre):  # not this centre's to decide
            response = self.client.post(f"/api/v1/centres/{elsewhere}/misrouted/{code}", json={"decision": decision},
                                        headers=auth(self.tokens["logistics"]))
            assert response.status_code == 409 and self.observe(elsewhere) == {}, response.json
        here = before.centre
        auto_shelve = here in self.shelving_on_arrival
        response = self.client.post(f"/api/v1/centres/{here}/misrouted/{code}", json={"decision": decision},
                                    headers=auth(self.tokens["logistics"]))
        assert response.status_code == 200, response.json
        changes = self.observe(here)
        path = [r.action for r in changes[code]]
        after = self.places[code]
        assert response.json["status"] == after.status
        if decision == "keep":
            assert path == (["keep", "shelve"] if auto_shelve else ["keep"])
            assert after.centre == after.destination == here
        else:
            assert path == (["send_on"] if before.destination else ["send_back"])
            assert after.centre is None and after.destination == before.destination

    def _on_shelves(self) -> dict[str, list[str]]:
        shelves = defaultdict(list)
        for code, place in sorted(self.places.items()):
            if place.status in domain.ON_SHELF:
                shelves[place.centre].append(code)
        return shelves

    @precondition(lambda self: any(len(codes_) > 1 for codes_ in self._on_shelves().values()))
    @rule(data=st.data(), missed=st.integers(1, 3), then=st.sampled_from(("brought back", "carried on", "kept")),
          mode=st.sampled_from(MODES))
    def count_a_shelf(self, data, missed, then, mode):
        """Staff count a shelf and miss a few copies: readers have them. A reader may bring one
        back, or carry it to another centre."""
        here = data.draw(st.sampled_from(sorted(c for c, codes_ in self._on_shelves().items() if len(codes_) > 1)))
        if here in self.counting:  # a count opened earlier may have seen any of them
            self._close_count(here)
        on_shelf = self._on_shelves()[here]
        if len(on_shelf) < 2:
            return
        counted = max(1, len(on_shelf) - missed)
        for code in on_shelf[:counted]:
            self._scan(code, here, "inventory")
        self._close_count(here)
        taken = on_shelf[counted]
        if then == "brought back":
            assert [r.action for r in self._scan(taken, here, mode)[taken]][0] == "return"
        elif then == "carried on":
            elsewhere = data.draw(st.sampled_from([c for c in CENTRES if c != here]))
            assert [r.action for r in self._scan(taken, elsewhere, mode)[taken]][0] == "move"

    @precondition(lambda self: self.counting)
    @rule(data=st.data())
    def close_count(self, data):
        self._close_count(data.draw(st.sampled_from(sorted(self.counting))))

    def _close_count(self, here: str) -> None:
        self.counting.discard(here)
        on_shelf = {code for code, p in self.places.items() if p.centre == here and p.status in domain.ON_SHELF}
        response = self.client.post(f"/api/v1/centres/{here}/inventory/closing", headers=auth(self.tokens["logistics"]))
        changes = self.observe(here)
        assert response.status_code == 200, response.json
        assert {codes.normalise(c) for c in response.json["taken"]} == set(changes) <= on_shelf
        assert all([r.action for r in path] == ["take"] for path in changes.values())

    def switch_shelving_on_arrival(self, here: str, on: bool) -> None:
        response = self.client.patch(f"/api/v1/centres/{here}", json={"auto_shelve": on},
                                     headers=auth(self.tokens["admin"]))
        assert response.status_code == 200 and response.json["auto_shelve"] is on
        if on:
            self.shelving_on_arrival.add(here)
        else:
            self.shelving_on_arrival.discard(here)
        assert self.observe() == {}


@pytest.fixture
def life(seeded_centres, tokens, redis_client, monkeypatch):
    monkeypatch.setenv("OPEN_LIBRARY_URL", "off")
    monkeypatch.setenv("NOTE_LIMIT_PER_HOUR", "100000")  # readers' notes are not what is tested here
    monkeypatch.setenv("RATE_LIMIT_NOTES", "100000/hour")
    monkeypatch.setattr(codes, "secrets", CopyLife.seeded_codes)
    # Nothing here needs the events relayed; the relay thread would only compete for the database.
    monkeypatch.delitem(relay._publishers, "catalog", raising=False)
    CopyLife.client = create_app({"TESTING": True}).test_client()
    CopyLife.tokens = tokens
    yield CopyLife
    CopyLife.client = CopyLife.tokens = None


def test_a_copy_s_life_keeps_to_the_table(life):
    life.exercised.clear()
    run_state_machine_as_test(life, settings=STATEFUL)
    # A run that never reached some change proves nothing about it.
    assert set(domain.TRANSITIONS) <= set(life.exercised), (
        f"never exercised: {sorted(set(domain.TRANSITIONS) - set(life.exercised))} ({dict(life.exercised)})")

