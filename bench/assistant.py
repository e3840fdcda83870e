"""The consultation assistant against the questions people really write
(tests/assistant_questions.tsv): intent accuracy (target ≥ 90 %), accuracy on questions carrying
a valid tracking code (target 100 %), the confusion between intents, and how long a whole
answer takes (the engine with its facts: a real donations database on SQLite, or PostgreSQL
with --postgres, holding a donation for every code in the set and a needs snapshot; target p95
< 50 ms). Exits 1 when a target is missed.

    .venv/bin/python bench/assistant.py [--rounds 3] [--postgres URL] [--show-misses]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUESTIONS = ROOT / "tests" / "assistant_questions.tsv"
ACCURACY_TARGET = 0.90
CODE_TARGET = 1.0
P95_TARGET_MS = 50.0


def load() -> list[tuple[str, str]]:
    rows = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, question = line.split("\t", 1)
            rows.append((intent, question))
    return rows


def prepare(url: str, codes_in_set: list[str]) -> None:
    """A donations database with a donation for every code the questions carry (each at some
    stage of its way) and catalog's needs snapshot."""
    os.environ["DONATIONS_DATABASE_URL"] = url
    from sqlalchemy import update

    from services.donations import services
    from services.donations.assistant.models import NeedsSnapshot
    from services.donations.models import Donation
    from shared import codes, db
    from shared.centres import reference_centres
    from shared.migrate import upgrade
    from shared.models import utcnow

    upgrade("donations", url)
    for n, code in enumerate(codes_in_set):
        data = {"donor": {"kind": "citizen", "name": "Bench", "email": f"bench{n}@example.com", "phone": None,
                          "language": "uk", "latin": False, "consent": True, "channels": ["email"]},
                "items": [{"isbn": None, "title": f"Книжка {n}", "authors": "Автор", "quantity": 3 + n}],
                "handover": {"kind": "pickup", "address": "вул. Сумська, 1", "city": "Харків", "oblast": "Харківська"}}
        donation = services.offer_donation(data, idempotency_key=f"bench-{n}-{time.time_ns()}").donation
        with db.session_scope("donations") as session:
            session.execute(update(Donation).where(Donation.id == donation.id)
                            .values(tracking_code=codes.normalise(code)))
        if n % 2:
            services.record_collection(donation.id, 3 + n, actor="bench")
    centres = sorted(reference_centres().values(), key=lambda c: c["code"])[::6]
    snapshot = {"digest": "bench", "wish_kinds": {"children": {"uk": "дитячі книжки", "en": "children's books"}},
                "centres": [{"code": c["code"], "name": c["name"], "settlement": c["settlement"], "oblast": c["oblast"],
                             "address": c["address"], "level": "high"} for c in centres],
                "oblasts": [{"oblast": o, "level": "high", "priority": False, "wishes": ["children"]}
                            for o in sorted({c["oblast"] for c in centres})]}
    with db.session_scope("donations") as session:
        session.merge(NeedsSnapshot(id=1, payload=snapshot, as_of=utcnow()))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(int(round(p / 100 * len(values) + 0.5)) - 1, 0)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each question is answered (latency)")
    parser.add_argument("--postgres", help="a PostgreSQL database URL to use instead of a fresh SQLite file")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("BOOKCROSS_SECRET_KEY", "bench-assistant")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    from services.donations.assistant import engine
    from services.donations.assistant.intents import INTENTS, understand
    from services.donations.assistant.language import find_codes

    rows = load()
    started = time.perf_counter()
    understood = [understand(q) for _, q in rows]  # the first pass loads the dictionaries
    load_s = time.perf_counter() - started
    got = [u.intent for u in understood]
    right = sum(1 for (want, _), have in zip(rows, got) if want == have)
    with_code = [(want, have) for (want, q), have in zip(rows, got) if find_codes(q).valid]
    code_right = sum(1 for want, have in with_code if want == have)
    accuracy, code_accuracy = right / len(rows), code_right / len(with_code) if with_code else 1.0

    confusion: Counter = Counter((want, have) for (want, _), have in zip(rows, got))
    print(f"questions: {len(rows)} ({len(with_code)} with a valid tracking code), "
          f"{Counter(w for w, _ in rows).most_common()}")
    print(f"intent accuracy: {accuracy:.1%} ({right}/{len(rows)}; target ≥ {ACCURACY_TARGET:.0%})")
    print(f"with a valid tracking code: {code_accuracy:.1%} ({code_right}/{len(with_code)}; "
          f"target {CODE_TARGET:.0%})")
    print("\nconfusion (rows: expected, columns: understood)")
    short = {i: i[:5] for i in INTENTS}
    print(f"{'':12}" + "".join(f"{short[i]:>7}" for i in INTENTS))
    for want in INTENTS:
        print(f"{want:12}" + "".join(f"{confusion[(want, have)] or '.':>7}" for have in INTENTS))
    misses = [(want, have, q) for (want, q), have in zip(rows, got) if want != have]
    if args.show_misses or misses:
        print("\nmisunderstood:")
        for want, have, q in misses:
            print(f"  {want} → {have}: {q}")

    codes_in_set = sorted({c for _, q in rows for c in find_codes(q).valid})
    with tempfile.TemporaryDirectory() as tmp:
        prepare(args.postgres or f"sqlite:///{tmp}/donations.db", codes_in_set)
        timings = []
        for _ in range(args.rounds):
            for (_, question) in rows:
                t0 = time.perf_counter()
                answer = engine.answer(question, channel="web", hint="uk", page_url="http://bench/ask/x")
                timings.append((time.perf_counter() - t0) * 1000)
                assert answer.text
        from shared import db

        db.dispose_all()
    p50, p95, p99 = (percentile(timings, p) for p in (50, 95, 99))
    print(f"\nanswer latency ({len(timings)} answers, engine with its database reads; dictionaries loaded in "
          f"{load_s * 1000:.0f} ms at first): p50 {p50:.1f} ms, p95 {p95:.1f} ms (target < {P95_TARGET_MS:.0f} ms), "
          f"p99 {p99:.1f} ms, mean {statistics.mean(timings):.1f} ms")

    missed = []
    if accuracy < ACCURACY_TARGET:
        missed.append("intent accuracy")
    if code_accuracy < CODE_TARGET:
        missed.append("accuracy with a tracking code")
    if p95 >= P95_TARGET_MS:
        missed.append("p95 latency")
    print("\ntargets: " + ("all met" if not missed else "MISSED: " + ", ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
