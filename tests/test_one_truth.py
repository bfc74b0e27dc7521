"""One truth: every output is a view of what replay derives, whatever the recording order.

Random histories (:mod:`tests.histories`: same-day changes of title, two titles at once,
people known only by roles, co-founders who leave and return, leaves, confirmations, unit
changes, reorganisations, a founding, late corrections and retractions) are recorded twice,
as two organisations, in two different orders (same-day events included) and cut into loads
differently. Then:

* **the recording order does not matter**: for every day worth asking about, the replayed
  state, and the ``org``, ``report``, ``who`` and ``diff`` documents of the two organisations
  are equal once their ids are written alike;
* **every output agrees with replay**: on every change day and the day after, the members,
  roles, units and figures of the SQL projections and the memberships and roles open in the
  memberships CSV export are those of :meth:`FactBase.org`; on sampled days, so are the
  report's tenure and figures, ``who`` for every person, ``diff`` between the day before and
  the day, and ``org --format json`` through the CLI.

FACTBASE_ONE_TRUTH_EXAMPLES sets the number of histories (default 40 on SQLite, 20 on
PostgreSQL, where each example's hundreds of queries take about four times as long).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.dates import parse_date
from factbase.core.replay import OrgState
from tests.backends import PG_URL, PgServer, empty_database
from tests.histories import PEOPLE, History, histories, materialise, recording_orders
from tests.test_projections_sql import replay_state, sql_state

EXAMPLES = int(os.environ.get("FACTBASE_ONE_TRUTH_EXAMPLES", "20" if PG_URL else "40"))
_serial = itertools.count()
#: FACTBASE_ONE_TRUTH_SHRINK=0 skips shrinking (a quicker first look at a failure).
PHASES = [p for p in Phase if p is not Phase.explain and (
    p is not Phase.shrink or os.environ.get("FACTBASE_ONE_TRUTH_SHRINK", "1") != "0")]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, pg: PgServer | None
           ) -> Iterator[tuple[FactBase, str]]:
    """One database for every example (each history is two organisations of its own)."""
    path = empty_database(pg, tmp_path_factory.mktemp("truth"), "truth.db")
    with FactBase.open(path, create=True) as fb:
        yield fb, path


def alike(value: Any, org: str) -> Any:
    """``value`` with the organisation's id written ``ORG`` (ids are ``{org}-…``), without
    recorded times (the two organisations were recorded at different times)."""
    if isinstance(value, str):
        return value.replace(org, "ORG")
    if isinstance(value, tuple):
        return tuple(alike(v, org) for v in value)
    if isinstance(value, list):
        return [alike(v, org) for v in value]
    if isinstance(value, dict):
        return {alike(k, org): alike(v, org) for k, v in value.items()
                if k not in ("known_at", "recorded", "recorded_at")}
    return value


def state_view(state: OrgState) -> dict[str, Any]:
    """Everything replay derives, as plain data."""
    def roles(m: Any) -> list[Any]:
        return sorted((r.role, r.unit or "", r.title or "", r.capacity or "", r.holding or "",
                       str(r.since), r.cited.event_id) for r in m.roles)

    return {
        "founding": (str(state.founding), state.founding_status),
        "members": {p: (m.unit, m.title, str(m.since), str(m.first_seen), m.basis,
                        str(m.on_leave), str(m.last_confirmed), roles(m))
                    for p, m in state.members.items()},
        "departed": {p: (str(d.date), d.reason, d.disputed, d.cited.event_id,
                         sorted(d.roles_held)) for p, d in state.departed.items()},
        "units": {u.id: (u.name, u.kind, u.parent, u.status, u.merged_into, str(u.ended),
                         str(u.since), sorted(u.former_names)) for u in state.units.values()},
        "cofounders": sorted(state.cofounders),
        "metrics": {k: (v.value, str(v.date), v.cited.event_id)
                    for k, v in state.metrics.items()},
        "uncertain": sorted((u.type, u.cited.event_id) for u in state.uncertain),
        "happenings": sorted((h.type, h.cited.event_id) for h in state.happenings),
        "anomalies": sorted((a.code, a.event_id, a.related) for a in state.anomalies),
    }


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, report_multiple_bugs=False,
          phases=PHASES,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(history=histories(), data=st.data())
def test_every_output_is_one_truth_in_any_recording_order(
        shared: tuple[FactBase, str], history: History, data: st.DataObject) -> None:
    fb, path = shared
    n = next(_serial)
    a, b = f"o{n}a", f"o{n}b"
    first = list(range(len(history.drafts)))
    other = data.draw(recording_orders(history), label="recording order of b")
    for org, (order, cuts) in ((a, (first, [])), (b, other)):
        for records in materialise(history, org, order, cuts):
            fb.add(records, origin=org)

    days = history.change_days
    for day in days:
        sa, sb = fb.org(a, as_of=day), fb.org(b, as_of=day)
        assert alike(state_view(sa), a) == alike(state_view(sb), b), day
    docs: dict[str, Any] = {}
    sampled = data.draw(st.lists(st.sampled_from(days[1:]), min_size=1, max_size=3,
                                 unique=True), label="days")
    for day in sampled:
        for org, doc in ((a, {}), (b, {})):
            doc.update(report=fb.report(org, as_of=day),
                       diff=fb.diff(org, day - timedelta(days=1), day),
                       who=fb.who(f"{org}-p0", as_of=day))
            docs[org] = alike(doc, org)
        assert docs[a] == docs[b], day

    rows = [r for r in memberships_csv(fb) if r["org"] == a]
    for day in days:
        projections_agree_with_replay(fb, a, day, rows)
    for day in sampled:
        documents_agree_with_replay(fb, path, a, day)


def memberships_csv(fb: FactBase) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    fb.export("csv", out, table="memberships")
    return list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


def _open_on(row: dict[str, str], day: date) -> bool:
    began = parse_date(row["from"]).end <= day
    return began and not (row["to"] and parse_date(row["to"]).end <= day)


def stays_closed(state: OrgState) -> dict[str, Any]:
    """Departures that closed a stay (not those of people never recorded there)."""
    return {p: d for p, d in state.departed.items() if not any(
        a.code == "left_without_joining" and a.date == d.date and p in a.message
        and a.event_id.partition("#")[0] == d.cited.event_id for a in state.anomalies)}


def projections_agree_with_replay(fb: FactBase, org: str, day: date,
                                  rows: list[dict[str, str]]) -> None:
    """The SQL projections and the memberships CSV export say what replay says on ``day``."""
    state = fb.org(org, as_of=day)
    members = set(state.members)
    held = Counter((p, r.role, r.unit, r.title) for p, m in state.members.items()
                   for r in m.roles)

    # SQL over the projections.
    assert sql_state(fb, org, day) == replay_state(state), ("sql", day)

    # The memberships CSV export: membership rows and role rows open on the day.
    mine = rows
    assert {r["person"] for r in mine if r["role"] == "member" and _open_on(r, day)} \
        == members, ("csv members", day)
    assert Counter((r["person"], r["role"], r["unit"] or None) for r in mine
                   if r["role"] != "member" and _open_on(r, day)) \
        == Counter((p, role, unit) for p, role, unit, _ in held.elements()), ("csv roles", day)

    for person, gone in stays_closed(state).items():  # the departure closes the last stay
        last = max((r for r in mine if r["person"] == person and r["role"] == "member"
                    and parse_date(r["from"]).end <= day),
                   key=lambda r: (parse_date(r["from"]).end, parse_date(r["from"]).start),
                   default=None)
        assert last is not None and last["to"] == gone.date.text, ("csv left", person, day)



def documents_agree_with_replay(fb: FactBase, path: str, org: str, day: date) -> None:
    """The report, ``who`` for every person, ``diff`` from the day before and ``org --format
    json`` say what replay says on ``day``."""
    state = fb.org(org, as_of=day)
    members = set(state.members)
    held = Counter((p, r.role, r.unit, r.title) for p, m in state.members.items()
                   for r in m.roles)
    closed = stays_closed(state)

    # The report: tenure and headline figures.
    report = fb.report(org, as_of=day)
    tenure = {t["id"]: t for t in report["tenure"]}
    assert {p for p, t in tenure.items() if t["status"].startswith("present")} == members, \
        ("report present", day)
    assert {p for p, t in tenure.items() if t["on_leave"]} == \
        {p for p, m in state.members.items() if m.on_leave}, ("report on leave", day)
    assert {p for p, t in tenure.items() if t["cofounder"]} == set(state.cofounders), \
        ("report cofounders", day)
    for person, gone in closed.items():
        assert tenure[person]["status"] == "departed", ("report departed", person, day)
        assert tenure[person]["spells"][-1]["left"]["date"] == gone.date.text, \
            ("report left", person, day)
    assert report["figures"]["people_present"] == len(state.members), ("report figures", day)

    # who, for every person.
    for p in PEOPLE:
        person = f"{org}-{p}"
        doc = fb.who(person, as_of=day)
        here = [o for o in doc["organisations"] if o["id"] == org]
        if person in closed:
            assert here[0]["memberships"][-1]["left"] == closed[person].date.text, \
                ("who left", person, day)
        if person not in members:
            assert not here or not here[0]["status"].startswith("present"), \
                ("who absent", person, day)
            continue
        m = state.members[person]
        (o,) = here
        assert o["status"].startswith("present"), ("who present", person, day)
        assert (o["unit"], o["title"], bool(o["on_leave"])) == \
            (m.unit, m.title, bool(m.on_leave)), ("who", person, day)
        assert Counter((r["role"], r["unit"], r["title"]) for r in o["roles"]) == \
            Counter((r.role, r.unit, r.title) for r in m.roles), ("who roles", person, day)
        assert o["cofounder"] == (person in state.cofounders), ("who cofounder", person, day)
        assert o["memberships"] and o["memberships"][-1]["left"] is None, \
            ("who spell open", person, day)

    # diff between the day before and the day.
    before = fb.org(org, as_of=day - timedelta(days=1))
    diff = fb.diff(org, day - timedelta(days=1), day)
    arrived = {d["id"] for d in diff["joined"]} | {d["id"] for d in diff["returned"]}
    assert arrived == members - set(before.members), ("diff arrivals", day)
    gone = set(before.members) - members
    assert {d["id"] for d in diff["departed"]} <= gone | set(state.departed), \
        ("diff departures", day)
    # Roles: holdings as multisets, a unit followed through merges (a role carried into the
    # unit that absorbed its own is no change); the roles of someone who departed meanwhile
    # are in their departure.
    def merged(unit: str | None) -> str | None:
        seen = {unit}
        while unit in state.units and state.units[unit].status == "merged" \
                and state.units[unit].merged_into not in seen:
            unit = state.units[unit].merged_into
            seen.add(unit)
        return unit

    def holdings(s: OrgState) -> Counter[tuple[str, str, str | None, str | None]]:
        return Counter((p, r.role, merged(r.unit), r.title) for p, m in s.members.items()
                       for r in m.roles)

    newly_departed = {p for p, d in state.departed.items()
                      if p not in before.departed
                      or before.departed[p].cited.event_id != d.cited.event_id}
    started = {(r["person"], r["role"], merged(r["unit"]), r["title"])
               for r in diff["roles_started"]}
    ended = {(r["person"], r["role"], merged(r["unit"]), r["title"])
             for r in diff["roles_ended"]}
    assert started == set(holdings(state) - holdings(before)), ("diff roles started", day)
    assert ended == {k for k in holdings(before) - holdings(state)
                     if k[0] not in newly_departed or k[0] in members}, ("diff roles ended", day)

    # org --format json, through the CLI.
    result = CliRunner().invoke(cli, ["--db", path, "org", org, "--as-of", day.isoformat(),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {p["id"] for p in doc["people"]} == members, ("org json", day)
    assert Counter((p["id"], r["role"], r["unit"], r["title"]) for p in doc["people"]
                   for r in p["roles"]) == held, ("org json roles", day)
    assert {u["id"] for u in doc["units"]} == set(state.units) - {
        u.id for u in state.units.values() if u.status != "active"}, ("org json units", day)
