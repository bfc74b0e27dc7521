"""Amendments: the effective events once corrections, retractions and added accounts apply.

The log never changes; what a reader sees does. Given the events known at some recorded time
(the caller cuts them at *known-at*), :func:`effective_view` returns each base event as amended
by the ``event.corrected``, ``event.retracted`` and ``account.added`` events among them:

* a **retraction** removes its target from the effective events (it stays in the history);
* a **correction** replaces the fields in its ``changes`` (``date``, ``at``, ``evidence``,
  ``note`` or the type's fields; ``None`` removes one). Corrections apply in recording order,
  so the latest wins field by field. A correction of a correction amends that correction's
  ``changes`` first; a retracted correction no longer applies;
* an **added account** joins the target's ``accounts``.

**Disagreements** are kept side by side, never overwritten (DESIGN §4). When accounts claim
another date than the event's own, the effective date covers every claim — the smallest
interval holding them all — so the fact is *uncertain* until the latest claim has passed, and
``claims`` lists who says which. A ``prefer`` policy picks one claim instead: ``confirmed``
(the highest evidence level, the event's own claim first on ties) or ``latest-source`` (the
claim whose source was published last). Figures work alike for ``value``.

``min_evidence`` hides events, and accounts, below a level (an event with no stated level
counts as ``reported``).

Pure module: no SQLAlchemy, no Click.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from factbase.core.dates import PartialDate, parse_date, parse_instant
from factbase.core.errors import IntegrityError
from factbase.core.events import AMEND_TYPES, EVIDENCE_LEVELS, Event, identity_fields

#: Fields a correction may not change: the event's identity, type and stream.
FIXED_FIELDS = ("id", "type", "sources", "org", "target")

Prefer = Literal["confirmed", "latest-source"]
DEFAULT_EVIDENCE = "reported"


@dataclass
class EffectiveView:
    """The effective view of a set of events.

    ``events``: base events (not amendments), retracted ones left out, corrections applied, in
    log order. ``history``: for every event id, the amendments recorded against it, in log
    order. ``retracted``: target id -> the retraction that removed it. ``originals``: the events
    as first recorded, by id.
    """

    events: list[Event] = field(default_factory=list)
    history: dict[str, list[Event]] = field(default_factory=dict)
    retracted: dict[str, Event] = field(default_factory=dict)
    originals: dict[str, Event] = field(default_factory=dict)




@dataclass(frozen=True)
class Withdrawal:
    """A fact that would have counted at an as-of date but was taken back by the recorded
    time asked about: ``event`` as first recorded, ``kind`` (``retracted`` or ``corrected``)
    and ``by``, the retraction or the latest correction (its recorded time, ``why`` and
    sources say when, why and on whose word)."""

    event: Event
    kind: Literal["retracted", "corrected"]
    by: Event


def withdrawn(view: EffectiveView, as_of: date) -> list[Withdrawal]:
    """The facts of ``view`` that, as first recorded, were certain at the end of day
    ``as_of`` (their valid interval ends by then) and that a retraction or a correction among
    ``view``'s amendments took back or changed, in the order those were recorded."""
    out = []
    for target, amendments in view.history.items():
        original = view.originals.get(target)
        if original is None or original.date is None or original.date.end > as_of:
            continue
        if target in view.retracted:
            out.append(Withdrawal(original, "retracted", view.retracted[target]))
            continue
        corrections = [a for a in amendments if a.type == "event.corrected"]
        if corrections:
            out.append(Withdrawal(original, "corrected", corrections[-1]))
    return sorted(out, key=lambda w: w.by.seq)


def identities(events: Iterable[Event]) -> dict[str, str]:
    """Entity id -> the id it is merged into, from ``entity.merged``/``entity.unmerged`` events
    in log order (the caller cuts them at known-at). Chains are followed (a→b, b→c gives a→c);
    an unmerge removes its pair."""
    merged: dict[str, str] = {}
    for ev in events:
        a, b = ev.payload["entity"], ev.payload["into"]
        if ev.type == "entity.merged" and a != b:
            merged[a] = b
        elif ev.type == "entity.unmerged" and merged.get(a) == b:
            del merged[a]

    def root(x: str) -> str:
        seen = {x}
        while x in merged and merged[x] not in seen:
            x = merged[x]
            seen.add(x)
        return x

    return {a: root(a) for a in merged if root(a) != a}


def _rewrite(value: Any, ids: Mapping[str, str], fields: frozenset[str],
             key: str | None = None) -> Any:
    """``value`` with the ids of merged entities replaced, in the payload fields (at any depth:
    a reorganisation's changes, a departure's accounts) that name people and organisations
    (``fields``: :func:`factbase.core.events.identity_fields`)."""
    if isinstance(value, dict):
        return {k: _rewrite(v, ids, fields, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, ids, fields, key) for v in value]
    if isinstance(value, str) and key in fields:
        return ids.get(value, value)
    return value


def evidence_rank(level: str | None, ev: Event | None = None) -> int:
    """0 unconfirmed, 1 reported, 2 confirmed; no stated level counts as reported.

    The loader accepts only these levels, so another one in event ``ev`` means the log was
    changed behind factbase's back: :class:`IntegrityError` naming the event, not a traceback.
    """
    level = level or DEFAULT_EVIDENCE
    if level in EVIDENCE_LEVELS:
        return EVIDENCE_LEVELS.index(level)
    where = f"event {ev.seq}" if ev is not None else "an event"
    raise IntegrityError(f"{where} has an unknown evidence level {level!r}: the log was changed "
                         "behind factbase's back; run factbase verify",
                         seq=ev.seq if ev is not None else None)


