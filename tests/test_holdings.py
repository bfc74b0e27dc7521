"""Role holdings, presence and same-day order: how a role starts, changes and ends (issue
"One truth"; the rules are in :mod:`factbase.core.replay`'s docstring and docs/concepts.md).

Each history is replayed in every recording order of its events: the state at the end of a day
must not depend on it. Pure: no database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count, permutations
from typing import Any

from factbase.core.dates import parse_date
from factbase.core.events import Event
from factbase.core.intervals import intervals_of
from factbase.core.replay import OrgState, replay

_seq = count(1)
RECORDED = datetime(2026, 3, 1, tzinfo=UTC)


def ev(type_: str, when: str, id_: str | None = None, **payload: Any) -> Event:
    n = next(_seq)
    payload.setdefault("org", "acme")
    return Event(seq=n, event_id=id_ or f"h{n:04d}", type=type_, stream="acme",
                 date=parse_date(when), instant=None, evidence=None, payload=payload,
                 sources=("src",), recorded_at=RECORDED)


def states(events: list[Event], day: str) -> list[OrgState]:
    """The state at the end of ``day`` for every recording order (seq renumbered)."""
    out = []
    for order in permutations(events):
        renumbered = [Event(**{**vars(e), "seq": i}) for i, e in enumerate(order, start=1)]
        out.append(replay("acme", renumbered, date.fromisoformat(day)))
    return out


def roles(s: OrgState, person: str) -> list[tuple[str, str | None, str | None, str | None]]:
    m = s.members.get(person)
    return sorted((r.role, r.unit, r.title, r.capacity) for r in m.roles) if m else []


def one(events: list[Event], day: str) -> OrgState:
    """The state at the end of ``day``, asserting every recording order gives the same."""
    found = states(events, day) if len(events) <= 6 else [
        replay("acme", events, date.fromisoformat(day))]
    first = found[0]
    for s in found[1:]:
        assert {p: roles(s, p) for p in s.members} == {p: roles(first, p) for p in first.members}
        assert set(s.departed) == set(first.departed)
    return first


def pat() -> list[Event]:
    return [ev("person.joined", "2000-01-01", person="pat"),
            ev("role.assigned", "2001-01-01", person="pat", role="executive", title="CTO")]


# --- 1. a same-day change of title -----------------------------------------------------------


def test_a_title_changed_on_a_day_keeps_the_new_title_in_every_recording_order() -> None:
    evs = pat() + [ev("role.ended", "2005-06-01", person="pat", role="executive"),
                   ev("role.assigned", "2005-06-01", person="pat", role="executive",
                      title="CEO")]
    s = one(evs, "2006-01-01")
    assert roles(s, "pat") == [("executive", None, "CEO", None)]
    assert s.anomalies == []
    assert roles(one(evs, "2005-05-31"), "pat") == [("executive", None, "CTO", None)]


def test_a_new_title_without_an_ending_is_kept_beside_the_old_with_an_anomaly_that_day() -> None:
    evs = pat() + [ev("role.assigned", "2005-06-01", "ceo", person="pat", role="executive",
                      title="CEO")]
    s = one(evs, "2006-01-01")
    assert roles(s, "pat") == [("executive", None, "CEO", None), ("executive", None, "CTO", None)]
    [a] = s.anomalies
    assert (a.code, a.event_id, a.date.text if a.date else None) == (
        "ambiguous_title", "ceo", "2005-06-01")
    assert a.related == (evs[1].event_id,)
    assert "'CEO'" in a.message and "'CTO'" in a.message


def test_the_same_holding_id_makes_a_new_title_a_change() -> None:
    evs = [ev("person.joined", "2000-01-01", person="pat"),
           ev("role.assigned", "2001-01-01", person="pat", role="executive", title="VP",
              holding="pat-exec"),
           ev("role.assigned", "2003-01-01", person="pat", role="executive", title="President",
              holding="pat-exec")]
    assert roles(one(evs, "2004-01-01"), "pat") == [("executive", None, "President", None)]
    assert one(evs, "2004-01-01").anomalies == []
    spans = [(r.title, r.opened.text, r.closed.text if r.closed else None, r.closed_reason)
             for r in intervals_of("acme", evs).roles]
    assert spans == [("VP", "2001-01-01", "2003-01-01", "changed"),
                     ("President", "2003-01-01", None, None)]


def test_a_deputy_becomes_head_the_day_the_head_leaves() -> None:
    evs = [ev("person.joined", "2000-01-01", person="vp"),
           ev("person.joined", "2000-01-01", person="boss"),
           ev("role.assigned", "2000-01-01", person="boss", role="lead", title="President"),
           ev("role.assigned", "2000-01-01", person="vp", role="lead", title="Vice-President"),
           ev("person.left", "2010-03-01", person="boss", reason="retired"),
           ev("role.ended", "2010-03-01", person="vp", role="lead", title="Vice-President"),
           ev("role.assigned", "2010-03-01", person="vp", role="lead", title="President")]
    s = replay("acme", evs, date(2010, 3, 1))
    assert roles(s, "vp") == [("lead", None, "President", None)]
    assert "boss" not in s.members and s.departed["boss"].reason == "retired"
    assert s.anomalies == []


# --- 2. two titles at once ------------------------------------------------------------------


def test_two_titles_at_once_are_both_held() -> None:
    evs = [ev("person.joined", "2000-01-01", person="kim"),
           ev("role.assigned", "2001-01-01", person="kim", role="executive",
              title="Head of Research"),
           ev("role.assigned", "2002-01-01", person="kim", role="executive", title="COO",
              capacity="acting")]
    s = one(evs, "2002-06-01")
    assert roles(s, "kim") == [("executive", None, "COO", "acting"),
                               ("executive", None, "Head of Research", None)]
    assert s.anomalies == []  # an acting title beside a substantive one is not ambiguous
    ended = evs + [ev("role.ended", "2003-01-01", person="kim", role="executive", title="COO")]
    assert roles(one(ended, "2003-01-01"), "kim") == [
        ("executive", None, "Head of Research", None)]


def test_an_acting_holder_confirmed_in_the_post_is_a_change_of_capacity() -> None:
    evs = [ev("person.joined", "2000-01-01", person="kim"),
           ev("role.assigned", "2001-01-01", person="kim", role="executive", title="CEO",
              capacity="interim"),
           ev("role.assigned", "2001-09-01", person="kim", role="executive", title="CEO")]
    assert roles(one(evs, "2001-08-31"), "kim") == [("executive", None, "CEO", "interim")]
    assert roles(one(evs, "2001-09-01"), "kim") == [("executive", None, "CEO", None)]
    assert [(r.capacity, r.closed_reason) for r in intervals_of("acme", evs).roles] == [
        ("interim", "changed"), (None, None)]


def test_a_role_restated_without_a_title_changes_nothing() -> None:
    evs = pat() + [ev("role.assigned", "2003-01-01", person="pat", role="executive")]
    s = one(evs, "2004-01-01")
    assert roles(s, "pat") == [("executive", None, "CTO", None)]
    assert len(intervals_of("acme", evs).roles) == 1


# --- 3. presence through roles only ----------------------------------------------------------


def test_a_person_known_only_by_roles_is_gone_when_the_last_role_ends() -> None:
    evs = [ev("role.assigned", "2010-01-01", person="dir", role="board_member"),
           ev("role.assigned", "2011-01-01", person="dir", role="adviser"),
           ev("role.ended", "2012-01-01", person="dir", role="board_member"),
           ev("role.ended", "2013-06-30", person="dir", role="adviser")]
    assert one(evs, "2012-06-01").members["dir"].affiliated
    assert "dir" in one(evs, "2013-06-29").members
    s = one(evs, "2013-06-30")
    assert "dir" not in s.members and "dir" not in s.departed
    assert s.anomalies == []
    [m] = intervals_of("acme", evs).memberships
    assert (m.opened.text, m.closed.text if m.closed else None, m.closed_reason) == (
        "2010-01-01", "2013-06-30", "roles_ended")


def test_a_seat_exchanged_for_the_chair_the_same_day_keeps_the_person_present() -> None:
    evs = [ev("role.assigned", "2010-01-01", person="dir", role="board_member"),
           ev("role.ended", "2015-01-01", person="dir", role="board_member"),
           ev("role.assigned", "2015-01-01", person="dir", role="board_member",
              title="Chair")]
    s = one(evs, "2015-01-01")
    assert roles(s, "dir") == [("board_member", None, "Chair", None)]
    assert len(intervals_of("acme", evs).memberships) == 1


def test_a_staff_member_keeps_presence_when_a_role_ends() -> None:
    evs = pat() + [ev("role.ended", "2005-06-01", person="pat", role="executive")]
    s = one(evs, "2006-01-01")
    assert "pat" in s.members and roles(s, "pat") == []


# --- 4. tags survive a return -----------------------------------------------------------------


def test_a_returning_cofounder_keeps_the_tag_on_their_own_line() -> None:
    evs = [ev("org.founded", "2020-01-15", founders=["ann", "bob"]),
           ev("person.left", "2022-01-10", person="bob", reason="resigned"),
           ev("person.joined", "2023-03-01", person="bob")]
    s = one(evs, "2023-03-01")
    assert s.cofounders_present == ["ann", "bob"]
    assert roles(s, "bob") == [("cofounder", None, None, None)]
    cof = [(r.opened.text, r.closed.text if r.closed else None)
           for r in intervals_of("acme", evs).roles if r.person == "bob"]
    assert cof == [("2020-01-15", "2022-01-10"), ("2023-03-01", None)]


# --- 5. before the founding -------------------------------------------------------------------


def test_before_the_founding_the_state_says_not_yet_founded_and_nothing_may_have_happened(
) -> None:
    evs = [ev("org.founded", "2023-07-12", founders=["ann"]),
           ev("person.joined", "../2026-02-10", person="cat")]
    s = replay("acme", evs, date(2020, 1, 1))
    assert s.not_yet_founded and s.founding is not None and s.founding.text == "2023-07-12"
    assert s.uncertain == [] and s.members == {}
    later = replay("acme", evs, date(2024, 1, 1))
    assert not later.not_yet_founded and later.founding_status == "certain"
    assert [u.type for u in later.uncertain] == ["person.joined"]


# --- same-day stints and leaves ---------------------------------------------------------------


def test_joined_and_left_on_one_day_is_history_in_every_order() -> None:
    evs = [ev("person.joined", "2021-05-10", person="cat"),
           ev("person.left", "2021-05-10", person="cat", reason="resigned")]
    s = one(evs, "2021-05-10")
    assert "cat" not in s.members and s.departed["cat"].reason == "resigned"
    assert s.anomalies == []
    [m] = intervals_of("acme", evs).memberships
    assert (m.opened.text, m.closed.text if m.closed else None, m.closed_reason) == (
        "2021-05-10", "2021-05-10", "resigned")


def test_left_and_rejoined_on_one_day_is_present_at_its_end() -> None:
    evs = [ev("person.joined", "2020-01-01", person="cat"),
           ev("person.left", "2021-05-10", person="cat", reason="resigned"),
           ev("person.joined", "2021-05-10", person="cat")]
    assert "cat" in one(evs, "2021-05-10").members


def test_a_role_assigned_on_the_day_of_leaving_ends_with_the_departure() -> None:
    evs = pat() + [ev("person.left", "2005-06-01", person="pat", reason="resigned"),
                   ev("role.assigned", "2005-06-01", person="pat", role="executive",
                      title="CEO")]
    s = one(evs, "2005-06-01")
    assert "pat" not in s.members and s.departed["pat"].reason == "resigned"


def test_a_leave_of_absence_keeps_the_person_a_member_shown_on_leave() -> None:
    evs = pat() + [ev("leave.started", "2003-01-01", person="pat"),
                   ev("leave.ended", "2003-07-01", person="pat")]
    on = one(evs, "2003-02-01").members["pat"]
    assert on.on_leave is not None and on.on_leave.text == "2003-01-01"
    assert roles(one(evs, "2003-02-01"), "pat") == [("executive", None, "CTO", None)]
    assert one(evs, "2003-07-01").members["pat"].on_leave is None
    assert [(m.on_leave, m.closed_reason) for m in intervals_of("acme", evs).memberships] == [
        (False, "changed"), (True, "changed"), (False, None)]


def test_a_role_ended_that_was_never_held_is_an_anomaly_at_the_end_of_its_day() -> None:
    evs = [ev("person.joined", "2000-01-01", person="pat"),
           ev("role.ended", "2005-06-01", person="pat", role="lead")]
    assert [a.code for a in one(evs, "2005-06-01").anomalies] == ["role_not_held"]


# --- the same, as a user sees it ---------------------------------------------------------------

PAT_FILE = """\
sources:
  - {id: s1, url: "https://example.com/acme", title: Acme history, published: "2006-01-01"}
