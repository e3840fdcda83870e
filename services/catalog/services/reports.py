"""The reports read model: what the network's dashboard, map and open data count.

It lives in catalog because catalog owns most of what is measured — centres, visitor numbers,
shelves, copies and their journeys, the allocator's need — and hears the rest as events that
name no person (ids, oblast, times, stage, channel, status). Nothing here asks another service
anything, at request time or ever.

Two kinds of input, one projection:
- **Copies** (catalog's own): `move_copies`, the one way a copy changes, notes which copies
  it moved in `report_pending_copies`, in the same transaction (one statement, no bus hop).
  `catch_up` then reads those copies' rows and their journey steps not yet counted, and moves
  the counters by the difference (`refresh_copies`), a thousand copies in a few statements:
  the catalog worker every REPORTS_CATCH_UP_SECONDS, and every report before it is read, so
  what a report shows is never behind. It always converges on what catalog's own records say,
  whatever the order of changes; a scan at the counter pays for none of it (nor waits on the
  counters every other scan moves).
- **Other services' facts** (offers, pickups, collections, cancellations, messages, feedback,
  channel choices): each event is kept in `report_event_archive` (as the projection needs it:
  no addresses, no names) and applied; an event's effect is order-tolerant (earliest
  milestone wins, latest answer wins).

`rebuild()` (`bookcross reports rebuild`) empties the read model and makes it again from
catalog's own tables and the archive — neither is pruned with the outbox.
"""
from __future__ import annotations

import functools
import json
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, Callable

from sqlalchemy import and_, bindparam, delete, func, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from services.catalog import question_reports
from services.catalog.assistant_models import ReportQuestion
from services.catalog.models import Centre, Copy, CopyStep
from services.catalog.report_models import (
    CopyLike,
    ReportChannelChoice,
    ReportCopy,
    ReportDonation,
    ReportEvent,
    ReportFeedback,
    ReportMessage,
    ReportPendingCopy,
    ReportTally,
)
from shared import db
from shared.i18n import KYIV

SERVICE = "catalog"
# Journey steps counted per centre and month (the trends and the open data).
STEP_KINDS = ("received", "shelved", "taken", "moved")
LEAD_STAGES = ("scheduled", "collected", "catalogued", "shelved")


def kyiv_month(at: datetime) -> str:
    return at.astimezone(KYIV).strftime("%Y-%m")


def kyiv_week(at: datetime) -> str:
    """The Monday (Kyiv time) of the week `at` falls in."""
    day = at.astimezone(KYIV).date()
    return (day - timedelta(days=day.weekday())).isoformat()


# --- counters --------------------------------------------------------------------------------

def bump(session: Session, kind: str, key: str, delta: int = 1) -> None:
    """Add `delta` to one counter (made at 0 if new): one upsert, exact under concurrency."""
    bump_many(session, {(kind, key): delta})


def bump_many(session: Session, deltas: dict[tuple[str, str], int]) -> None:
    """Add each delta to its counter (one statement, the same for any number of counters: its
    rows are sent together); rows go in (kind, key) order, so two transactions moving the same
    counters lock them in the same order."""
    rows = [{"kind": kind, "key": key, "n": delta} for (kind, key), delta in sorted(deltas.items()) if delta]
    if rows:
        connection = session.connection()
        connection.execute(_statements(connection.dialect.name).bump, rows)


def tallies(session: Session, *kinds: str) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {kind: {} for kind in kinds}
    for kind, key, n in session.execute(select(ReportTally.kind, ReportTally.key, ReportTally.n)
                                        .where(ReportTally.kind.in_(kinds))):
        found[kind][key] = n
    return found


# --- copies (catalog's own records) -----------------------------------------------------------