def effective_view(
    events: Iterable[Event],
    *,
    prefer: Prefer | None = None,
    min_evidence: str | None = None,
    published: Mapping[str, date] | None = None,
    identity: Mapping[str, str] | None = None,
) -> EffectiveView:
    """The effective events among ``events`` (see the module docstring).

    ``published``: source id -> publication day (its first day), for ``prefer="latest-source"``.
    ``identity``: merged id -> canonical id (:func:`identities`); references are rewritten so
    one person under two ids replays as one.
    Never raises for odd inputs (but for an evidence level the loader would have refused:
    :func:`evidence_rank`): an amendment whose target is not among ``events`` is ignored
    (the loader refuses such amendments; a ``--known-at`` cut may hide a target's stream).
    """
    out = EffectiveView()
    fields = identity_fields() if identity else frozenset()
    base: list[Event] = []
    for ev in events:
        if ev.type in AMEND_TYPES:
            out.history.setdefault(ev.payload["target"], []).append(ev)
        else:
            base.append(ev)
        out.originals[ev.event_id] = ev
    for target, amendments in out.history.items():
        for a in amendments:
            if a.type == "event.retracted" and target not in out.retracted:
                out.retracted[target] = a

    def changes_of(correction: Event) -> dict[str, Any]:
        merged = dict(correction.payload["changes"])
        for a in out.history.get(correction.event_id, []):
            if a.type == "event.corrected" and a.event_id not in out.retracted:
                merged.update(changes_of(a))
        return merged

    floor = evidence_rank(min_evidence) if min_evidence else None
    for ev in base:
        if ev.event_id in out.retracted:
            continue
        amended = ev
        for a in out.history.get(ev.event_id, []):
            if a.event_id in out.retracted:
                continue
            if a.type == "event.corrected":
                amended = _apply_changes(amended, changes_of(a))
            elif a.type == "account.added":
                payload = dict(amended.payload)
                payload["accounts"] = [*payload.get("accounts", []), a.payload["account"]]
                amended = replace(amended, payload=payload)
        if floor is not None:
            if evidence_rank(amended.evidence, amended) < floor:
                continue
            amended = _drop_weak_accounts(amended, floor)
        if identity:
            amended = replace(amended, payload=_rewrite(amended.payload, identity, fields),
                              stream=identity.get(amended.stream, amended.stream))
        out.events.append(_settle_claims(amended, prefer, published or {}))
    return out


def _apply_changes(ev: Event, changes: Mapping[str, Any]) -> Event:
    payload = dict(ev.payload)
    d, instant, evidence = ev.date, ev.instant, ev.evidence
    for key, value in changes.items():
        if key == "date":
            d = parse_date(value) if value is not None else d
        elif key == "at":
            instant = parse_instant(value) if value is not None else None
        elif key == "evidence":
            evidence = value
        elif value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return replace(ev, date=d, instant=instant, evidence=evidence, payload=payload)


def _drop_weak_accounts(ev: Event, floor: int) -> Event:
    accounts = ev.payload.get("accounts")
    if not accounts:
        return ev
    kept = [a for a in accounts if evidence_rank(a.get("evidence") or ev.evidence, ev)
            >= floor]
    return replace(ev, payload={**ev.payload, "accounts": kept})


def _settle_claims(ev: Event, prefer: Prefer | None,
                   published: Mapping[str, date]) -> Event:
    """Apply the disagreement rule to accounts that claim another date or value."""
    accounts = ev.payload.get("accounts", [])
    date_claims = [a for a in accounts if a.get("date")]
    value_claims = [a for a in accounts if a.get("value") is not None]
    if not date_claims and not value_claims:
        return ev
    payload = dict(ev.payload)
    own = {"by": None, "source": ev.sources[0] if ev.sources else None,
           "evidence": ev.evidence, "own": True}
    if date_claims and ev.date is not None:
        claims = [{**own, "date": ev.date.text}] + [
            {"by": a["by"], "source": a["source"], "evidence": a.get("evidence"),
             "date": a["date"]} for a in date_claims]
        payload["date_claims"] = claims
        if prefer is None:
            dates = [ev.date] + [parse_date(a["date"]) for a in date_claims]
            texts = list(dict.fromkeys(d.text for d in dates))
            if len(texts) > 1:
                ev = replace(ev, date=PartialDate(
                    text=" or ".join(texts) + " (disputed)",
                    start=min(d.start for d in dates), end=max(d.end for d in dates),
                    precision="range"))
        else:
            chosen = _choose(claims, prefer, published, ev)
            if not chosen.get("own"):
                ev = replace(ev, date=parse_date(chosen["date"]))
    if value_claims and "value" in payload:
        claims = [{**own, "value": payload["value"]}] + [
            {"by": a["by"], "source": a["source"], "evidence": a.get("evidence"),
             "value": a["value"]} for a in value_claims]
        payload["value_claims"] = claims
        if prefer is not None:
            payload["value"] = _choose(claims, prefer, published, ev)["value"]
        elif len({c["value"] for c in claims}) > 1:
            payload["value_disputed"] = True
    return replace(ev, payload=payload)


def _choose(claims: list[dict[str, Any]], prefer: Prefer,
            published: Mapping[str, date], ev: Event) -> dict[str, Any]:
    if prefer == "confirmed":
        # Highest evidence; on a tie the earlier claim (the event's own comes first) wins.
        return max(enumerate(claims), key=lambda ic: (evidence_rank(ic[1]["evidence"], ev),
                                                      -ic[0]))[1]
    return max(enumerate(claims),
               key=lambda ic: (published.get(ic[1]["source"], date.min), -ic[0]))[1]