entities:
  - {id: acme, kind: organization, name: Acme}
  - {id: pat, kind: person, name: Pat Doe}
  - {id: kim, kind: person, name: Kim Lee}
  - {id: dana, kind: person, name: Dana Ruiz}
events:
  - {type: org.founded, date: "1999-06-01", sources: [s1], org: acme, founders: [kim]}
  - {type: person.joined, date: "2000-01-01", sources: [s1], person: pat, org: acme}
  - {type: role.assigned, date: "2001-01-01", sources: [s1], person: pat, org: acme,
     role: executive, title: CTO}
  - {type: role.assigned, date: "2005-06-01", sources: [s1], person: pat, org: acme,
     role: executive, title: CEO}
  - {type: role.ended, date: "2005-06-01", sources: [s1], person: pat, org: acme,
     role: executive}
  - {type: role.assigned, date: "2002-01-01", sources: [s1], person: kim, org: acme,
     role: executive, title: COO, capacity: acting}
  - {type: leave.started, date: "2005-09-01", sources: [s1], person: kim, org: acme}
  - {type: role.assigned, date: "2003-01-01", sources: [s1], person: dana, org: acme,
     role: board_member}
  - {type: role.ended, date: "2007-01-01", sources: [s1], person: dana, org: acme,
     role: board_member}
