"""Many writers at once: W processes each load their own organisation's N events together.

    python benchmarks/writers.py --db /tmp/writers.db --writers 8 --events 10000
    python benchmarks/writers.py --db postgresql+psycopg://postgres@127.0.0.1/fb_bench --via api

Prints the wall time from the first start to the last finish, events per second over all
writers, and the busy retries the writers needed (CLI: the `note: the database is busy` lines;
API: ``FactBase.busy_retries``). The database must exist and be empty or hold other streams
(run ``factbase --db … init`` first); each writer's events are new.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def records(k: int, n: int, tag: str) -> list[dict[str, Any]]:
    """Writer ``k``'s ``n`` records: a source, an organisation, people and their joinings."""
    org, src = f"{tag}{k}-org", f"{tag}{k}-src"
    out: list[dict[str, Any]] = [
        {"type": "source.registered", "source": src, "url": f"https://example.com/{tag}{k}",
         "title": f"Writer {k}", "published": "2026-01-01"},
        {"type": "entity.registered", "entity": org, "kind": "organization",
         "name": f"Writer {tag}{k} Org"}]
    i = 0
    while len(out) < n:
        person = f"{tag}{k}-p{i}"
        out.append({"type": "entity.registered", "entity": person, "kind": "person",
                    "name": f"Writer{tag}{k} Person{i}"})
        if len(out) < n:
            out.append({"type": "person.joined", "id": f"{person}-joined",
                        "date": f"20{10 + i % 15}-{1 + i % 12:02d}", "sources": [src],
                        "person": person, "org": org})
        i += 1
    return out


def _api_load(db: str, path: str) -> int:
    from factbase.api import FactBase

    with FactBase.open(db) as fb:
        fb.load([path])
        return fb.busy_retries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--events", type=int, default=10_000, help="per writer")
    ap.add_argument("--via", choices=["cli", "api"], default="cli")
    args = ap.parse_args()
    tag = f"b{int(time.time())}x"
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k in range(args.writers):
            path = Path(tmp) / f"w{k}.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in records(k, args.events, tag)))
            files.append(str(path))
        start = time.perf_counter()
        if args.via == "cli":
            procs = [subprocess.Popen([sys.executable, "-m", "factbase", "--db", args.db, "load",
                                       f], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                      text=True) for f in files]
            errs = [p.communicate()[1] for p in procs]
            failed = [e for p, e in zip(procs, errs, strict=True) if p.returncode != 0]
            retries = sum(e.count("note: the database is busy") for e in errs)
        else:
            with mp.get_context("spawn").Pool(args.writers) as pool:
                retries = sum(pool.starmap(_api_load, [(args.db, f) for f in files]))
            failed = []
        wall = time.perf_counter() - start
    total = args.writers * args.events
    print(f"{args.writers} writers x {args.events} events via {args.via}: {wall:.1f} s wall, "
          f"{total / wall:,.0f} events/s, {retries} busy retries, {len(failed)} failed")
    for e in failed:
        print(e, file=sys.stderr)


if __name__ == "__main__":
    main()
