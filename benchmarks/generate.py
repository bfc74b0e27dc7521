"""Write a deterministic synthetic workload in factbase's JSON Lines format (docs/format.md).

    python benchmarks/generate.py --events 1000000 --seed 1 --out /tmp/bench-1e6.jsonl
    factbase --db /tmp/bench.db load /tmp/bench-1e6.jsonl

Shape, for ``--events N`` (every count is approximate except where said):

* sources first (N/2,000 of them, at least 5), then entities: N/100 organisations (a fifth with
  an alias) and N/5 people (3% with a name in Chinese characters as an alias, 1% sharing a
  namesake's name, so look-up collisions occur as in real data);
* each organisation's history: founded by 1-4 co-founders; a unit tree that grows, is renamed,
  moved, merged and dissolved (and a reorganisation now and then, with a ranged effective
  date and several changes); people who join, take several roles (lead, core member, member,
  executive), are confirmed, leave (some departures disputed by two accounts, some announced
  before they took effect) and rejoin; all-hands meetings, statements (some with an exact
  instant), products, metrics (head count, GPUs, ARR); a few organisations merge into another;
* organisation sizes are heavy-tailed (log-normal; a few are 10-50 times the median), so the
  as-of p99 sees large streams;
* dates: ~72% day, 15% month, 5% year, 4% ranges (``A/B``), 2% approximate months
  (``2019-04~``), 2% open ranges (``../2019-04-10``);
* histories are interleaved in date order across a window of 32 organisations, as a
  chronological export would be; ~3% of events are **late facts** (written after the next
  window, i.e. about earlier dates, appearing late in the file); ~1% of events are corrected
  (``event.corrected``: a new date, figure, title or note), ~0.1% retracted, a few people get
  an ``entity.aliased`` later; every amendment comes after its target in the file.

Output is streamed: memory is bounded by one window of organisations (not by N). The same N and
seed give the same bytes. The total number of lines is close to N (printed on stderr).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

WINDOW = 32  # organisations whose histories are interleaved in date order
#: Event types that bring a unit or product into being (not made late unless asked).
DEFINING = frozenset({"unit.created", "reorg.announced", "product.announced",
                      "product.launched"})
END = date(2026, 6, 30)

FIRST = """Ada Alan Alice Amir Ana Andrei Anya Arjun Ayesha Beatriz Ben Boris Carla Carlos Chen
Chloe Dana Daniel Darius Diego Dmitri Elena Eli Emeka Emma Erik Eva Farah Fatima Felix Gabriel
Grace Hana Hannah Hao Hassan Ines Igor Ivan Jakob James Jana Javier Jin Joao Jonas Julia Kai
Kamal Karin Kenji Kofi Lara Laura Lei Leo Lina Lucas Lucia Luis Maya Marco Maria Mark Marta
Mateo Mei Mia Miguel Min Nadia Naveen Nina Noah Nora Olga Omar Oscar Paolo Pavel Priya Qing
Rafael Rahul Rania Ravi Rosa Ruth Sam Sara Sofia Sven Tariq Tom Tomas Uma Victor Wei Xin Yara
Yuki Yusuf Zara Zoe Aditi Ahmed Akira Amara Anders Astrid Bilal Camille Dario Dina Elif Ezra
Femi Freya Goran Helga Hiro Ilya Isla Jonah Kaveh Kira Lars Leila Luca Malik Mina Nils Noor Ola
Pablo Quinn Reza Rohan Saanvi Selin Soren Tamar Theo Timur Ugo Vera Wanjiru Xavier Yann Zeynep
Adil Bruno""".split()  # noqa: SIM905 (word lists)
LAST = """Abe Adams Ahmed Ali Alvarez Andersen Bakr Banerjee Bauer Becker Bianchi Brown Campbell
Castro Chen Cho Cohen Costa Cruz Das Diaz Dubois Duarte Eze Fischer Fofanah Fontaine Garcia
Ghosh Gomez Gupta Haddad Hansen Hayashi Hoffmann Huang Ibrahim Ito Iyer Jensen Jung Kato Khan
Kim Klein Kowalski Kumar Lam Larsen Lee Lewis Li Lim Lin Liu Lopez Maier Martin Mehta Meyer
Moreau Mori Muller Murphy Nair Nakamura Nguyen Novak Okafor Olsen Ortiz Park Patel Perez Petrov
Pham Popescu Quinn Rao Reyes Richter Rossi Ruiz Sato Schmidt Shah Silva Singh Smith Sokolov
Suzuki Tan Tanaka Taylor Torres Tran Vargas Volkov Wagner Walker Wang Weber Wong Wu Xu Yamada
Yang Yilmaz Young Zhang Zhao Zhou Acosta Bergstrom Carvalho Demir Eriksen Ferrari Gallagher
Horvath Ivanova Jaramillo Kaplan Lindqvist Moretti Nowak Osei Pereira Quispe Rahman Salazar
Takahashi Ueda Valdez Wojcik Yoshida Zielinski Achebe Bose Chaudhry Delgado Esposito Falk Greco
Hakimi Ishikawa Johansson Kariuki Lungu Mensah Nakagawa Oyelaran Petrenko Qureshi Rasmussen
Sandoval Thorsen Uchenna Vasquez Whitaker Xiong Yeo Zamora Abara Brandt Cardenas Dlamini Ekstrom
Farouk Gunawardena Haugen Igwe Jovanovic Kiplagat Lindgren Mwangi Nieminen""".split()  # noqa: SIM905 (word lists)
HAN_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
HAN_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯"
ADJ = """Blue Bright Deep Clear Swift Silver Golden Quiet Open Prime North Vast Lucid Solid Keen
Red Green Iron Cedar Polar Lunar Solar Stellar Rapid Noble Calm Bold True Wide Pure Sharp Vivid
Crimson Amber Coral Onyx Jade Cobalt Ivory Scarlet Arctic Coastal Alpine Urban Hidden Modern
Gentle Steady Brave Quantum""".split()  # noqa: SIM905 (word lists)
NOUN = """Harbor River Forest Summit Signal Bridge Beacon Vector Orbit Field Canyon Meadow Delta
Ridge Falcon Heron Otter Lynx Cedar Maple Willow Comet Nova Pulse Prism Atlas Anchor Compass
Lantern Quarry Harvest Circuit Matrix Vertex Horizon Tide Ember Crest Grove Stone Shore Peak
Glacier Aurora Kite Sparrow Raven Orchid Lotus Cypress""".split()  # noqa: SIM905 (word lists)
SUFFIX = ["Labs", "AI", "Systems", "Robotics", "Bio", "Media", "Networks", "Capital"]
UNIT_NAMES = """Research Engineering Infrastructure Product Design Safety Policy Sales Marketing
Operations Finance Legal Data Platform Applied Voice Vision Robotics Hardware Security Growth
Support Recruiting Training Inference Evaluation Mobile Web Cloud Compute""".split()  # noqa: SIM905 (word lists)
TITLES = ["Engineer", "Senior Engineer", "Research Scientist", "Staff Engineer", "Manager",
          "Director", "Vice President", "Product Manager", "Designer", "Analyst"]
REASONS = ["resigned", "resigned", "resigned", "dismissed", "laid_off", "retired",
           "stepped_back", "parted_ways", "other", "unknown"]
TOPICS = ["quarterly results", "hiring plans", "new model release", "office move",
          "reorganisation", "compute budget", "safety review", "product roadmap",
          "fundraising", "customer growth"]
CHANNELS = ["post on X", "interview with The Trade Paper", "company blog", "podcast",
            "internal memo (leaked)", "conference keynote"]


# --- ids and names ------------------------------------------------------------------------


def org_id(o: int) -> str:
    return f"org-{o:05d}"


def person_id(p: int) -> str:
    return f"p-{p:07d}"


def source_id(s: int) -> str:
    return f"src-{s:05d}"


def person_name(p: int) -> str:
    """A unique English name for person ``p`` (unique up to ~1.6M people)."""
    f, rest = p % len(FIRST), p // len(FIRST)
    last, rest = rest % len(LAST), rest // len(LAST)
    middle = chr(ord("A") + rest % 26)
    return f"{FIRST[f]} {middle}. {LAST[last]}"


def org_name(o: int) -> str:
    a, rest = o % len(ADJ), o // len(ADJ)
    b, rest = rest % len(NOUN), rest // len(NOUN)
    s, rest = rest % len(SUFFIX), rest // len(SUFFIX)
    return f"{ADJ[a]} {NOUN[b]} {SUFFIX[s]}" + (f" {rest + 1}" if rest else "")


def _mix(*parts: int) -> int:
    """A deterministic per-item seed (independent of Python's hash randomisation)."""
    h = 0x9E3779B97F4A7C15
    for x in parts:
        h = (h ^ (x & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
    return h


# --- dates --------------------------------------------------------------------------------


def written(rng: random.Random, day: date) -> str:
    """``day`` as a source might give it: usually the day, sometimes only its month or year,
    a range ending on it, an approximate month, or an open range ("by that day")."""
    r = rng.random()
    if r < 0.72:
        return day.isoformat()
    if r < 0.87:
        return day.strftime("%Y-%m")
    if r < 0.92:
        return str(day.year)
    if r < 0.96:
        return f"{(day - timedelta(days=rng.randint(1, 20))).isoformat()}/{day.isoformat()}"
    if r < 0.98:
        return day.strftime("%Y-%m") + "~"
    return f"../{day.isoformat()}"


# --- one organisation's history -------------------------------------------------------------


class _Org:
    """The state the generator keeps while writing one organisation's history."""

    def __init__(self, o: int, n_sources: int, rng: random.Random) -> None:
        self.o = o
        self.id = org_id(o)
        self.rng = rng
        self.n_sources = n_sources
        self.units: list[str] = []  # active units
        self.parent: dict[str, str | None] = {}
        self.unit_n = 0
        self.present: list[str] = []
        self.former: list[str] = []
        self.roles: dict[str, list[tuple[str, str | None]]] = {}
        self.events: list[tuple[date, int, dict[str, Any]]] = []
        self.n = 0

    def sources(self) -> list[str]:
        k = 1 if self.rng.random() < 0.8 else 2
        return [source_id(self.rng.randrange(self.n_sources)) for _ in range(k)]

    def emit(self, day: date, rec: dict[str, Any], *, give_id: bool | None = None,
             date_text: str | None = None) -> dict[str, Any]:
        rng = self.rng
        self.n += 1
        out: dict[str, Any] = {"type": rec.pop("type")}
        if give_id or (give_id is None and rng.random() < 0.5):
            out["id"] = f"{self.id}-e{self.n}"
        out["date"] = date_text or written(rng, day)
        out["sources"] = self.sources()
        r = rng.random()
        if r < 0.25:
            out["evidence"] = "confirmed"
        elif r < 0.4:
            out["evidence"] = "reported"
        elif r < 0.42:
            out["evidence"] = "unconfirmed"
        out.update({k: v for k, v in rec.items() if v is not None})
        self.events.append((day, self.n, out))
        return out

    def new_unit(self, parent: str | None) -> str:
        self.unit_n += 1
        u = f"{self.id}-u{self.unit_n}"
        self.parent[u] = parent
        return u

    def below(self, u: str) -> set[str]:
        """``u`` and every unit under it (a move or merge must not make a cycle)."""
        out = {u}
        grew = True
        while grew:
            more = {c for c, p in self.parent.items() if p in out} - out
            grew = bool(more)
            out |= more
        return out


def org_history(o: int, budget: int, people: list[int], n_sources: int, n_orgs: int,
                seed: int) -> _Org:
    """Every event of organisation ``o`` (about ``budget`` of them), in date order."""
    rng = random.Random(_mix(seed, o, 1))
    g = _Org(o, n_sources, rng)
    start = date(2000, 1, 1) + timedelta(days=rng.randrange(0, 20 * 365))
    span = (END - start).days
    step = span / max(budget, 1)
    founders = [person_id(p) for p in people[:rng.randint(1, 4)]]
    waiting = [person_id(p) for p in people[len(founders):]]
    g.emit(start, {"type": "org.founded", "org": g.id, "founders": founders}, give_id=True,
           date_text=start.isoformat())
    g.present += founders
    for f in founders:
        g.roles[f] = []
    day = start
    for _ in range(rng.randint(2, 4)):
        day += timedelta(days=rng.randint(1, 30))
        parent = rng.choice(g.units) if g.units and rng.random() < 0.5 else None
        u = g.new_unit(parent)
        g.emit(day, {"type": "unit.created", "unit": u, "org": g.id,
                     "name": rng.choice(UNIT_NAMES), "kind": rng.choice(["team", "division",
                                                                         "lab"]),
                     "parent": parent})
        g.units.append(u)
    products = 0
    while g.n < budget:
        day += timedelta(days=max(0, int(rng.expovariate(1 / step))))
        if day > END:
            day = END
        r = rng.random()
        if r < 0.20 and waiting:
            p = waiting.pop(0)
            g.emit(day, {"type": "person.joined", "person": p, "org": g.id,
                         "unit": rng.choice(g.units) if g.units and rng.random() < 0.85 else None,
                         "title": rng.choice(TITLES) if rng.random() < 0.6 else None})
            g.present.append(p)
            g.roles[p] = []
        elif r < 0.25 and g.former:
            p = g.former.pop(rng.randrange(len(g.former)))  # rejoins
            g.emit(day, {"type": "person.joined", "person": p, "org": g.id,
                         "unit": rng.choice(g.units) if g.units else None,
                         "title": rng.choice(TITLES)})
            g.present.append(p)
            g.roles[p] = []
        elif r < 0.34 and len(g.present) > 2:
            p = g.present.pop(rng.randrange(len(g.present)))
            rec: dict[str, Any] = {"type": "person.left", "person": p, "org": g.id,
                                   "reason": rng.choice(REASONS)}
            if rng.random() < 0.05:  # disputed: two accounts disagree
                rec["accounts"] = [
                    {"by": p, "says": "Decided to leave to start something new.",
                     "source": source_id(rng.randrange(n_sources)), "reason": "resigned"},
                    {"by": g.id, "says": "The company parted ways with them in a reorganisation.",
                     "source": source_id(rng.randrange(n_sources)), "reason": "parted_ways",
                     "evidence": "reported"},
                ]
            left_text = day.isoformat() if rng.random() < 0.8 else None
            if left_text and rng.random() < 0.1:
                rec["announced"] = (day - timedelta(days=rng.randint(3, 60))).isoformat()
            g.emit(day, rec, date_text=left_text)
            g.roles.pop(p, None)
            g.former.append(p)
        elif r < 0.50 and g.present:
            p = rng.choice(g.present)
            role = rng.choice(["lead", "core_member", "member", "member", "executive"])
            unit = None if role == "executive" or not g.units else rng.choice(g.units)
            g.emit(day, {"type": "role.assigned", "person": p, "org": g.id, "role": role,
                         "unit": unit, "title": "Head of unit" if role == "lead" else None})
            g.roles.setdefault(p, []).append((role, unit))
        elif r < 0.55:
            holding = [(p, rr) for p in g.present for rr in g.roles.get(p, [])
                    if rr[1] is None or rr[1] in g.units]
            if holding:
                p, (role, unit) = rng.choice(holding)
                g.emit(day, {"type": "role.ended", "person": p, "org": g.id, "role": role,
                             "unit": unit})
                g.roles[p].remove((role, unit))
        elif r < 0.60 and g.present:
            p = rng.choice(g.present)
            g.emit(day, {"type": "role.confirmed", "person": p, "org": g.id,
                         "unit": rng.choice(g.units) if g.units and rng.random() < 0.3 else None})
        elif r < 0.65:
            parent = rng.choice(g.units) if g.units and rng.random() < 0.6 else None
            u = g.new_unit(parent)
            g.emit(day, {"type": "unit.created", "unit": u, "org": g.id,
                         "name": rng.choice(UNIT_NAMES), "parent": parent})
            g.units.append(u)
        elif r < 0.67 and g.units:
            g.emit(day, {"type": "unit.renamed", "unit": rng.choice(g.units), "org": g.id,
                         "name": f"{rng.choice(UNIT_NAMES)} {rng.choice(['I', 'II', 'Core'])}"})
        elif r < 0.68 and len(g.units) > 1:
            u, parent = rng.sample(g.units, 2)
            if parent not in g.below(u):
                g.emit(day, {"type": "unit.moved", "unit": u, "org": g.id, "parent": parent})
                g.parent[u] = parent
        elif r < 0.69 and len(g.units) > 2:
            u, into = rng.sample(g.units, 2)
            if into in g.below(u):
                continue
            g.emit(day, {"type": "unit.merged", "unit": u, "org": g.id, "into": into})
            g.units.remove(u)
            for child, up in g.parent.items():
                if up == u:
                    g.parent[child] = into
            for spans in g.roles.values():
                spans[:] = [(rl, into if un == u else un) for rl, un in spans]
        elif r < 0.695 and len(g.units) > 2:
            u = rng.choice(g.units)
            g.emit(day, {"type": "unit.dissolved", "unit": u, "org": g.id})
            g.units.remove(u)
            for spans in g.roles.values():
                spans[:] = [(rl, un) for rl, un in spans if un != u]
        elif r < 0.705 and g.units and g.present:
            # A reorganisation: announced on `day`, effective some days before (a range).
            parent = rng.choice(g.units)
            u = g.new_unit(parent)
            lead = rng.choice(g.present)
            changes: list[dict[str, Any]] = [
                {"type": "unit.created", "unit": u, "name": rng.choice(UNIT_NAMES),
                 "parent": parent},
                {"type": "role.assigned", "person": lead, "role": "lead", "unit": u},
                {"type": "unit.renamed", "unit": parent,
                 "name": f"{rng.choice(UNIT_NAMES)} Group"},
            ]
            eff0 = day - timedelta(days=rng.randint(5, 20))
            g.emit(day, {"type": "reorg.announced", "org": g.id,
                         "summary": "The company reorganises its teams under new leads.",
                         "effective": f"{eff0.isoformat()}/{(day - timedelta(days=1)).isoformat()}",
                         "changes": changes}, date_text=day.isoformat())
            g.units.append(u)
            g.roles.setdefault(lead, []).append(("lead", u))
        elif r < 0.75 and g.present:
            speakers = rng.sample(g.present, min(len(g.present), rng.randint(1, 3)))
            g.emit(day, {"type": "meeting.held", "org": g.id, "kind": "all_hands",
                         "speakers": speakers,
                         "topics": rng.sample(TOPICS, rng.randint(1, 3)),
                         "media": [{"kind": "video", "length_minutes": rng.randint(20, 90)}]
                         if rng.random() < 0.3 else None})
        elif r < 0.87:
            metric, unit, value = rng.choice([
                ("headcount", "employees", len(g.present) * rng.randint(5, 40)),
                ("training_cluster_gpus", "GPU", rng.randint(1, 200) * 1000),
                ("annual_recurring_revenue", "USD", rng.randint(1, 5000) * 100_000),
            ])
            g.emit(day, {"type": "metric.reported", "subject": g.id, "metric": metric,
                         "value": value, "unit": unit, "org": g.id,
                         "qualifier": rng.choice([None, None, "about", "over"])})
        elif r < 0.97 and g.present:
            p = rng.choice(g.present)
            rec = {"type": "statement.made", "person": p, "org": g.id,
                   "channel": rng.choice(CHANNELS),
                   "summary": f"Says the company will {rng.choice(TOPICS)} this year."}
            if rng.random() < 0.3:
                out = g.emit(day, rec, date_text=day.isoformat())
                hh, mm = rng.randint(0, 23), rng.randint(0, 59)
                out["at"] = f"{day.isoformat()}T{hh:02d}:{mm:02d}:00Z"
            else:
                g.emit(day, rec)
        else:
            products += 1
            g.emit(day, {"type": rng.choice(["product.announced", "product.launched"]),
                         "product": f"{g.id}-prod{products}", "org": g.id,
                         "name": f"{rng.choice(NOUN)} {products}",
                         "stage": rng.choice(["closed internal test", "general release"])})
    if n_orgs > 1 and rng.random() < 0.005:
        into = org_id((o + 1) % n_orgs)
        g.emit(END, {"type": "org.merged", "org": g.id, "into": into}, give_id=True,
               date_text=END.isoformat())
    return g


def amendments(g: _Org, n_sources: int, seed: int) -> tuple[list[dict[str, Any]], set[int]]:
    """Corrections (~1%) and retractions (~0.1%) of ``g``'s events with ids; and the indexes
    of the events they target (each event is amended at most once)."""
    rng = random.Random(_mix(seed, g.o, 2))
    out: list[dict[str, Any]] = []
    targets: set[int] = set()
    candidates = [i for i, (_, _, e) in enumerate(g.events) if "id" in e
                  and e["type"] not in ("org.founded", "reorg.announced", "org.merged")]
    for i in candidates:
        r = rng.random()
        if r >= 0.022:
            continue
        ev = g.events[i][2]
        src = [source_id(rng.randrange(n_sources))]
        if r < 0.002:
            out.append({"type": "event.retracted", "target": ev["id"], "sources": src,
                        "why": "The source withdrew the report."})
        else:
            day = g.events[i][0] + timedelta(days=rng.randint(-20, 20))
            changes: dict[str, Any]
            if ev["type"] == "metric.reported":
                changes = {"value": int(ev["value"] * rng.uniform(0.8, 1.2)) + 1}
            elif ev["type"] in ("person.joined", "person.left", "role.assigned") and \
                    "at" not in ev:
                changes = {"date": day.isoformat()}
            elif ev["type"] == "person.joined":
                changes = {"title": rng.choice(TITLES)}
            else:
                changes = {"note": "A later report gives more detail."}
            out.append({"type": "event.corrected", "target": ev["id"], "sources": src,
                        "changes": changes, "why": "A later source corrects the earlier report."})
        targets.add(i)
    return out, targets


# --- the whole file ---------------------------------------------------------------------------


def generate(n_events: int, seed: int, *, late_definitions: bool = False
             ) -> Iterator[dict[str, Any]]:
    """The records of the workload, in file order (streamed).

    ``late_definitions``: let events that bring a unit or product into being be late facts
    too (written after events that name the unit). Off by default: factbase (as of this
    writing) fails such a load with a FOREIGN KEY error when the renaming and the creation
    fall in different load batches; see benchmarks/RESULTS.md.
    """
    n_orgs = max(1, round(n_events / 100))
    n_people = max(5, n_events // 5)
    n_sources = max(5, n_events // 2000)
    for s in range(n_sources):
        srng = random.Random(_mix(seed, s, 3))
        pub = date(2000, 1, 1) + timedelta(days=srng.randrange(26 * 365))
        yield {"type": "source", "id": source_id(s),
               "url": f"https://example.com/news/{pub.year}/{s}",
               "title": f"[Report {s} on the industry]",
               "publisher": srng.choice(["The Trade Paper", "Daily Ledger", "Tech Wire",
                                         "财经日报", "Business Weekly"]),
               "published": written(srng, pub),
               "language": srng.choice(["en", "en", "en", "zh-Hans", "de"])}
    for o in range(n_orgs):
        rec: dict[str, Any] = {"type": "entity", "id": org_id(o), "kind": "organization",
                               "name": org_name(o)}
        if _mix(seed, o, 4) % 5 == 0:
            rec["aliases"] = [org_name(o).rsplit(" ", 1)[0]]
        yield rec
    for p in range(n_people):
        h = _mix(seed, p, 5)
        name = person_name(p)
        if p and h % 100 == 0:
            name = person_name(p - 1)  # a namesake: two people, one name
        rec = {"type": "entity", "id": person_id(p), "kind": "person", "name": name}
        if h % 100 in (1, 2, 3):
            rec["aliases"] = [HAN_FAMILY[h // 7 % len(HAN_FAMILY)]
                              + HAN_GIVEN[h // 13 % len(HAN_GIVEN)]
                              + HAN_GIVEN[h // 17 % len(HAN_GIVEN)]]
        yield rec

    registrations = n_sources + n_orgs + n_people
    per_org = max(10.0, (n_events - registrations) / n_orgs)
    sigma = 0.9
    next_person = 0
    late: list[dict[str, Any]] = []
    pending_amend: list[dict[str, Any]] = []
    for w0 in range(0, n_orgs, WINDOW):
        window: list[tuple[date, int, int, dict[str, Any]]] = []
        new_late: list[dict[str, Any]] = []
        new_amend: list[dict[str, Any]] = []
        for o in range(w0, min(n_orgs, w0 + WINDOW)):
            orng = random.Random(_mix(seed, o, 6))
            weight = min(50.0, orng.lognormvariate(0, sigma) / math.exp(sigma ** 2 / 2))
            budget = max(8, round(per_org * weight))
            k = max(3, round(budget / 3.9))
            people = [(next_person + i) % n_people for i in range(k)]
            next_person += k
            g = org_history(o, budget, people, n_sources, n_orgs, seed)
            fixes, _targets = amendments(g, n_sources, seed)
            for day, n, ev in g.events:
                if orng.random() < 0.03 and (late_definitions or ev["type"] not in DEFINING):
                    new_late.append(ev)  # a late fact: written after the next window
                else:
                    window.append((day, o, n, ev))
            new_amend += fixes
            if orng.random() < 0.1 and people:
                p = people[orng.randrange(len(people))]
                new_amend.append({"type": "entity.aliased", "entity": person_id(p),
                                  "aliases": [person_name(p).replace(". ", " ", 1)]})
        window.sort(key=lambda t: (t[0], t[1], t[2]))
        for *_, ev in window:
            yield ev
        # Late facts of the previous window, then amendments whose targets are all out by now.
        yield from late
        yield from pending_amend
        late, pending_amend = new_late, new_amend
    yield from late
    yield from pending_amend


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, required=True, help="about how many records")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-", help="output file (default: standard output)")
    ap.add_argument("--late-definitions", action="store_true",
                    help="let unit.created/reorg/product events be late facts too")
    args = ap.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")  # noqa: SIM115
    n = 0
    try:
        records = generate(args.events, args.seed, late_definitions=args.late_definitions)
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"wrote {n} records", file=sys.stderr)


if __name__ == "__main__":
    main()