def refresh_copies(session: Session, codes) -> None:
    """Move the counters by what these copies did since they were last counted: their state
    and place now against the mark kept for each, and their journey steps after the mark's.

    A few cached statements per thousand copies (one copy's scan costs four). Marks are locked
    in code order and counters moved in key order, so two transactions at work on the same
    copies or counters wait for each other rather than deadlock."""
    session.flush()  # the copies' changes and new steps, read back below
    store = DbStore(session)
    connection = session.connection()
    sql = _statements(connection.dialect.name)
    codes = sorted(set(codes))
    for start in range(0, len(codes), 1000):
        chunk = codes[start:start + 1000]
        marks = {r.copy_code: r._asdict() for r in connection.execute(sql.marks, {"codes": chunk})}
        if len(marks) < len(chunk):  # copies counted for the first time
            connection.execute(sql.new_marks, [{"copy_code": c} for c in chunk if c not in marks])
            marks = {r.copy_code: r._asdict() for r in connection.execute(sql.marks, {"codes": chunk})}
        oldest = min(mark["last_step_id"] for mark in marks.values())
        rows, steps = {}, []
        for r in connection.execute(sql.copies_and_steps, {"codes": chunk, "after": oldest}):
            rows[r.code] = r
            if r.step_id is not None:
                steps.append(r)
        steps.sort(key=lambda step: step.step_id)
        changed: dict[str, dict] = {}
        firsts: dict[tuple, datetime] = {}
        for code in chunk:
            row, mark = rows.get(code), marks[code]
            if row is None:
                continue
            if (mark["centre_code"], mark["status"]) != (row.place, row.status):
                if mark["status"] is not None:
                    store.bump("stock", f"{mark['centre_code'] or ''}|{mark['status']}", -1)
                store.bump("stock", f"{row.place or ''}|{row.status}", 1)
                mark["centre_code"], mark["status"] = row.place, row.status
                changed[code] = mark
        for step in steps:
            mark = marks[step.code]
            if step.step_id <= mark["last_step_id"]:
                continue
            if step.kind in STEP_KINDS and step.step_centre:
                count_step(store, step.step_centre, kyiv_month(step.at), step.kind)
            if step.kind in ("catalogued", "shelved"):
                key = (step.donation_id, f"{step.kind}_at")
                firsts[key] = min(firsts.get(key, step.at), step.at)
            mark["last_step_id"] = step.step_id
            changed[step.code] = mark
        if changed:
            connection.execute(sql.set_mark, [{"code": code, "centre": m["centre_code"], "state": m["status"],
                                               "step": m["last_step_id"]} for code, m in sorted(changed.items())])
        for (donation_id, field), at in sorted(firsts.items(), key=lambda item: (str(item[0][0]), item[0][1])):
            _milestone(store, donation_id, field, at)
    store.flush()


