"""Write a synthetic JSON Lines timeline for load and projection benchmarks.

    python benchmarks/gen_history.py --events 40000 --orgs 100 > /tmp/h.jsonl
    time factbase --db /tmp/h.db load /tmp/h.jsonl

Each organisation is founded, grows units, hires, moves, promotes and loses people, renames
and merges units and reports figures, with day, month, year and range dates; a few events are
corrected or retracted. The same seed gives the same file. ``--orgs 1`` puts everything in one
stream (the worst case for per-organisation projections).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta


def _date(rng: random.Random, day: date) -> str:
    r = rng.random()
    if r < 0.7:
        return day.isoformat()
    if r < 0.85:
        return day.strftime("%Y-%m")
    if r < 0.9:
        return str(day.year)
    return f"{day.isoformat()}/{(day + timedelta(days=rng.randint(1, 20))).isoformat()}"


def generate(n_events: int, n_orgs: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out: list[dict[str, object]] = [{"type": "source", "id": "bench-src", "title": "Benchmark"}]
    per_org = max(n_events // n_orgs, 10)
    for o in range(n_orgs):
        org = f"org-{o}"
        out.append({"type": "entity", "id": org, "kind": "organization", "name": f"Org {o}"})
        people: list[str] = []
        present: set[str] = set()
        units: list[str] = []
        day = date(2000, 1, 1) + timedelta(days=rng.randint(0, 3000))
        founders = [f"{org}-p{i}" for i in range(3)]
        for p in founders:
            out.append({"type": "entity", "id": p, "kind": "person", "name": f"Person {p}"})
        people += founders
        present |= set(founders)
        out.append({"type": "org.founded", "id": f"{org}-founded", "date": day.isoformat(),
                    "sources": ["bench-src"], "org": org, "founders": founders})
        made = 1
        while made < per_org:
            day += timedelta(days=rng.randint(0, 3))
            r = rng.random()
            base: dict[str, object] = {"date": _date(rng, day), "sources": ["bench-src"],
                                       "org": org}
            eid = f"{org}-e{made}"
            if r < 0.06 or not units:
                u = f"{org}-u{len(units)}"
                units.append(u)
                rec = {"type": "unit.created", "unit": u, "name": f"Unit {len(units)}",
                       "kind": "team", "parent": rng.choice(units[:-1]) if len(units) > 1
                       and rng.random() < 0.5 else None}
            elif r < 0.08:
                rec = {"type": "unit.renamed", "unit": rng.choice(units),
                       "name": f"Renamed {made}"}
            elif r < 0.085 and len(units) > 2:
                a, b = rng.sample(units, 2)
                units.remove(a)
                rec = {"type": "unit.merged", "unit": a, "into": b}
            elif r < 0.35:
                p = f"{org}-p{len(people)}"
                out.append({"type": "entity", "id": p, "kind": "person", "name": f"Person {p}"})
                people.append(p)
                present.add(p)
                rec = {"type": "person.joined", "person": p, "unit": rng.choice(units),
                       "title": rng.choice(["Engineer", "Researcher", None])}
            elif r < 0.5 and present:
                p = rng.choice(sorted(present))
                present.discard(p)
                rec = {"type": "person.left", "person": p,
                       "reason": rng.choice(["resigned", "dismissed", "unknown"])}
            elif r < 0.55 and len(people) > len(present):
                p = rng.choice(sorted(set(people) - present))
                present.add(p)
                rec = {"type": "person.joined", "person": p, "unit": rng.choice(units)}
            elif r < 0.7 and present:
                rec = {"type": "role.assigned", "person": rng.choice(sorted(present)),
                       "unit": rng.choice(units), "role": rng.choice(["lead", "member"])}
            elif r < 0.75 and present:
                rec = {"type": "role.confirmed", "person": rng.choice(sorted(present))}
            elif r < 0.85:
                rec = {"type": "metric.reported", "subject": org, "metric": "headcount",
                       "value": len(present), "unit": "people"}
            else:
                rec = {"type": "statement.made", "person": rng.choice(people),
                       "channel": "post", "summary": f"Statement number {made} about {org}"}
            rec = {k: v for k, v in rec.items() if v is not None}
            out.append({"id": eid, **base, **rec})
            made += 1
            if rng.random() < 0.01:
                out.append({"type": "event.corrected", "target": eid, "sources": ["bench-src"],
                            "changes": {"note": "corrected"}, "why": "benchmark"})
                made += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=40_000)
    ap.add_argument("--orgs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    for rec in generate(args.events, args.orgs, args.seed):
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
