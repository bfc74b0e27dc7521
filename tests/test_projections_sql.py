"""SQL over the projections answers as replay does, for random histories and every date.

Random small histories of one organisation — founding, joins, departures (some disputed),
rejoins, roles in units, units created, renamed, moved, merged and dissolved, figures, a
reorganisation, with day, month, year, range, open and approximate dates, and later
corrections, retractions and accounts, and sometimes two people merged into one last — are
loaded through :meth:`FactBase.add` in one to four loads, each at its own recorded time.
Then, for dates around every boundary, the documented as-of queries over ``memberships``,
``roles``, ``units`` and ``metrics`` (run through :meth:`FactBase.sql`, read-only) must give
exactly what :meth:`FactBase.org` replays: the members with their unit and title, the roles,
the units with name, kind, parent and status, the latest figures and the departed co-founders
— as known now, and with ``:known_at`` at the recorded time of each earlier load, what
``org --known-at`` replays then (both time axes). ``verify`` must find the incrementally kept
projections equal to a rebuild. On PostgreSQL when ``FACTBASE_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core import intervals
from factbase.core.replay import OrgState
from factbase.store.migrate import upgrade_to_head
from factbase.store.schema import OPEN_RECORDED_TEXT, format_utc
from tests.backends import PgServer, empty_database
from tests.conftest import SEED

#: The documented predicates (docs/sql.md): valid time, then recorded time.
KNOWN = "recorded_from <= :known_at AND :known_at < recorded_to"
ACTIVE = ("valid_from_end <= :as_of AND (valid_to_end IS NULL OR valid_to_end > :as_of) "
          f"AND {KNOWN}")
Q_MEMBERS = f"SELECT person, unit, title FROM memberships WHERE org = '{{org}}' AND {ACTIVE}"
Q_ROLES = f"SELECT person, role, unit, title FROM roles WHERE org = '{{org}}' AND {ACTIVE}"
Q_UNITS = (f"SELECT unit, name, kind, parent, status, merged_into FROM units "
           f"WHERE org = '{{org}}' AND {ACTIVE}")
Q_METRICS = """SELECT subject, metric, value FROM metrics m
WHERE org = '{org}' AND valid_to <= :as_of AND m.recorded_from <= :known_at
  AND :known_at < m.recorded_to
  AND position = (SELECT MAX(position) FROM metrics l WHERE l.org = m.org
                  AND l.subject = m.subject AND l.metric = m.metric AND l.valid_to <= :as_of
                  AND l.recorded_from <= :known_at AND :known_at < l.recorded_to)"""
Q_DEPARTED = """SELECT DISTINCT person FROM roles r
WHERE org = '{org}' AND role = 'cofounder' AND valid_from_end <= :as_of
  AND r.recorded_from <= :known_at AND :known_at < r.recorded_to
  AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org = r.org AND m.person = r.person
                  AND m.valid_from_end <= :as_of
                  AND (m.valid_to_end IS NULL OR m.valid_to_end > :as_of)
                  AND m.recorded_from <= :known_at AND :known_at < m.recorded_to)"""


def sql_state(fb: FactBase, org: str, day: date,
              known_at: datetime | None = None) -> dict[str, Any]:
    def rows(q: str) -> list[tuple[Any, ...]]:
        return fb.sql(q.format(org=org), as_of=day, known_at=known_at).rows

    return {
        "members": {p: (u, t) for p, u, t in rows(Q_MEMBERS)},
        "roles": Counter(rows(Q_ROLES)),
        "units": {r[0]: r[1:] for r in rows(Q_UNITS)},
        "metrics": {(s, m): v for s, m, v in rows(Q_METRICS)},
        "departed": {r[0] for r in rows(Q_DEPARTED)},
    }


def replay_state(state: OrgState) -> dict[str, Any]:
    return {
        "members": {p: (m.unit, m.title) for p, m in state.members.items()},
        "roles": Counter((p, r.role, r.unit, r.title) for p, m in state.members.items()
                         for r in m.roles),
        "units": {u.id: (u.name, u.kind, u.parent, u.status, u.merged_into)
                  for u in state.units.values()},
        "metrics": {k: v.value for k, v in state.metrics.items()},
        "departed": set(state.cofounders_departed),
    }


def fold_state(found: intervals.Intervals, day: date) -> dict[str, Any]:
    """The same answers straight from the pure fold (no SQL)."""
    latest: dict[tuple[str, str], intervals.MetricPoint] = {}
    for point in found.metrics:
        if point.date.end <= day:
            latest[(point.subject, point.metric)] = point
    members = {s.person: (s.unit, s.title) for s in found.memberships if s.holds_on(day)}
    return {
        "members": members,
        "roles": Counter((s.person, s.role, s.unit, s.title) for s in found.roles
                         if s.holds_on(day)),
        "units": {s.unit: (s.name, s.kind, s.parent, s.status, s.merged_into)
                  for s in found.units if s.holds_on(day)},
        "metrics": {k: v.value for k, v in latest.items()},
        "departed": {s.person for s in found.roles if s.role == "cofounder"
                     and s.opened.end <= day and s.person not in members},
    }


# --- random histories -------------------------------------------------------------------------

BASE_DAY = date(2021, 1, 1)
PEOPLE = [f"p{i}" for i in range(5)]
UNITS = [f"u{i}" for i in range(4)]
_serial = itertools.count()


@st.composite
def dates(draw: st.DrawFn) -> str:
    day = BASE_DAY + timedelta(days=draw(st.integers(0, 500)))
    form = draw(st.sampled_from(["day", "day", "day", "month", "year", "range", "before",
                                 "approx", "after"]))
    if form == "month":
        return day.strftime("%Y-%m")
    if form == "year":
        return str(day.year)
    if form == "range":
        return f"{day.isoformat()}/{(day + timedelta(days=draw(st.integers(1, 40)))).isoformat()}"
    if form == "before":
        return f"../{day.isoformat()}"
    if form == "after":
        return f"{day.isoformat()}/.."
    if form == "approx":
        return day.strftime("%Y-%m") + "~"
    return day.isoformat()


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, list[list[dict[str, Any]]]]:
    """An organisation id and its records, split into one to three loads."""
    n = next(_serial)
    org, src = f"org{n}", f"src{n}"
    pid = {p: f"{org}-{p}" for p in PEOPLE}
    uid = {u: f"{org}-{u}" for u in UNITS}
    people = st.sampled_from(list(pid.values()))
    units = st.sampled_from(list(uid.values()))
    maybe_unit = st.none() | units
    titles = st.none() | st.sampled_from(["Engineer", "Lead", "Researcher"])
    roles = st.sampled_from(["lead", "member", "core_member", "cofounder", "executive"])
    records: list[dict[str, Any]] = [
        {"type": "source.registered", "source": src, "title": f"Source {n}"},
        {"type": "entity.registered", "entity": org, "kind": "organization",
         "name": f"Org {n}"}]
    records += [{"type": "entity.registered", "entity": p, "kind": "person",
                 "name": f"Person {p}"} for p in pid.values()]
    base = {"org": org, "sources": [src]}
    events: list[dict[str, Any]] = []
    # Every unit is created somewhere in the history (maybe after it is first used).
    for u in uid.values():
        events.append({"type": "unit.created", "unit": u, "name": f"Unit {u}",
                       "kind": draw(st.sampled_from(["team", "division"])),
                       "parent": draw(st.none() | units.filter(lambda x, u=u: x != u))})
    if draw(st.booleans()):
        events.append({"type": "org.founded", "founders": draw(
            st.lists(people, min_size=1, max_size=3, unique=True))})
    kinds = st.sampled_from(["joined", "joined", "left", "left", "role", "role_ended",
                             "confirmed", "renamed", "moved", "merged", "dissolved", "metric",
                             "reorg"])
    for kind in draw(st.lists(kinds, min_size=3, max_size=22)):
        person = draw(people)
        if kind == "joined":
            ev = {"type": "person.joined", "person": person, "unit": draw(maybe_unit),
                  "title": draw(titles)}
        elif kind == "left" and draw(st.integers(0, 3)) == 0:
            ev = {"type": "person.left", "person": person, "accounts": [
                {"by": person, "says": "I resigned.", "source": src, "reason": "resigned"},
                {"by": draw(people), "says": "We parted ways.", "source": src,
                 "reason": draw(st.sampled_from(["parted_ways", "resigned"]))}]}
        elif kind == "left":
            ev = {"type": "person.left", "person": person,
                  "reason": draw(st.sampled_from(["resigned", "dismissed", "unknown"]))}
        elif kind == "role":
            ev = {"type": "role.assigned", "person": person, "role": draw(roles),
                  "unit": draw(maybe_unit), "title": draw(titles)}
        elif kind == "role_ended":
            ev = {"type": "role.ended", "person": person, "role": draw(roles),
                  "unit": draw(maybe_unit)}
        elif kind == "confirmed":
            ev = {"type": "role.confirmed", "person": person, "unit": draw(maybe_unit),
                  "role": draw(st.none() | roles)}
        elif kind == "renamed":
            ev = {"type": "unit.renamed", "unit": draw(units), "name": draw(
                st.sampled_from(["Alpha", "Beta", "Gamma"]))}
        elif kind == "moved":
            ev = {"type": "unit.moved", "unit": draw(units), "parent": draw(maybe_unit)}
        elif kind == "merged":
            a, b = draw(st.lists(units, min_size=2, max_size=2, unique=True))
            ev = {"type": "unit.merged", "unit": a, "into": b}
        elif kind == "dissolved":
            ev = {"type": "unit.dissolved", "unit": draw(units)}
        elif kind == "metric":
            ev = {"type": "metric.reported", "subject": org, "metric": draw(
                st.sampled_from(["headcount", "gpus"])), "value": draw(st.integers(1, 99)),
                "unit": "n"}
        else:
            ev = {"type": "reorg.announced", "summary": "A reorganisation.",
                  "effective": draw(dates()), "changes": [
                      {"type": "role.assigned", "person": person, "org": org,
                       "unit": draw(units), "role": draw(roles)},
                      {"type": "unit.renamed", "unit": draw(units), "org": org,
                       "name": "Renamed in reorg"}]}
        events.append(ev)
    out: list[dict[str, Any]] = []
    for i, ev in enumerate(events):
        ev = {k: v for k, v in ev.items() if v is not None or k == "parent"}
        out.append({"id": f"{org}-e{i}", **base, "date": draw(dates()), **ev})
    # Later amendments: corrected dates and titles, retractions.
    retracted: set[str] = set()
    base_events = list(out)
    for _ in range(draw(st.integers(0, 4))):
        target = draw(st.sampled_from(base_events))
        if target["id"] in retracted:
            continue
        if target["type"] == "unit.moved" and target["parent"] is None:
            continue  # correcting a move to the top level is refused (a loader limitation)
        if draw(st.booleans()):
            retracted.add(target["id"])
            out.append({"type": "event.retracted", "target": target["id"], "why": "wrong",
                        "sources": [src]})
        else:
            changes: dict[str, Any] = {"date": draw(dates())}
            if target["type"] == "person.joined" and draw(st.booleans()):
                changes["title"] = draw(titles)
            out.append({"type": "event.corrected", "target": target["id"], "changes": changes,
                        "why": "misdated", "sources": [src]})
    # Accounts added later to a departure (one may claim another date).
    departures = [e for e in base_events if e["type"] == "person.left"
                  and e["id"] not in retracted]
    if departures and draw(st.booleans()):
        account: dict[str, Any] = {"by": draw(people), "says": "They were let go.",
                                   "source": src, "reason": "dismissed"}
        if draw(st.booleans()):
            account["date"] = draw(dates())
        out.append({"type": "account.added",
                    "target": draw(st.sampled_from(departures))["id"], "account": account,
                    "sources": [src]})
    # Later loads may only name units an earlier load created (the first len(UNITS) events).
    cuts = sorted(draw(st.lists(st.integers(len(UNITS), len(out)), max_size=2, unique=True)))
    loads = [records + out[:cuts[0]] if cuts else records + out]
    bounds = [*cuts, len(out)]
    loads += [out[a:b] for a, b in itertools.pairwise(bounds) if a < b]
    # Sometimes two of its people turn out to be one, recorded last (and so known only from
    # then on).
    if draw(st.integers(0, 3)) == 0:
        a, b = draw(st.lists(people, min_size=2, max_size=2, unique=True))
        loads.append([{"type": "entity.merged", "entity": a, "into": b, "why": "same person",
                       "sources": [src]}])
    return org, loads


def boundary_days(found: intervals.Intervals) -> list[date]:
    days = {BASE_DAY - timedelta(days=1), date(2030, 1, 1)}
    spans: list[intervals.Span] = [*found.memberships, *found.roles, *found.units]
    for edge in [s.opened for s in spans] + [s.closed for s in spans if s.closed] + [
            p.date for p in found.metrics]:
        for d in (edge.start, edge.end):
            if date(1, 1, 2) <= d <= date(9999, 12, 30):
                days |= {d - timedelta(days=1), d, d + timedelta(days=1)}
    return sorted(days)


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory,
              pg: PgServer | None) -> Iterator[FactBase]:
    """One database for every example (each history is its own organisation)."""
    path = empty_database(pg, tmp_path_factory.mktemp("prop"), "prop.db")
    with FactBase.open(path, create=True) as fb:
        yield fb


#: FACTBASE_PROPERTY_EXAMPLES=2000 for a longer campaign.
EXAMPLES = int(os.environ.get("FACTBASE_PROPERTY_EXAMPLES", "60"))


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(history=histories(), data=st.data())
def test_sql_over_projections_equals_replay_on_every_date(
        shared_db: FactBase, history: tuple[str, list[list[dict[str, Any]]]],
        data: st.DataObject) -> None:
    fb = shared_db
    org, loads = history
    recorded: list[datetime] = []  # each load's recorded time
    for records in loads:
        fb.add(records, origin=org)
        at = fb.anchor().recorded_at
        assert at is not None
        recorded.append(at)
    identity = fb.identities()
    with fb._read() as conn:
        from factbase.store import log

        evs = log.read_events(conn, log.select_events(streams=[org]))
    found = intervals.intervals_of(org, fb.effective_view(evs, identity=identity).events)
    days = boundary_days(found)
    drawn = data.draw(st.lists(st.sampled_from(days), min_size=1, max_size=8, unique=True),
                      label="days")
    days_known = set(drawn[:3])
    for day in drawn:
        expected = replay_state(fb.org(org, as_of=day))
        assert fold_state(found, day) == expected, day
        assert sql_state(fb, org, day) == expected, day
        # Both time axes: as the log stood after each load (the last one is now), on a few of
        # the days (each SQL run opens a connection: PostgreSQL's are slow to open).
        for at in recorded[:-1] if day in days_known else ():
            assert sql_state(fb, org, day, at) == replay_state(
                fb.org(org, as_of=day, known_at=at)), (day, at)


def test_verify_finds_the_incremental_projections_equal_to_a_rebuild(
        shared_db: FactBase) -> None:
    # Runs after the property test has loaded its histories (one load at a time).
    assert fb_verify(shared_db) == []


def fb_verify(fb: FactBase) -> list[str]:
    report = fb.verify(projections=True)
    return report.problems


# --- the seed, exactly --------------------------------------------------------------------------


def test_seed_sql_equals_replay_around_every_boundary(seeded: FactBase) -> None:
    with seeded._read() as conn:
        from factbase.store import log

        evs = log.read_events(conn, log.select_events(streams=["xai"]))
    found = intervals.intervals_of(
        "xai", seeded.effective_view(evs, identity=seeded.identities()).events)
    for day in boundary_days(found):
        assert sql_state(seeded, "xai", day) == replay_state(seeded.org("xai", as_of=day)), day


def test_seed_members_on_the_day_after_the_all_hands(seeded: FactBase) -> None:
    state = sql_state(seeded, "xai", date(2026, 2, 11))
    assert sorted(state["members"]) == [
        "elon-musk", "guodong-zhang", "haotian-liu", "lianmin-zheng", "manuel-kroiss",
        "ross-nordeen", "toby-pohlen", "yunlong-liu", "zihang-dai"]
    assert state["departed"] == {"kyle-kosic", "christian-szegedy", "igor-babuschkin",
                                 "greg-yang", "tony-wu", "jimmy-ba"}
    early = sql_state(seeded, "xai", date(2026, 1, 1))
    assert early["departed"] == {"kyle-kosic", "christian-szegedy", "igor-babuschkin"}


def test_seed_membership_rows_keep_both_ends_of_their_events(seeded: FactBase) -> None:
    rows = seeded.sql("SELECT person, valid_from_text, valid_from, valid_from_end, "
                      "valid_to_text, valid_to, valid_to_end, opened_by, closed_by, "
                      "closed_reason FROM memberships WHERE person IN ('kyle-kosic', "
                      "'haotian-liu', 'tony-wu') ORDER BY person").rows
    assert rows == [
        ("haotian-liu", "../2026-02-10", "0001-01-01", "2026-02-10", None, None, None,
         "haotian-liu-at-xai", None, None),
        ("kyle-kosic", "2023-07-12", "2023-07-12", "2023-07-12", "2024-04", "2024-04-01",
         "2024-04-30", "xai-founded", "kyle-kosic-left", "other"),
        ("tony-wu", "2023-07-12", "2023-07-12", "2023-07-12", "2026-02-09", "2026-02-09",
         "2026-02-09", "xai-founded", "tony-wu-left", "disputed"),
    ]


def test_a_month_precision_departure_is_a_member_until_the_month_ends(seeded: FactBase) -> None:
    # Kosic left "2024-04": certain only from 30 April, as replay lists him uncertain before.
    q = f"SELECT person FROM memberships WHERE person = 'kyle-kosic' AND {ACTIVE}"
    assert seeded.sql(q, as_of=date(2024, 4, 29)).rows == [("kyle-kosic",)]
    assert seeded.sql(q, as_of=date(2024, 4, 30)).rows == []


# --- keeping current: corrections, retractions, merges, upgrades --------------------------------


def rows_of(fb: FactBase, q: str, day: date = date(2030, 1, 1),
            known_at: datetime | None = None) -> list[tuple[Any, ...]]:
    return fb.sql(q, as_of=day, known_at=known_at).rows


def test_a_later_correction_and_retraction_close_versions_and_open_new_ones(
        seeded: FactBase) -> None:
    q = f"SELECT person FROM memberships WHERE person = 'tony-wu' AND {ACTIVE}"
    assert rows_of(seeded, q, date(2026, 2, 9)) == []
    loaded = seeded.anchor().recorded_at
    seeded.add([{"type": "event.corrected", "target": "tony-wu-left", "changes": {
        "date": "2026-03-01"}, "why": "test", "sources": ["huxiu-4835050"]}])
    corrected = seeded.anchor().recorded_at
    assert rows_of(seeded, q, date(2026, 2, 9)) == [("tony-wu",)]
    assert rows_of(seeded, q, date(2026, 3, 1)) == []
    # As known before the correction, the old answer stands: its version was closed, not
    # rewritten.
    assert rows_of(seeded, q, date(2026, 2, 9), loaded) == []
    assert rows_of(seeded, "SELECT valid_to_text, recorded_from, recorded_to FROM memberships "
                           "WHERE person = 'tony-wu' ORDER BY recorded_from") == [
        ("2026-02-09", format_utc(loaded), format_utc(corrected)),
        ("2026-03-01", format_utc(corrected), OPEN_RECORDED_TEXT)]
    seeded.add([{"type": "event.retracted", "target": "metric-x-mau", "why": "test",
                 "sources": ["huxiu-4835050"]}])
    retracted = seeded.anchor().recorded_at
    mau = f"SELECT value FROM metrics WHERE event_id = 'metric-x-mau' AND {KNOWN}"
    assert rows_of(seeded, mau) == []
    assert rows_of(seeded, mau, known_at=corrected) == [(600000000,)]
    # The correction moved the figure's place in the replay order (a new version); the
    # retraction closed the last one.
    assert rows_of(seeded, "SELECT recorded_from, recorded_to FROM metrics "
                           "WHERE event_id = 'metric-x-mau' ORDER BY recorded_from") == [
        (format_utc(loaded), format_utc(corrected)),
        (format_utc(corrected), format_utc(retracted))]
    assert seeded.verify(projections=True).ok


def test_an_identity_merge_moves_rows_to_one_id(seeded: FactBase) -> None:
    seeded.add([{"type": "entity.registered", "entity": "tony-wu-2", "kind": "person",
                 "name": "Tony Wu 2"},
                {"type": "person.joined", "id": "tw2-joined", "date": "2026-03-02",
                 "person": "tony-wu-2", "org": "xai", "sources": ["huxiu-4835050"]}])
    q2 = f"SELECT person FROM memberships WHERE person = 'tony-wu-2' AND {KNOWN}"
    assert rows_of(seeded, q2) == [("tony-wu-2",)]
    before = seeded.anchor().recorded_at
    seeded.add([{"type": "entity.merged", "entity": "tony-wu-2", "into": "tony-wu",
                 "why": "same person", "sources": ["huxiu-4835050"]}])
    assert rows_of(seeded, q2) == []
    assert rows_of(seeded, q2, known_at=before) == [("tony-wu-2",)]
    assert rows_of(seeded, "SELECT person, valid_from_text FROM memberships WHERE "
                           f"person = 'tony-wu' AND {KNOWN} ORDER BY valid_from") == [
        ("tony-wu", "2023-07-12"), ("tony-wu", "2026-03-02")]
    for day in (date(2026, 3, 1), date(2026, 3, 2)):
        assert sql_state(seeded, "xai", day) == replay_state(seeded.org("xai", as_of=day))
        assert sql_state(seeded, "xai", day, before) == replay_state(
            seeded.org("xai", as_of=day, known_at=before))
    assert seeded.verify(projections=True).ok


def test_a_refused_load_leaves_the_projections_as_they_were(seeded: FactBase) -> None:
    before = rows_of(seeded, "SELECT count(*) FROM memberships")
    with pytest.raises(Exception, match="unknown person"):
        seeded.add([{"type": "person.joined", "date": "2026-03-01", "person": "nobody",
                     "org": "xai", "sources": ["huxiu-4835050"]}])
    assert rows_of(seeded, "SELECT count(*) FROM memberships") == before
    assert seeded.verify(projections=True).ok


def test_a_database_at_the_first_revision_gets_its_projections_on_open(
        seeded_template: Path | str, clone_db: Callable[[Path | str], str]) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from factbase.store.engine import database_url
    from factbase.store.migrate import migrations_dir

    db = clone_db(seeded_template)
    eng = create_engine(database_url(db))
    try:
        with eng.begin() as conn:  # back to 0001_log: the log, without the later projections
            cfg = Config()
            cfg.set_main_option("script_location", str(migrations_dir()))
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001_log")
    finally:
        eng.dispose()
    with FactBase.open(db) as fb:
        assert len(rows_of(fb, "SELECT * FROM memberships")) == 15
        assert fb.verify(projections=True).ok


def test_tampered_interval_rows_fail_verify_until_rebuilt(seeded: FactBase,
                                                          runner: CliRunner) -> None:
    with seeded.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE memberships SET valid_to_end = NULL WHERE person = 'tony-wu'")
    db = seeded.url.removeprefix("sqlite:///")
    assert runner.invoke(cli, ["--db", db, "verify"]).exit_code == 0  # quick checks: no rebuild
    result = runner.invoke(cli, ["--db", db, "verify", "--projections"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: projection 'memberships' differs from a rebuild")
    assert runner.invoke(cli, ["--db", db, "rebuild"], catch_exceptions=False).exit_code == 0
    assert runner.invoke(cli, ["--db", db, "verify"]).exit_code == 0


def test_upgrading_runs_the_migration_on_a_handed_in_connection(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect

    eng = create_engine(f"sqlite:///{tmp_path / 'u.db'}")
    try:
        with eng.begin() as conn:
            upgrade_to_head(conn)
        with eng.connect() as conn:
            assert {"timeline", "citations"} <= set(inspect(conn).get_view_names())
    finally:
        eng.dispose()


def test_seed_loads_with_the_projections_filled(seeded: FactBase) -> None:
    counts = {t: rows_of(seeded, f"SELECT count(*) FROM {t}")[0][0]
              for t in ("memberships", "roles", "units", "metrics", "event_sources")}
    assert counts == {"memberships": 15, "roles": 20, "units": 9, "metrics": 15,
                      "event_sources": 63}
    assert SEED.exists()


def test_every_entity_of_the_seed_has_exactly_one_primary_name(seeded: FactBase) -> None:
    # A product announced after it was registered (X Money, X Chat) once cleared its
    # registered display name: an implied name never overrides a given one.
    rows = seeded.sql("SELECT e.entity_id, COUNT(DISTINCT n.name) FROM entities e "
                      "LEFT JOIN entity_names n ON n.entity_id = e.entity_id AND n.is_primary = 1 "
                      "GROUP BY e.entity_id").rows
    assert rows and {count for _, count in rows} == {1}
    names = dict(seeded.sql("SELECT entity_id, name FROM entity_names WHERE is_primary = 1 "
                            "AND entity_id IN ('x-money', 'x-chat')").rows)
    assert names == {"x-money": "X Money", "x-chat": "X Chat"}