@functools.cache
def _statements(dialect: str) -> SimpleNamespace:
    """The projection's hot statements, built once per database kind (and so compiled once)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    marks, tally, pending = ReportCopy.__table__, ReportTally.__table__, ReportPendingCopy.__table__
    bump = insert(tally)
    step = CopyStep.__table__
    return SimpleNamespace(
        bump=bump.on_conflict_do_update(index_elements=[tally.c.kind, tally.c.key],
                                        set_={"n": tally.c.n + bump.excluded.n}),
        marks=select(marks.c.copy_code, marks.c.centre_code, marks.c.status, marks.c.last_step_id)
        .where(marks.c.copy_code.in_(bindparam("codes", expanding=True)))
        .order_by(marks.c.copy_code).with_for_update(),
        new_marks=insert(marks).values(centre_code=None, status=None, last_step_id=0).on_conflict_do_nothing(),
        copies_and_steps=select(
            Copy.code, Copy.status, func.coalesce(Copy.centre_code, Copy.destination_code).label("place"),
            Copy.donation_id, step.c.id.label("step_id"), step.c.kind, step.c.centre_code.label("step_centre"),
            step.c.at)
        .select_from(Copy.__table__.outerjoin(step, and_(step.c.copy_code == Copy.code,
                                                         step.c.id > bindparam("after"))))
        .where(Copy.code.in_(bindparam("codes", expanding=True))),
        set_mark=update(marks).where(marks.c.copy_code == bindparam("code"))
        .values(centre_code=bindparam("centre"), status=bindparam("state"), last_step_id=bindparam("step")),
        note_pending=insert(pending).on_conflict_do_nothing(),
        take_pending=_skip_locked(select(pending.c.copy_code).order_by(pending.c.copy_code)
                                  .limit(bindparam("n")), dialect),
        lock_copies=select(Copy.code).where(Copy.code.in_(bindparam("codes", expanding=True)))
        .order_by(Copy.code).with_for_update(read=True),
        drop_pending=delete(pending).where(pending.c.copy_code.in_(bindparam("codes", expanding=True))),
        wait_pending=select(pending.c.copy_code).order_by(pending.c.copy_code)
        .with_for_update(read=True, key_share=True),
    )


def _skip_locked(statement, dialect: str):
    # SQLite has one writer at a time: nothing to skip.
    return statement.with_for_update(skip_locked=True) if dialect == "postgresql" else statement


def count_step(store: "DbStore", centre_code: str, month: str, kind: str, n: int = 1) -> None:
    """Journey steps, per centre and month (the open data), and rolled up per centre and per
    month (what the dashboard reads: a few hundred counters, not thousands)."""
    store.bump("step", f"{centre_code}|{month}|{kind}", n)
    store.bump("step_c", f"{centre_code}|{kind}", n)
    store.bump("step_m", f"{month}|{kind}", n)


_MOVED = "reports_copies_moved"


def copies_moved(session: Session, codes) -> None:
    """`move_copies` changed these copies: they are noted as pending when the transaction commits."""
    session.info.setdefault(_MOVED, set()).update(codes)


def _note_moved(session: Session) -> None:
    # Once per transaction, after every change it made. The changes are flushed first, so the
    # copies are locked (their UPDATE) before they are noted: a catch-up that took a copy's
    # pending row either holds the copy already (this waits, then notes it anew) or waits for
    # this transaction and reads the copy as it commits (catch_up).
    codes = session.info.pop(_MOVED, None)
    if codes:
        session.flush()
        connection = session.connection()
        connection.execute(_statements(connection.dialect.name).note_pending,
                           [{"copy_code": code} for code in sorted(codes)])


sa_event.listen(Session, "before_commit", _note_moved)
sa_event.listen(Session, "after_soft_rollback", lambda session, _tx: session.info.pop(_MOVED, None))


def register_task(app):
    """The periodic tick (REPORTS_CATCH_UP_SECONDS) on a catalog Celery app: count the copies
    moved since the last one."""
    from services.catalog.beat import REPORTS_CATCH_UP_TASK

    @app.task(name=REPORTS_CATCH_UP_TASK, ignore_result=True, acks_late=False)
    def reports_catch_up() -> int:
        return catch_up()

    return reports_catch_up


def catch_up(batch: int = 1000, *, most: int | None = None, reader: bool = False) -> int:
    """Count the pending copies, `batch` at a time, each batch in its own transaction; stops
    when none is left (or after `most`). Returns how many copies were counted.

    Safe beside every other change: pending rows are taken with SKIP LOCKED (two catch-ups
    share the work), and each copy is locked (FOR SHARE) before it is read, so a copy still
    being moved by a transaction that has not committed is waited for and read as it commits —
    a change is never left uncounted behind a pending row already taken.

    A `reader` (a page about to show the figures) also waits for the copies another catch-up
    has taken and not yet counted: skipped, they would be missing from what it shows. (The
    worker's periodic catch-up runs below the web's priority and can be paused for a while in
    the middle of a batch by a busy machine.)"""
    counted = _catch_up(batch, most)
    if reader and (most is None or counted < most) and _wait_for_other_catch_ups():
        counted += _catch_up(batch, None if most is None else most - counted)
    return counted


def _wait_for_other_catch_ups() -> bool:
    """Wait until no catch-up holds a pending copy (PostgreSQL; SQLite has one writer at a time).
    True if copies are pending after the wait (noted meanwhile, or left by a catch-up that
    rolled back): they are counted too."""
    with db.session_scope(SERVICE) as session:
        connection = session.connection()
        if connection.dialect.name != "postgresql":
            return False
        # FOR KEY SHARE waits only for the rows' FOR UPDATE holders (the catch-ups that took
        # them), and blocks nobody who notes a copy as pending.
        return bool(connection.execute(_statements(connection.dialect.name).wait_pending).first())


def _catch_up(batch: int, most: int | None) -> int:
    counted = 0
    while most is None or counted < most:
        with db.session_scope(SERVICE) as session:
            connection = session.connection()
            sql = _statements(connection.dialect.name)
            codes = list(connection.execute(sql.take_pending, {"n": batch}).scalars())
            if not codes:
                break
            if connection.dialect.name == "postgresql":
                connection.execute(sql.lock_copies, {"codes": codes})
            refresh_copies(session, codes)
            connection.execute(sql.drop_pending, {"codes": codes})
        counted += len(codes)
    return counted


def record_like(session: Session, copy_code: str, centre_code: str | None, at: datetime) -> None:
    """A reader liked a copy (called by the copy page, in the same transaction as the like)."""
    session.add(CopyLike(copy_code=copy_code, centre_code=centre_code, at=at))
    bump(session, "like", f"{centre_code or ''}|{kyiv_month(at)}", 1)
    bump(session, "like_week", kyiv_week(at), 1)


# --- where the projection keeps things: the database (live), or memory (rebuild) --------------

class DbStore:
    """The projection's rows in catalog's database, locked as they are touched."""

    def __init__(self, session: Session):
        self.session = session
        self.pending: Counter = Counter()

    def bump(self, kind: str, key: str, delta: int = 1) -> None:
        self.pending[(kind, key)] += delta  # moved at flush(), in key order

    def flush(self) -> None:
        bump_many(self.session, self.pending)
        self.pending.clear()

    def donation(self, donation_id) -> ReportDonation:
        donation_id = uuid.UUID(str(donation_id))
        db.insert_ignoring_duplicates(self.session, ReportDonation.__table__, {
            "donation_id": donation_id, "failed_pickups": 0})
        return self.session.get(ReportDonation, donation_id, populate_existing=True, with_for_update=True)

    def reached(self, donation_id, field: str, at: datetime) -> bool:
        """The milestone is already at `at` or earlier: nothing to lock. (A milestone only
        ever moves earlier, so what is read without a lock stays true.)"""
        current = self.session.scalar(select(getattr(ReportDonation, field))
                                      .where(ReportDonation.donation_id == uuid.UUID(str(donation_id))))
        return current is not None and current <= at

    def centre_oblast(self, code: str) -> str | None:
        return self.session.scalar(select(Centre.oblast).where(Centre.code == code))

    def notice_messages(self, donation_id: uuid.UUID, stage: str) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.session.execute(select(ReportMessage.channel, ReportMessage.status).where(
            ReportMessage.donation_id == donation_id, ReportMessage.stage == stage))]

    def add_message(self, values: dict) -> bool:
        return db.insert_ignoring_duplicates(self.session, ReportMessage.__table__, values)

    def feedback(self, donation_id: uuid.UUID, stage: str, *, create: bool = False) -> ReportFeedback | None:
        row = self.session.get(ReportFeedback, (donation_id, stage), with_for_update=True)
        if row is None and create:
            row = ReportFeedback(donation_id=donation_id, stage=stage)
            self.session.add(row)
        return row

    def channel_choice(self, donor_id: uuid.UUID, *, create: bool = False) -> ReportChannelChoice | None:
        row = self.session.get(ReportChannelChoice, donor_id, with_for_update=True)
        if row is None and create:
            row = ReportChannelChoice(donor_id=donor_id, unsubscribed=[])
            self.session.add(row)
        return row

    def wipe_comments(self, donation_ids: list[uuid.UUID]) -> None:
        self.session.execute(update(ReportFeedback).where(ReportFeedback.donation_id.in_(donation_ids))
                             .values(comment=None))


class MemoryStore(DbStore):
    """The same rows as plain objects, written in bulk at the end: a rebuild of a year of
    events takes seconds, not an hour of round trips."""

    def __init__(self, session: Session):
        super().__init__(session)
        self.counters: Counter = Counter()
        self.donations: dict[uuid.UUID, ReportDonation] = {}
        self.messages: dict[int, dict] = {}
        self.by_notice: dict[tuple, list[tuple[str, str]]] = {}
        self.feedbacks: dict[tuple, ReportFeedback] = {}
        self.choices: dict[uuid.UUID, ReportChannelChoice] = {}
        self.oblasts = dict(session.execute(select(Centre.code, Centre.oblast)).all())

    def bump(self, kind: str, key: str, delta: int = 1) -> None:
        self.counters[(kind, key)] += delta

    def flush(self) -> None:
        pass  # written by write()

    def donation(self, donation_id) -> ReportDonation:
        donation_id = uuid.UUID(str(donation_id))
        row = self.donations.get(donation_id)
        if row is None:
            row = self.donations[donation_id] = _row(ReportDonation, donation_id=donation_id, failed_pickups=0)
        return row

    def reached(self, donation_id, field: str, at: datetime) -> bool:
        return False  # the row in memory is compared below

    def centre_oblast(self, code: str) -> str | None:
        return self.oblasts.get(code)

    def notice_messages(self, donation_id: uuid.UUID, stage: str) -> list[tuple[str, str]]:
        return list(self.by_notice.get((donation_id, stage), ()))

    def add_message(self, values: dict) -> bool:
        if values["message_id"] in self.messages:
            return False
        self.messages[values["message_id"]] = values
        self.by_notice.setdefault((values["donation_id"], values["stage"]), []).append(
            (values["channel"], values["status"]))
        return True

    def feedback(self, donation_id: uuid.UUID, stage: str, *, create: bool = False) -> ReportFeedback | None:
        row = self.feedbacks.get((donation_id, stage))
        if row is None and create:
            row = self.feedbacks[(donation_id, stage)] = _row(ReportFeedback, donation_id=donation_id, stage=stage)
        return row

    def channel_choice(self, donor_id: uuid.UUID, *, create: bool = False) -> ReportChannelChoice | None:
        row = self.choices.get(donor_id)
        if row is None and create:
            row = self.choices[donor_id] = _row(ReportChannelChoice, donor_id=donor_id, unsubscribed=[])
        return row

    def wipe_comments(self, donation_ids: list[uuid.UUID]) -> None:
        for (donation_id, _), row in self.feedbacks.items():
            if donation_id in donation_ids:
                row.comment = None

    def write(self, batch: int) -> None:
        def rows(objects, table):
            names = [c.name for c in table.columns]
            return [{n: getattr(o, n) for n in names} for o in objects]

        postgresql = self.session.get_bind().dialect.name == "postgresql"

        def insert(table, values):
            if postgresql and values:
                # COPY on the session's own connection: in the same transaction, ten times faster.
                names = [c.name for c in table.columns]
                cursor = self.session.connection().connection.dbapi_connection.cursor()
                with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row([json.dumps(v) if isinstance(v, (list, dict)) else v
                                        for v in (value.get(n) for n in names)])
                return
            for start in range(0, len(values), batch):
                self.session.execute(table.insert(), values[start:start + batch])

        insert(ReportDonation.__table__, rows(self.donations.values(), ReportDonation.__table__))
        insert(ReportMessage.__table__, list(self.messages.values()))
        insert(ReportFeedback.__table__, rows(self.feedbacks.values(), ReportFeedback.__table__))
        insert(ReportChannelChoice.__table__, rows(self.choices.values(), ReportChannelChoice.__table__))
        insert(ReportTally.__table__, [{"kind": k, "key": key, "n": n}
                                       for (k, key), n in self.counters.items() if n])


def _row(model, **values) -> SimpleNamespace:
    """A plain stand-in for a row of `model` (every column None unless given): a rebuild makes
    hundreds of thousands, and mapped objects cost several times more to make and change."""
    return SimpleNamespace(**{**dict.fromkeys(c.name for c in model.__table__.columns), **values})


# --- donations' milestones -------------------------------------------------------------------

def _touched(store: DbStore, row: ReportDonation) -> None:
    """After a milestone changed: the waiting list, and the month's response times go stale."""
    open_ = row.offered_at is not None and row.shelved_at is None and row.cancelled_at is None
    row.waiting_since = row.offered_at if open_ else None
    for stage in LEAD_STAGES:
        at = getattr(row, f"{stage}_at")
        setattr(row, f"{stage}_s", int((at - row.offered_at).total_seconds())
                if at is not None and row.offered_at is not None else None)
    if row.month:
        store.bump("leadver", row.month, 1)