"""


def test_org_shows_titles_capacities_leaves_affiliations_and_the_founding(
        runner: Any, new_db: Any, tmp_path: Any) -> None:
    from factbase.cli import cli

    path = tmp_path / "pat.yaml"
    path.write_text(PAT_FILE, encoding="utf-8")
    db = new_db()
    assert runner.invoke(cli, ["--db", db, "load", str(path)]).exit_code == 0
    out = runner.invoke(cli, ["--db", db, "org", "acme", "--as-of", "2006-01-01"]).output
    assert "People present (2)\n" in out
    assert "  Kim Lee — cofounder; acting executive (COO); since 1999-06-01, on leave since " \
           "2005-09-01 [1]\n" in out
    assert "  Pat Doe — executive (CEO); since 2000-01-01 [1]\n" in out
    assert "Board, advisers and investors (1)\n  Dana Ruiz — board member; first recorded " \
           "2003-01-01 [1]\n" in out
    assert "Anomalies (0)\n" in out
    after = runner.invoke(cli, ["--db", db, "org", "acme", "--as-of", "2007-01-01"]).output
    assert "Dana Ruiz" not in after and "Board, advisers" not in after
    before = runner.invoke(cli, ["--db", db, "org", "acme", "--as-of", "1990-01-01"])
    assert before.exit_code == 0
    assert before.output.splitlines()[1] == "Not yet founded on 1990-01-01: founded 1999-06-01"


def test_a_role_in_a_renamed_unit_reads_the_units_name_on_that_date(
        runner: Any, new_db: Any, tmp_path: Any) -> None:
    from factbase.cli import cli

    path = tmp_path / "grid.yaml"
    path.write_text(PAT_FILE + """\
  - {type: unit.created, date: "2001-01-01", sources: [s1], org: acme, unit: acme-grid,
     name: Grid Ops}
  - {type: role.assigned, date: "2001-01-01", sources: [s1], person: pat, org: acme,
     unit: acme-grid, role: lead}
  - {type: unit.renamed, date: "2004-01-01", sources: [s1], org: acme, unit: acme-grid,
     name: Networks}
""", encoding="utf-8")
    db = new_db()
    assert runner.invoke(cli, ["--db", db, "load", str(path)]).exit_code == 0
    out = runner.invoke(cli, ["--db", db, "org", "acme", "--as-of", "2003-01-01"]).output
    assert "  Pat Doe — executive (CTO); lead of Grid Ops; since 2000-01-01 [1]\n" in out
    out = runner.invoke(cli, ["--db", db, "org", "acme", "--as-of", "2006-01-01"]).output
    assert "  Pat Doe — executive (CEO); lead of Networks; since 2000-01-01 [1]\n" in out
