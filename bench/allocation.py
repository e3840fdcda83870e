"""Benchmark: allocate 10,000 copies over 150 centres (target: under 0.5 s).

    .venv/bin/python bench/allocation.py [--copies 10000] [--centres 150] [--titles 2500]

The centres are the 144 of the reference register (plus generated ones up to --centres),
with demo-like visitor numbers, stock and capacity; titles follow a long tail (a few titles
with hundreds of copies, most with one or two), as a publisher drive and a flash mob give.
The baseline, timed in the same run on the same data, is a plain round-robin that ignores
need, capacity order and titles: the least work any allocation can do.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.catalog.allocation import CentreState, CopyToPlace, allocate  # noqa: E402
from shared.centres import reference_centres  # noqa: E402

PRIORITY = {"Донецька", "Харківська", "Херсонська", "Запорізька", "Миколаївська", "Сумська", "Чернігівська"}


def network(centre_count: int, copy_count: int, title_count: int, seed: int = 55):
    rng = random.Random(seed)
    rows = list(reference_centres().values())
    centres = []
    for i in range(centre_count):
        row = rows[i % len(rows)]
        code = row["code"] if i < len(rows) else f"9{i:03d}"
        capacity = rng.randint(150, 400)
        centres.append(CentreState(
            code=code, settlement=row["settlement"], oblast=row["oblast"], capacity=capacity,
            stock=rng.randint(0, capacity // 2), visitors_per_year=rng.choice([None, rng.randint(8000, 60000)]),
            priority_weight=1.5 if row["oblast"] in PRIORITY else 1.0,
            titles=frozenset(f"t{rng.randint(0, title_count)}" for _ in range(rng.randint(0, 30)))))
    weights = [1 / (rank + 1) for rank in range(title_count)]  # long tail
    copies = [CopyToPlace(f"C{n:06d}", f"t{title}")
              for n, title in enumerate(rng.choices(range(title_count), weights=weights, k=copy_count))]
    return copies, centres


def round_robin(copies, centres):
    codes = [c.code for c in centres]
    return [(copy.code, codes[i % len(codes)]) for i, copy in enumerate(copies)]


def timed(fn, *args, repeat=5):
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(*args)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=10_000)
    parser.add_argument("--centres", type=int, default=150)
    parser.add_argument("--titles", type=int, default=2_500)
    args = parser.parse_args()
    copies, centres = network(args.centres, args.copies, args.titles)
    baseline, _ = timed(round_robin, copies, centres)
    elapsed, assignments = timed(allocate, copies, centres)
    free = sum(c.capacity - c.stock for c in centres)
    print(f"\nallocation benchmark — {len(copies)} copies, {len(centres)} centres, "
          f"{len({c.title_key for c in copies})} titles, {free} free places")
    print(f"  allocate()          : {elapsed * 1000:7.1f} ms (median of 5)  "
          f"{len(assignments)} assigned  target < 500 ms: {'met' if elapsed < 0.5 else 'NOT met'}")
    print(f"  round-robin baseline: {baseline * 1000:7.1f} ms  ratio {elapsed / baseline:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
