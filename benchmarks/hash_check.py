"""What checking hashes on read costs (issue 13): the same reads with ``check_hashes`` on and off.

    python benchmarks/hash_check.py --db /tmp/w.db [--pairs 300] [--samples 10]

on a database made from ``generate.py`` (``factbase load``). Prints, as CPU time (the machine
is shared; the check and the plain read alternate so both see the same load):

* per row: :func:`factbase.store.rows.decode` of every row of the log, with and without the
  check (the check alone: the chain hash and the content hash of one row);
* ``FactBase.org`` on random organisation/date pairs (median and p99);
* ``FactBase.timeline`` of the largest organisations (median);
* ``factbase verify`` (a subprocess), which checks every content hash besides the chain.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from factbase.api import FactBase
from factbase.store import rows


def cpu(fn: Callable[[], Any]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def per_row(path: str) -> tuple[int, float, float]:
    conn = sqlite3.connect(path)
    found = conn.execute(rows.SQLITE_SELECT + " ORDER BY seq").fetchall()
    conn.close()
    plain, checked = [], []
    for _ in range(3):
        plain.append(cpu(lambda: [rows.decode(r, False) for r in found]))
        checked.append(cpu(lambda: [rows.decode(r, True) for r in found]))
    return len(found), min(plain) / len(found) * 1e6, min(checked) / len(found) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--samples", type=int, default=10)
    args = ap.parse_args()

    n, plain_us, checked_us = per_row(args.db)
    print(f"rows: {n:,}; decode {plain_us:.1f} µs/row, decode + check {checked_us:.1f} µs/row: "
          f"the check costs {checked_us - plain_us:.1f} µs/row")

    conn = sqlite3.connect(args.db)
    orgs = [r[0] for r in conn.execute("SELECT entity_id FROM entities WHERE kind = "
                                       "'organization' ORDER BY entity_id")]
    big = [r[0] for r in conn.execute(
        "SELECT stream, count(*) AS n FROM events WHERE stream IN (SELECT entity_id FROM "
        "entities WHERE kind = 'organization') GROUP BY stream ORDER BY n DESC LIMIT ?",
        (args.samples,))]
    sizes = dict(conn.execute("SELECT stream, count(*) FROM events GROUP BY stream"))
    conn.close()
    rng = random.Random(1)
    pairs = [(rng.choice(orgs), date(2015, 1, 1) + timedelta(days=rng.randrange(4000)))
             for _ in range(args.pairs)]
    with FactBase.open(args.db) as on, FactBase.open(args.db, check_hashes=False) as off:
        on.org(pairs[0][0], as_of=pairs[0][1])
        off.org(pairs[0][0], as_of=pairs[0][1])
        times: dict[str, list[float]] = {"on": [], "off": []}
        for o, d in pairs:
            times["off"].append(cpu(lambda o=o, d=d: off.org(o, as_of=d)))  # type: ignore[misc]
            times["on"].append(cpu(lambda o=o, d=d: on.org(o, as_of=d)))  # type: ignore[misc]
        for key in ("off", "on"):
            ms = sorted(t * 1000 for t in times[key])
            print(f"org, {len(ms)} pairs, check {key}: median {statistics.median(ms):.2f} ms, "
                  f"p99 {ms[int(len(ms) * 0.99) - 1]:.2f} ms")
        tl: dict[str, list[float]] = {"on": [], "off": []}
        for o in big:
            tl["off"].append(cpu(lambda o=o: off.timeline(o)))  # type: ignore[misc]
            tl["on"].append(cpu(lambda o=o: on.timeline(o)))  # type: ignore[misc]
        mean_events = statistics.mean(sizes[o] for o in big)
        for key in ("off", "on"):
            print(f"timeline of the {len(big)} largest organisations (about {mean_events:,.0f} "
                  f"events each), check {key}: median {statistics.median(tl[key]) * 1000:.1f} ms")
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "factbase", "--db", args.db, "verify"], check=True,
                   capture_output=True)
    wall = time.monotonic() - start
    print(f"verify (whole process, wall): {wall:.2f} s, {n / wall:,.0f} ev/s")


if __name__ == "__main__":
    main()
