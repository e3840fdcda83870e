"""Benchmark: books going on shelves, told to their donors once per batch.

    .venv/bin/python bench/notify.py [--events 5000] [--donors 50] [--window 120]

On PostgreSQL and a private Redis, with the real notifications worker (and donations' and
catalog's: donations hears the shelving too) and beat running the delivery loop every second:
50 donors' contacts arrive over the bus; then 5,000 `catalog.copy_shelved` events (100 per
donor, shuffled across 3 centres) are written to catalog's outbox, each in its own committed
transaction, as catalog writes them, and relayed to the subscribers. A real SMTP server on
loopback (aiosmtpd) receives the letters. Prints events/s (first commit → last event handled
by notifications), messages sent (must be exactly one per donor and stage), and p99 from a
donor's last event to their letter arriving, and from the window closing to the letter.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.backends import backends  # noqa: E402
from bench.bus import percentile  # noqa: E402
from shared.testing import wait_for  # noqa: E402

CENTRES = [{"centre_code": "1452", "centre_name": "ТСЦ МВС № 1452", "settlement": "м. Краматорськ", "oblast": "Донецька"},
           {"centre_code": "6341", "centre_name": "ТСЦ МВС № 6341", "settlement": "м. Харків", "oblast": "Харківська"},
           {"centre_code": "4641", "centre_name": "ТСЦ МВС № 4641", "settlement": "м. Львів", "oblast": "Львівська"}]


class TimedMailbox:
    def __init__(self):
        self.arrivals: dict[str, list[float]] = {}

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.arrivals.setdefault(rcpt, []).append(time.time())
        return "250 OK"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--donors", type=int, default=50)
    parser.add_argument("--window", type=int, default=120, help="NOTIFY_BATCH_WINDOW, seconds")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from shared.embedded import free_port
    from shared.testing.network import Network

    mailbox = TimedMailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {"SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "NOTIFY_BATCH_WINDOW": str(args.window),
           "NOTIFY_TICK_SECONDS": "1", "NOTIFY_QUIET_START": "00:00", "NOTIFY_QUIET_END": "00:00"}
    try:
        with backends("notify", **env) as (workdir, _urls, process_env):
            network = Network(process_env, workdir / "logs", web=())
            try:
                network.start()
                result = run(args, mailbox)
            finally:
                network.stop()
    finally:
        smtp.stop()

    print(f"\nnotify benchmark — {args.events} shelving events for {args.donors} donors, batch window "
          f"{args.window} s, PostgreSQL, Celery workers and beat, 2-core machine")
    print(f"  events handled by notifications: {result['rate']:.0f} events/s "
          f"({args.events} in {result['seconds']:.1f} s, first commit → last handled)")
    print(f"  letters: {result['letters']} for {args.donors} donors × 1 stage "
          f"(must be {args.donors}: {'yes' if result['letters'] == args.donors else 'NO'}); "
          f"each says {result['counts']}")
    print(f"  last event of a donor's batch → letter: p50 {result['last_p50']:.1f} s, p99 {result['last_p99']:.1f} s")
    print(f"  window closed → letter: p50 {result['close_p50']:.2f} s, p99 {result['close_p99']:.2f} s")
    return 0 if result["letters"] == args.donors else 1


def run(args, mailbox: TimedMailbox) -> dict:
    from sqlalchemy import func, select

    import services.catalog.tasks  # noqa: F401  (the catalog publisher: after-commit nudges)
    import services.donations.tasks  # noqa: F401
    from services.notifications.models import CopyFact, Message, Notice
    from shared import db
    from shared.outbox import add_event

    donations = [uuid.uuid4() for _ in range(args.donors)]
    address = {d: f"donor{i}@bench.example" for i, d in enumerate(donations)}
    with db.session_scope("donations") as session:
        for d in donations:
            add_event(session, "donations.donor_contact_changed", {
                "donation_id": d, "donor_id": uuid.uuid4(), "tracking_code": "1RF4-VTG9-TYZZ-G",
                "name": None, "email": address[d], "phone": None, "language": "uk", "latin": False,
                "channels": ["email"]}, producer="donations")

    def contacts() -> bool:
        from services.notifications.models import Contact

        with db.session_scope("notifications") as session:
            return session.scalar(select(func.count()).select_from(Contact)) == args.donors

    wait_for(contacts, timeout=120, interval=0.5, message="contacts")

    per_donor = args.events // args.donors
    events = [(d, i) for d in donations for i in range(per_donor)]
    random.Random(5).shuffle(events)
    last_commit: dict = {}
    started = time.time()
    for d, i in events:
        with db.session_scope("catalog") as session:
            add_event(session, "catalog.copy_shelved", {
                "copy_code": f"{str(d)[:4].upper()}{i:06d}", "donation_id": d, **CENTRES[i % 3]},
                producer="catalog")
        last_commit[d] = time.time()

    def handled() -> bool:
        with db.session_scope("notifications") as session:
            return session.scalar(select(func.count()).select_from(CopyFact)) >= len(events)

    wait_for(handled, timeout=900, interval=0.2, message="every event handled")
    seconds = time.time() - started
    wait_for(lambda: len(mailbox.arrivals) >= args.donors, timeout=args.window * 3 + 120, interval=0.5,
             message="a letter for every donor")
    time.sleep(5)  # anything extra would arrive now
    with db.session_scope("notifications") as session:
        opened = {n.donation_id: n.created_at.timestamp() for n in session.scalars(select(Notice))}
        rows = list(session.scalars(select(Message)))
        counts = sorted({m.text.split(" ")[0] for m in rows if m.text})
        notices = list(session.scalars(select(Notice)))
    twice = {a: len(t) for a, t in mailbox.arrivals.items() if len(t) > 1}
    if twice or len(rows) != args.donors or len(notices) != args.donors:
        print(f"  ! letters to the same address: {twice}; notices {len(notices)}, message rows {len(rows)}")
        for m in rows:
            if m.attempts > 1 or m.last_error:
                print(f"  ! message {m.id} {m.stage} attempts {m.attempts} status {m.status} error {m.last_error}")
    letters = sum(len(v) for v in mailbox.arrivals.values())
    after_last = [mailbox.arrivals[address[d]][0] - last_commit[d] for d in donations]
    after_close = [mailbox.arrivals[address[d]][0] - (opened[d] + args.window) for d in donations]
    return {"rate": len(events) / seconds, "seconds": seconds, "letters": letters, "counts": counts,
            "last_p50": percentile(after_last, 50), "last_p99": percentile(after_last, 99),
            "close_p50": percentile(after_close, 50), "close_p99": percentile(after_close, 99)}


if __name__ == "__main__":
    sys.exit(main())
