"""The fold: exact states at exact dates for small histories (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from factbase.core.dates import parse_date, parse_instant
from factbase.core.events import Event
from factbase.core.replay import OrgState, replay

_seq = count(1)
RECORDED = datetime(2026, 3, 1, tzinfo=UTC)


def ev(type_: str, when: str, at: str | None = None, **payload: Any) -> Event:
    n = next(_seq)
    payload.setdefault("org", "acme")
    return Event(seq=n, event_id=f"e{n}", type=type_, stream="acme", date=parse_date(when),
                 instant=parse_instant(at) if at else None, evidence=None, payload=payload,
                 sources=("src",), recorded_at=RECORDED)


def at(events: list[Event], day: str) -> OrgState:
    return replay("acme", events, date.fromisoformat(day))


def founded() -> list[Event]:
    return [
        ev("org.founded", "2020-01-15", founders=["ann", "bob"]),
        ev("unit.created", "2020-02-01", unit="lab", name="Lab", kind="division"),
    ]


def test_founders_are_members_and_cofounders_from_the_founding_day() -> None:
    s = at(founded(), "2020-01-15")
    assert set(s.members) == {"ann", "bob"}
    assert s.cofounders == ["ann", "bob"]
    assert at(founded(), "2020-01-14").members == {}


def test_joining_on_d_is_present_on_d_and_leaving_on_d_is_gone_on_d() -> None:
    evs = founded() + [
        ev("person.joined", "2021-05-10", person="cat", unit="lab"),
        ev("person.left", "2021-06-30", person="cat", reason="resigned"),
    ]
    assert "cat" not in at(evs, "2021-05-09").members
    assert at(evs, "2021-05-10").members["cat"].unit == "lab"
    assert "cat" in at(evs, "2021-06-29").members
    s = at(evs, "2021-06-30")
    assert "cat" not in s.members
    assert s.departed["cat"].reason == "resigned"


def test_joining_and_leaving_on_the_same_day_orders_by_instant_then_recording() -> None:
    evs = founded() + [
        ev("person.left", "2021-05-10", at="2021-05-10T18:00:00Z", person="cat",
           reason="resigned"),
        ev("person.joined", "2021-05-10", at="2021-05-10T09:00:00Z", person="cat"),
    ]
    s = at(evs, "2021-05-10")
    assert "cat" not in s.members  # joined at 09:00, left at 18:00, though recorded the other way
    assert s.anomalies == []


def test_a_departure_known_to_the_month_is_uncertain_inside_it_and_certain_after() -> None:
    evs = founded() + [ev("person.left", "2024-04", person="bob", reason="unknown")]
    inside = at(evs, "2024-04-15")
    assert "bob" in inside.members
    assert [(u.type, u.date.text) for u in inside.uncertain] == [("person.left", "2024-04")]
    assert inside.cofounders_departed == []
    after = at(evs, "2024-04-30")
    assert "bob" not in after.members
    assert after.cofounders_departed == ["bob"]
    assert after.uncertain == []
    assert at(evs, "2024-03-31").uncertain == []


def test_a_cofounder_who_left_and_returned_is_present_again() -> None:
    evs = founded() + [
        ev("person.left", "2022-01-10", person="bob", reason="resigned"),
        ev("person.joined", "2023-03-01", person="bob"),
    ]
    assert at(evs, "2022-06-01").cofounders_departed == ["bob"]
    s = at(evs, "2023-03-01")
    assert s.cofounders_present == ["ann", "bob"]
    assert s.cofounders_departed == []
    assert "bob" not in s.departed


def test_a_departure_with_no_recorded_joining_is_an_anomaly_not_a_crash() -> None:
    evs = founded() + [ev("person.left", "2022-01-10", person="zed", reason="laid_off")]
    s = at(evs, "2022-02-01")
    assert s.departed["zed"].reason == "laid_off"
    assert [a.code for a in s.anomalies] == ["left_without_joining"]


def test_disagreeing_accounts_make_a_departure_disputed() -> None:
    accounts = [
        {"by": "bob", "says": "I chose to go", "source": "s1", "reason": "resigned"},
        {"by": "ann", "says": "We let some people go", "source": "s2", "reason": "parted_ways"},
    ]
    s = at(founded() + [ev("person.left", "2022-01-10", person="bob", accounts=accounts)],
           "2022-01-10")
    d = s.departed["bob"]
    assert d.disputed is True and d.reason is None
    assert [(a.by, a.reason) for a in d.accounts] == [("bob", "resigned"), ("ann", "parted_ways")]


def test_a_renamed_unit_keeps_its_id_old_name_before_new_after() -> None:
    evs = founded() + [ev("unit.renamed", "2021-01-01", unit="lab", name="Research")]
    assert at(evs, "2020-12-31").units["lab"].name == "Lab"
    s = at(evs, "2021-01-01")
    assert s.units["lab"].name == "Research"
    assert s.units["lab"].former_names == ["Lab"]


def test_merging_units_moves_people_and_roles_into_the_survivor() -> None:
    evs = founded() + [
        ev("unit.created", "2020-02-01", unit="ops", name="Ops"),
        ev("role.assigned", "2020-03-01", person="ann", unit="ops", role="lead"),
        ev("unit.merged", "2021-01-01", unit="ops", into="lab"),
    ]
    s = at(evs, "2021-01-01")
    assert s.units["ops"].status == "merged"
    assert [(r.role, r.unit) for r in s.members["ann"].roles] == [
        ("cofounder", None), ("lead", "lab")]


def test_dissolving_a_unit_with_people_in_it_is_an_anomaly() -> None:
    evs = founded() + [
        ev("person.joined", "2020-03-01", person="cat", unit="lab"),
        ev("unit.dissolved", "2021-01-01", unit="lab"),
    ]
    s = at(evs, "2021-01-01")
    assert s.units["lab"].status == "dissolved"
    assert [a.code for a in s.anomalies] == ["dissolved_with_people"]
    assert "cat" in s.anomalies[0].message


def test_confirmation_marks_last_confirmed_without_changing_the_joining_date() -> None:
    evs = founded() + [ev("role.confirmed", "2026-02-11", person="ann")]
    m = at(evs, "2026-03-01").members["ann"]
    assert m.since is not None and m.since.text == "2020-01-15"
    assert m.last_confirmed is not None and m.last_confirmed.text == "2026-02-11"


def test_an_open_start_joining_is_uncertain_until_its_end() -> None:
    evs = founded() + [ev("person.joined", "../2026-02-10", person="dan")]
    assert "dan" not in at(evs, "2026-02-09").members
    assert [u.date.text for u in at(evs, "2026-02-09").uncertain] == ["../2026-02-10"]
    assert at(evs, "2026-02-10").members["dan"].since.text == "../2026-02-10"  # type: ignore


def test_reorg_changes_take_effect_together_at_the_effective_date() -> None:
    changes = [
        {"type": "unit.created", "unit": "new", "org": "acme", "name": "New", "kind": "team"},
        {"type": "role.assigned", "person": "bob", "org": "acme", "unit": "new", "role": "lead"},
    ]
    evs = founded() + [ev("reorg.announced", "2022-05-10", summary="regroup",
                          effective="2022-05-01/2022-05-08", changes=changes)]
    assert "new" not in at(evs, "2022-05-07").units
    s = at(evs, "2022-05-08")
    assert s.units["new"].name == "New"
    assert ("lead", "new") in [(r.role, r.unit) for r in s.members["bob"].roles]
    assert "reorg.announced" not in [h.type for h in s.happenings]  # announced on the 10th


DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))


@settings(max_examples=200, deadline=None)
@given(DAYS, DAYS)
def test_a_certain_departure_stays_certain_on_every_later_date(d1: date, d2: date) -> None:
    evs = founded() + [ev("person.left", "2024-04", person="bob", reason="unknown")]
    early, late = sorted((d1, d2))
    if "bob" in at(evs, early.isoformat()).departed:
        assert "bob" in at(evs, late.isoformat()).departed


@settings(max_examples=100, deadline=None)
@given(st.permutations(list(range(6))), DAYS)
def test_replay_does_not_depend_on_the_order_events_are_given(order: list[int],
                                                               day: date) -> None:
    base = founded() + [
        ev("person.joined", "2021-05-10", person="cat", unit="lab"),
        ev("role.assigned", "2021-06-01", person="cat", unit="lab", role="lead"),
        ev("person.left", "2022-01", person="bob", reason="resigned"),
        ev("unit.renamed", "2023", unit="lab", name="Research"),
    ]
    shuffled = [base[i] for i in order]
    a, b = replay("acme", base, day), replay("acme", shuffled, day)
    assert (a.members.keys(), a.departed.keys(), a.units.keys()) == (
        b.members.keys(), b.departed.keys(), b.units.keys())
    assert {k: u.name for k, u in a.units.items()} == {k: u.name for k, u in b.units.items()}


def test_leaving_twice_keeps_the_first_departure_and_notes_an_anomaly() -> None:
    evs = founded() + [
        ev("person.left", "2022-01-10", person="bob", reason="resigned"),
        ev("person.left", "2022-03-01", person="bob", reason="dismissed"),
    ]
    s = at(evs, "2022-06-01")
    assert s.departed["bob"].date.text == "2022-01-10"
    assert s.departed["bob"].reason == "resigned"
    assert [a.code for a in s.anomalies] == ["left_twice"]


def test_a_cofounder_whose_departure_straddles_the_date_may_have_left() -> None:
    evs = founded() + [ev("person.left", "2024-04", person="bob", reason="unknown")]
    s = at(evs, "2024-04-15")
    assert s.cofounders_present == ["ann", "bob"]
    assert s.cofounders_uncertain == ["bob"]
    assert at(evs, "2024-05-01").cofounders_uncertain == []


def test_two_roles_at_once_in_two_units() -> None:
    evs = founded() + [
        ev("unit.created", "2020-02-01", unit="ops", name="Ops"),
        ev("role.assigned", "2021-01-04", person="bob", unit="lab", role="lead"),
        ev("role.assigned", "2021-01-04", person="bob", unit="ops", role="core_member"),
    ]
    roles = at(evs, "2021-01-04").members["bob"].roles
    assert [(r.role, r.unit) for r in roles] == [
        ("cofounder", None), ("lead", "lab"), ("core_member", "ops")]


def leads(s: OrgState, unit: str) -> list[str]:
    return sorted(m.person for m in s.members.values()
                  for r in m.roles if r.unit == unit and r.role == "lead")


def test_an_interim_head_followed_by_another_interim_head_within_days() -> None:
    evs = founded() + [
        ev("person.joined", "2021-01-01", person="cat"),
        ev("person.joined", "2021-01-01", person="dan"),
        ev("role.assigned", "2024-03-01", person="cat", unit="lab", role="lead",
           title="Interim head"),
        ev("role.ended", "2024-03-04", person="cat", unit="lab", role="lead"),
        ev("role.assigned", "2024-03-04", person="dan", unit="lab", role="lead",
           title="Interim head"),
    ]
    assert leads(at(evs, "2024-02-29"), "lab") == []
    assert leads(at(evs, "2024-03-01"), "lab") == ["cat"]
    assert leads(at(evs, "2024-03-03"), "lab") == ["cat"]
    assert leads(at(evs, "2024-03-04"), "lab") == ["dan"]  # the handover day: one head only
    s = at(evs, "2024-03-04")
    assert "cat" in s.members and s.anomalies == []


def test_two_units_merged_into_a_new_one() -> None:
    evs = founded() + [
        ev("unit.created", "2020-02-01", unit="ops", name="Ops"),
        ev("person.joined", "2020-03-01", person="cat", unit="lab"),
        ev("person.joined", "2020-03-01", person="dan", unit="ops"),
        ev("unit.created", "2022-01-01", unit="core", name="Core"),
        ev("unit.merged", "2022-01-01", unit="lab", into="core"),
        ev("unit.merged", "2022-01-01", unit="ops", into="core"),
    ]
    before = at(evs, "2021-12-31")
    assert {u.id for u in before.units.values() if u.status == "active"} == {"lab", "ops"}
    s = at(evs, "2022-01-01")
    assert {u.id: u.status for u in s.units.values()} == {
        "lab": "merged", "ops": "merged", "core": "active"}
    assert (s.members["cat"].unit, s.members["dan"].unit) == ("core", "core")
    assert s.anomalies == []