def _milestone(store: DbStore, donation_id, field: str, at: datetime) -> None:
    if store.reached(donation_id, field, at):
        return
    row = store.donation(donation_id)
    current = getattr(row, field)
    if current is None or at < current:
        setattr(row, field, at)
        _touched(store, row)


# --- other services' events: kept, then applied ------------------------------------------------

def _text(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def apply_offered(store: DbStore, p: dict, at: datetime) -> None:
    row = store.donation(p["donation_id"])
    oblast = p.get("oblast")
    if not oblast and p.get("centre_code"):
        oblast = store.centre_oblast(p["centre_code"])
    row.donor_kind, row.handover, row.centre_code = p["donor_kind"], p["handover"], p.get("centre_code")
    row.declared_count, row.oblast = p["declared_count"], oblast
    if row.month and row.month != kyiv_month(at):
        store.bump("leadver", row.month, 1)
    row.offered_at, row.month = at, kyiv_month(at)
    _touched(store, row)


def apply_scheduled(store: DbStore, p: dict, at: datetime) -> None:
    _milestone(store, p["donation_id"], "scheduled_at", at)


def apply_failed(store: DbStore, p: dict, at: datetime) -> None:
    row = store.donation(p["donation_id"])
    row.failed_pickups = (row.failed_pickups or 0) + 1
    _touched(store, row)


def apply_collected(store: DbStore, p: dict, at: datetime) -> None:
    _milestone(store, p["donation_id"], "collected_at", at)


def apply_cancelled(store: DbStore, p: dict, at: datetime) -> None:
    _milestone(store, p["donation_id"], "cancelled_at", at)


def _outcome(statuses: list[str]) -> str | None:
    """How a notice (one donation, one stage) went: told on the first channel tried, told after
    a failed channel fell back to the next, or not told (every channel tried failed)."""
    if not statuses:
        return None
    if "sent" in statuses:
        return "fell_back" if "failed" in statuses else "direct"
    return "not_reached"


def apply_message(store: DbStore, p: dict, at: datetime) -> None:
    donation_id = uuid.UUID(p["donation_id"])
    earlier = store.notice_messages(donation_id, p["stage"])
    if not store.add_message({"message_id": p["message_id"], "donation_id": donation_id, "stage": p["stage"],
                              "channel": p["channel"], "status": p["status"], "at": _when(p["at"])}):
        return
    store.bump("msg", f"{p['stage']}|{p['channel']}|{p['status']}", 1)
    if p["status"] == "sent" and (p["channel"], "sent") not in earlier:
        store.bump("told", f"{p['stage']}|{p['channel']}", 1)
    before = _outcome([status for _, status in earlier])
    after = _outcome([status for _, status in earlier] + [p["status"]])
    if before != after:
        if before:
            store.bump("notice", f"{p['stage']}|{before}", -1)
        store.bump("notice", f"{p['stage']}|{after}", 1)


def feedback_source(stage: str) -> str:
    return "tracking" if stage == "tracking" else "message"


def _feedback_key(row: ReportFeedback) -> str:
    return f"{kyiv_week(row.at)}|{feedback_source(row.stage)}|{'yes' if row.useful else 'no'}"


def apply_feedback(store: DbStore, p: dict, at: datetime) -> None:
    donation_id = uuid.UUID(p["donation_id"])
    answered = _when(p["at"])
    row = store.feedback(donation_id, p["stage"])
    if row is not None and row.at > answered:
        return  # a newer answer is already counted
    if row is not None:
        store.bump("feedback", _feedback_key(row), -1)
    else:
        row = store.feedback(donation_id, p["stage"], create=True)
    row.useful, row.comment, row.at = bool(p["useful"]), p.get("comment") or None, answered
    store.bump("feedback", _feedback_key(row), 1)


def apply_channels(store: DbStore, p: dict, at: datetime) -> None:
    donor_id = uuid.UUID(p["donor_id"])
    new = sorted(set(p.get("unsubscribed") or []))
    row = store.channel_choice(donor_id)
    if row is not None and row.as_of > at:
        return
    old = sorted(set(row.unsubscribed)) if row is not None else []
    if row is None:
        row = store.channel_choice(donor_id, create=True)
    for channel in set(old) - set(new):
        store.bump("unsub", channel, -1)
    for channel in set(new) - set(old):
        store.bump("unsub", channel, 1)
    if bool(old) != bool(new):
        store.bump("unsub", "*", 1 if new else -1)
    row.unsubscribed, row.as_of = new, at


def apply_erased(store: DbStore, p: dict, at: datetime) -> None:
    """The donor asked to be forgotten: their feedback comments go (the yes/no stays counted),
    here and in the archive."""
    ids = [uuid.UUID(d) for d in p["donation_ids"]]
    if not ids:
        return
    store.wipe_comments(ids)
    wanted = {str(i) for i in ids}
    for archived in store.session.scalars(select(ReportEvent).where(
            ReportEvent.event_type == "donations.feedback_given")):
        if archived.payload.get("donation_id") in wanted and archived.payload.get("comment"):
            archived.payload = {**archived.payload, "comment": None}


# event type → (fields kept in the archive, how it is applied)
FOREIGN: dict[str, tuple[tuple[str, ...], Callable[[Session, dict, datetime], None]]] = {
    "donations.donation_offered": (("donation_id", "donor_kind", "handover", "centre_code", "oblast",
                                    "declared_count"), apply_offered),
    "donations.pickup_scheduled": (("donation_id",), apply_scheduled),
    "donations.pickup_failed": (("donation_id",), apply_failed),
    "donations.donation_collected": (("donation_id", "collected_count"), apply_collected),
    "donations.donation_cancelled": (("donation_id", "by"), apply_cancelled),
    "donations.donor_erased": (("donation_ids",), apply_erased),
    "donations.feedback_given": (("donation_id", "stage", "useful", "comment", "at"), apply_feedback),
    "notifications.message_delivered": (("donation_id", "message_id", "stage", "channel", "status", "at"),
                                        apply_message),
    "notifications.channels_changed": (("donor_id", "unsubscribed"), apply_channels),
    **question_reports.FOREIGN,  # the assistant's questions and their response times
}


def on_foreign_event(session: Session, event: dict) -> None:
    """Keep the event (once), then apply it."""
    fields, apply = FOREIGN[event["type"]]
    payload = {name: _text(event["payload"].get(name)) for name in fields}
    if not db.insert_ignoring_duplicates(session, ReportEvent.__table__, {
            "event_id": event["event_id"], "event_type": event["type"], "version": event["version"],
            "occurred_at": event["occurred_at"], "payload": payload}):
        return
    store = DbStore(session)
    apply(store, payload, event["occurred_at"])
    store.flush()


# --- rebuild ---------------------------------------------------------------------------------

REBUILT_TABLES = (ReportTally, ReportCopy, ReportDonation, ReportMessage, ReportFeedback, ReportChannelChoice,
                  ReportQuestion)


def rebuild(*, batch: int = 20_000, echo: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Make the whole read model again from catalog's tables and the event archive, in one
    transaction (live handlers wait for it on PostgreSQL's table locks; SQLite has one writer).
    Applying the archive goes through the same functions as the live projection."""
    import time

    started = time.perf_counter()

    def say(line: str) -> None:
        echo(f"{line} ({time.perf_counter() - started:.1f} s)")

    with db.session_scope(SERVICE) as session:
        if session.get_bind().dialect.name == "postgresql":
            names = ", ".join(t.__tablename__ for t in (*REBUILT_TABLES, ReportEvent))
            session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
        # Versions only grow: a process that cached a month's figures must see them change.
        versions = dict(session.execute(select(ReportTally.key, ReportTally.n).where(ReportTally.kind == "leadver")).all())
        for table in REBUILT_TABLES:
            session.execute(delete(table))
        store = MemoryStore(session)
        for month, n in versions.items():
            store.bump("leadver", month, n)
        counts = {"events": 0, "copies": 0, "steps": 0}

        # 1. Other services' facts, in the order they happened.
        for row in session.execute(select(ReportEvent.event_type, ReportEvent.payload, ReportEvent.occurred_at)
                                   .order_by(ReportEvent.occurred_at, ReportEvent.event_id)
                                   .execution_options(yield_per=batch)):
            FOREIGN[row.event_type][1](store, row.payload, row.occurred_at)
            counts["events"] += 1
        say(f"events applied: {counts['events']}")

        # 2. Copies: where each is now (in SQL), and every journey step by centre and month.
        session.execute(ReportCopy.__table__.insert().from_select(
            ["copy_code", "centre_code", "status", "last_step_id"],
            select(Copy.code, func.coalesce(Copy.centre_code, Copy.destination_code), Copy.status,
                   func.coalesce(select(func.max(CopyStep.id)).where(CopyStep.copy_code == Copy.code)
                                 .scalar_subquery(), 0))))
        place = func.coalesce(Copy.centre_code, Copy.destination_code)
        for centre_code, status, n in session.execute(
                select(place, Copy.status, func.count()).group_by(place, Copy.status)):
            store.bump("stock", f"{centre_code or ''}|{status}", n)
            counts["copies"] += n
        for centre_code, month, kind, n in _steps_by_month(session, batch):
            count_step(store, centre_code, month, kind, n)
            counts["steps"] += n
        say(f"copies: {counts['copies']}, journey steps counted: {counts['steps']}")

        # 3. Each donation's first copy catalogued and first copy on a shelf.
        for kind, field in (("catalogued", "catalogued_at"), ("shelved", "shelved_at")):
            for donation_id, at in session.execute(
                    select(Copy.donation_id, func.min(CopyStep.at)).join(Copy, Copy.code == CopyStep.copy_code)
                    .where(CopyStep.kind == kind).group_by(Copy.donation_id)):
                _milestone(store, donation_id, field, at)

        # 4. Readers' likes.
        for centre_code, at in session.execute(select(CopyLike.centre_code, CopyLike.at)
                                               .execution_options(yield_per=batch)):
            store.bump("like", f"{centre_code or ''}|{kyiv_month(at)}", 1)
            store.bump("like_week", kyiv_week(at), 1)

        say("donations' milestones and readers' likes")
        store.write(batch)
        say("written")
        counts["donations"] = len(store.donations)
        counts["messages"] = len(store.messages)
        return counts


def _steps_by_month(session: Session, batch: int):
    """(centre, Kyiv month, kind, count) of the journey steps counted. PostgreSQL groups them
    itself (millions of rows); elsewhere they are grouped here."""
    counted = (CopyStep.kind.in_(STEP_KINDS), CopyStep.centre_code.is_not(None))
    if session.get_bind().dialect.name == "postgresql":
        zone = KYIV.key
        if not session.scalar(text("SELECT count(*) FROM pg_timezone_names WHERE name = :z"), {"z": zone}):
            zone = "Europe/Kiev"  # the same rules, under the name of older time zone data
        month = func.to_char(func.timezone(zone, CopyStep.at), "YYYY-MM")
        yield from session.execute(select(CopyStep.centre_code, month, CopyStep.kind, func.count())
                                   .where(*counted).group_by(CopyStep.centre_code, month, CopyStep.kind))
        return
    grouped: Counter = Counter()
    for centre_code, kind, at in session.execute(select(CopyStep.centre_code, CopyStep.kind, CopyStep.at)
                                                 .where(*counted).execution_options(yield_per=batch)):
        grouped[(centre_code, kyiv_month(at), kind)] += 1
    for (centre_code, month, kind), n in grouped.items():
        yield centre_code, month, kind, n
