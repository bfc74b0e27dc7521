"""Wikidata in: entity documents read into sourced events (``factbase import wikidata``).

Reads the JSON Wikidata serves — ``Special:EntityData/Q….json`` and ``wbgetentities``
responses (``{"entities": {"Q…": {…}}}``, a redirect's target included), a bare entity
object, or the lines of the JSON dump (one entity per line, with or without the dump's
trailing commas and its ``[``/``]`` lines) — and plans the records that put what they say into
the log. Nothing here needs the network: what a document does not hold is not looked up.

What becomes what (``docs/cli.md``, ``import wikidata``, has the table and the reasons):

* every item becomes an entity with the id ``q<number>`` (the Q-id kept as the external
  identifier, lower-cased as ids are), a person if it is an instance of human (P31 Q5), else an
  organisation; its label in English (else ``mul``, else the first language) is its name, its
  labels in every other language its aliases (``entity.registered``) and its aliases in every
  language more names (``entity.aliased``); the note gives the Q-id, the description and, for
  an organisation, what factbase has no event for: dissolution (P576), parent organisation
  (P749) and subsidiaries (P355);
* inception (P571) → ``org.founded`` with the founders (P112); chief executive (P169) →
  ``role.assigned`` executive "chief executive officer" from P580, ``role.ended`` at P582;
  chairperson (P488) → ``role.assigned`` board_member "chairperson" and ``role.ended``;
  employer (P108) → ``person.joined`` / ``person.left``; position held (P39) →
  ``role.assigned`` / ``role.ended`` in the organisation the office directs (P2389), or is of
  (P642), else in the office itself;
* each reference becomes a source (``wd-ref-`` and its hash: P854 reference URL, P248 stated
  in, P813 retrieved, P1476 title, P577 published, P123 publisher, P143 imported from); a
  statement without one cites the item (``wikidata-q…``, its page on wikidata.org);
* an entity a statement names whose document is not given is registered under ``wd-q…``
  with its Q-id (or the statement's "object named as", P1932) as its name; when its document is
  imported later, the entity it describes is declared the same (``entity.merged``), so every
  page shows its name.

Event ids come from the Q-id, the property and the statement id (``wd-q2283-p169-<statement
uuid>-start``), so importing a document again adds nothing, and a statement that changed in
Wikidata becomes an ``event.corrected`` of the event imported from it.

Reading the documents and their values is :mod:`factbase.io.wikidata_read`. Pure: what the
database already holds comes in as :class:`Known` (:func:`factbase.store.wikidata.known_state`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from factbase.io.wikidata_read import (
    Document,
    description_of,
    item_id,
    item_source,
    item_source_id,
    kind_of,
    label_of,
    names_of,
    qualifier_values,
    read_file,
    ref_snaks,
    reference_source,
    snak_value,
    statement_key,
    wikidata_date,
)

__all__ = ["Document", "ImportResult", "Known", "Plan", "plan", "read_file", "wikidata_date"]

#: Roles of the holder properties: property -> (role, title).
HOLDERS = {"P169": ("executive", "chief executive officer"),
           "P488": ("board_member", "chairperson")}
#: End causes (P1534) factbase has a reason for.
END_CAUSES = {"Q4": "died"}


# --- the plan ----------------------------------------------------------------------------


@dataclass
class Known:
    """What the database already holds that the plan depends on (:func:`known_state`).

    ``kinds``: entity id -> kind for ``q…`` and ``wd-q…`` ids; ``names``: entity id -> its
    names; ``sources``: source ids; ``events``: event id -> the event as a record, with the
    corrections recorded against it applied; ``registrations``: event id -> content hash of
    the registrations (entities and sources) and alias events the importer writes;
    ``merged``: merged entity id -> the id it is one with; ``hashes``: event id -> content
    hash of each of the importer's events.
    """

    kinds: dict[str, str] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    registrations: dict[str, str] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)
    #: event id -> content hash of every event the importer may have written.
    hashes: dict[str, str] = field(default_factory=dict)


@dataclass
class DocumentReport:
    """What one document gave: ``events`` planned by kind, and ``notes`` counted."""

    qid: str
    origin: str
    name: str | None
    entity: str
    kind: str
    events: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    #: Of ``events``: already in the log as they are, and corrected (changed in Wikidata).
    present: int = 0
    corrected: int = 0

    @property
    def total(self) -> int:
        return sum(self.events.values())


@dataclass
class Plan:
    """The records to append, in order (sources, entities, events, identity decisions,
    corrections), with a report per document and the placeholders registered."""

    records: list[dict[str, Any]] = field(default_factory=list)
    reports: list[DocumentReport] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    #: Records left out because the log holds them already (sources, entities, events).
    present: int = 0


class _Planner:
    def __init__(self, docs: list[Document], known: Known) -> None:
        self.known = known
        self.docs: dict[str, Document] = {}
        for d in docs:
            if (d.entity.get("type", "item") != "item" or not re.fullmatch(r"Q\d+", d.qid)
                    or "missing" in d.entity):
                continue
            self.docs[d.qid] = d  # a later document of the same item wins
        self.skipped_docs = [d for d in docs if d.qid not in self.docs or
                             self.docs[d.qid] is not d]
        self.kinds = {q: kind_of(d.entity) for q, d in self.docs.items()}
        self.sources: dict[str, dict[str, Any]] = {}
        self.entities: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.later: list[dict[str, Any]] = []
        self.placeholders: dict[str, dict[str, Any]] = {}
        self.plan = Plan()

    # ids of entities ---------------------------------------------------------------------

    def entity_ref(self, qid: str, kind: str, report: DocumentReport,
                   named_as: str | None = None) -> str | None:
        """The id to name ``qid`` by in an event, as an entity of ``kind``; registers a
        placeholder when neither the input nor the database has it. None (and a note) when
        the entity is of another kind."""
        real, placeholder = qid.lower(), f"wd-{qid.lower()}"
        have = self.kinds.get(qid) or self.known.kinds.get(real)
        ident = real
        if have is None and placeholder in self.known.kinds:
            have, ident = self.known.kinds[placeholder], placeholder
        if have is None:
            have, ident = kind, placeholder
        if ident == placeholder and placeholder not in self.placeholders:
            self.placeholders[placeholder] = {
                "type": "entity.registered", "entity": placeholder, "kind": kind,
                "name": named_as or qid,
                "note": f"Wikidata {qid}, named here by "
                        + ("the statement that names it" if named_as else "its Q-id")
                        + ": its document was not imported (`factbase import wikidata` "
                          f"of {qid}'s document names it).",
                "sources": [item_source_id(qid)]}
            self.sources.setdefault(item_source_id(qid), item_source(qid, None))
        if have != kind:
            report.notes[f"{qid} is {'a' if have != 'organization' else 'an'} {have}, not "
                         f"{'an' if kind == 'organization' else 'a'} {kind}: left out"] += 1
            return None
        return ident

    # statements ----------------------------------------------------------------------------

    def statements(self, doc: Document, prop: str, report: DocumentReport
                   ) -> list[dict[str, Any]]:
        out = []
        for st in (doc.entity.get("claims") or {}).get(prop, []):
            if st.get("rank") == "deprecated":
                report.notes["deprecated statements skipped"] += 1
                continue
            out.append(st)
        return out

    def cite(self, doc: Document, st: Mapping[str, Any]) -> tuple[list[str], str]:
        """The sources of a statement (its references, else the item) and its evidence:
        ``reported`` when a reference gives a URL or a work it is stated in, else
        ``unconfirmed``."""
        ids: list[str] = []
        evidence = "unconfirmed"
        for ref in st.get("references") or []:
            rec = reference_source(ref)
            if rec is None:
                continue
            self.sources.setdefault(rec["source"], rec)
            if rec["source"] not in ids:
                ids.append(rec["source"])
            if ref_snaks(ref, "P854") or ref_snaks(ref, "P248"):
                evidence = "reported"
        if not ids:
            ids = [item_source_id(doc.qid)]
        return ids, evidence

    def span(self, st: Mapping[str, Any], report: DocumentReport
             ) -> tuple[str | None, str | None, str]:
        """``(start, end, how)`` of a statement's P580/P582: each a date or None; ``how`` is
        ``""``, or ``"somevalue-end"`` (it ended, when is unknown), or ``"novalue-end"``."""
        start = end = None
        how = ""
        for kind, value in qualifier_values(st, "P580")[:1]:
            if kind == "value":
                start = wikidata_date(value) if isinstance(value, dict) else None
                if start is None:
                    report.notes["start dates factbase cannot hold (before year 1 or too "
                                 "coarse): left open"] += 1
            elif kind == "somevalue":
                report.notes["unknown start (somevalue): left open"] += 1
        for kind, value in qualifier_values(st, "P582")[:1]:
            if kind == "value":
                end = wikidata_date(value) if isinstance(value, dict) else None
                if end is None:
                    report.notes["end dates factbase cannot hold: left open"] += 1
            elif kind == "somevalue":
                how = "somevalue-end"
            elif kind == "novalue":
                how = "novalue-end"
        return start, end, how

    def note(self, doc: Document, prop: str, st: Mapping[str, Any], extra: str = "") -> str:
        rank = " (preferred rank)" if st.get("rank") == "preferred" else ""
        return (f"From Wikidata {doc.qid}, {prop} statement {st.get('id', '?')}{rank}."
                + (f" {extra}" if extra else ""))

    def value_item(self, st: Mapping[str, Any], report: DocumentReport) -> str | None:
        kind, value = snak_value(st.get("mainsnak") or {})
        if kind == "somevalue":
            report.notes["unknown values (somevalue) skipped"] += 1
            return None
        if kind == "novalue":
            report.notes["'no value' statements (novalue): nothing to record"] += 1
            return None
        qid = item_id(value)
        if qid is None:
            report.notes["values that are not items skipped"] += 1
        return qid

    # the kinds of facts ----------------------------------------------------------------------

    def holding(self, doc: Document, prop: str, st: Mapping[str, Any], index: int,
                report: DocumentReport, person: str, org: str, role: str,
                title: str | None, extra: str = "") -> None:
        start, end, how = self.span(st, report)
        base = "wd-" + statement_key(st, doc.qid, prop, index)
        sources, evidence = self.cite(doc, st)
        # A position held (P39, no fixed title): how the source named the office is the title.
        title = title if title is not None else _named(st)
        common: dict[str, Any] = {"person": person, "org": org, "role": role,
                                  "holding": base, "sources": sources, "evidence": evidence}
        if title:
            common["title"] = title
        if start is None and end is None:
            report.notes["statements with no start or end date skipped"] += 1
            return
        note = self.note(doc, prop, st, extra)
        self.add_event(report, {"type": "role.assigned", "id": f"{base}-start",
                                "date": start or _by(end), "note": note, **common})
        if end is not None:
            self.add_event(report, {"type": "role.ended", "id": f"{base}-end", "date": end,
                                    "note": note, **common})
        elif how == "somevalue-end" and start is not None:
            self.add_event(report, {"type": "role.ended", "id": f"{base}-end",
                                    "date": _after(start), **common,
                                    "note": note + " It ended at a date Wikidata does not "
                                                   "know (somevalue)."})
            report.notes["ended at an unknown date (somevalue): an open range"] += 1

    def employment(self, doc: Document, st: Mapping[str, Any], index: int,
                   report: DocumentReport, person: str, org: str) -> None:
        start, end, how = self.span(st, report)
        if start is None and end is None:
            report.notes["statements with no start or end date skipped"] += 1
            return
        base = "wd-" + statement_key(st, doc.qid, "P108", index)
        sources, evidence = self.cite(doc, st)
        note = self.note(doc, "P108", st)
        common = {"person": person, "org": org, "sources": sources, "evidence": evidence}
        self.add_event(report, {"type": "person.joined", "id": f"{base}-start",
                                "date": start or _by(end), "note": note, **common})
        causes = [item_id(v) for k, v in qualifier_values(st, "P1534") if k == "value"]
        reason = next((END_CAUSES[c] for c in causes if c in END_CAUSES), None)
        if reason is None:
            reason = "other" if causes else "unknown"
        why = f" End cause (P1534): {', '.join(c for c in causes if c)}." if causes else ""
        if end is not None:
            self.add_event(report, {"type": "person.left", "id": f"{base}-end", "date": end,
                                    "reason": reason, "note": note + why, **common})
        elif how == "somevalue-end" and start is not None:
            self.add_event(report, {"type": "person.left", "id": f"{base}-end",
                                    "date": _after(start), "reason": reason, **common,
                                    "note": note + " They left at a date Wikidata does not "
                                                   "know (somevalue)."})

    def founding(self, doc: Document, report: DocumentReport, org: str) -> None:
        inceptions = [st for st in self.statements(doc, "P571", report)
                      if snak_value(st.get("mainsnak") or {})[0] == "value"]
        preferred = [st for st in inceptions if st.get("rank") == "preferred"]
        chosen = (preferred or inceptions)[:1]
        founders_st = self.statements(doc, "P112", report)
        if not chosen:
            if founders_st:
                report.notes["founders (P112) without an inception date (P571): not "
                              "recorded"] += len(founders_st)
            return
        st = chosen[0]
        day = wikidata_date(snak_value(st["mainsnak"])[1])
        if day is None:
            report.notes["inception dates factbase cannot hold: skipped"] += 1
            return
        others = sorted({d for d in (wikidata_date(snak_value(o["mainsnak"])[1])
                                     for o in (preferred or inceptions)[1:]) if d and d != day})
        founders: list[str] = []
        sources, evidence = self.cite(doc, st)
        for fst in founders_st:
            kind, value = snak_value(fst.get("mainsnak") or {})
            if kind == "novalue":
                report.notes["'no founders' (P112 novalue): none listed"] += 1
                continue
            qid = self.value_item(fst, report)
            if qid is None:
                continue
            ref = self.entity_ref(qid, "person", report, _named(fst))
            if ref is not None and ref not in founders:
                founders.append(ref)
                more, _ = self.cite(doc, fst)
                sources += [s for s in more if s not in sources]
        extra = f"Wikidata also gives {', '.join(others)}." if others else ""
        self.add_event(report, {"type": "org.founded",
                                "id": "wd-" + statement_key(st, doc.qid, "P571", 0),
                                "date": day, "org": org, "founders": founders,
                                "sources": sources, "evidence": evidence,
                                "note": self.note(doc, "P571", st, extra)})

    def add_event(self, report: DocumentReport, record: dict[str, Any]) -> None:
        from factbase.core.events import RecordProblems
        from factbase.core.fields import validate_record

        try:
            validate_record(record)
        except RecordProblems as exc:
            problem = "; ".join(f"{p}: {m}" if p else m for p, m in exc.problems)
            report.notes[f"a statement factbase cannot hold ({problem}): skipped"] += 1
            return
        self.events.append(record)
        report.events[record["type"]] += 1

    # organisations' notes ----------------------------------------------------------------

    def org_note(self, doc: Document, report: DocumentReport) -> tuple[str, list[str]]:
        """Dissolution, parent and subsidiaries: factbase has no event for them, so the
        registration's note says them (with their sources)."""
        parts: list[str] = []
        sources: list[str] = []
        dissolved = [st for st in self.statements(doc, "P576", report)]
        preferred = [st for st in dissolved if st.get("rank") == "preferred"]
        for st in (preferred or dissolved)[:1]:
            kind, value = snak_value(st.get("mainsnak") or {})
            if kind == "value" and isinstance(value, dict) and wikidata_date(value):
                parts.append(f"Dissolved {wikidata_date(value)} (P576).")
                sources += self.cite(doc, st)[0]
                report.notes["dissolution (P576): in the registration's note"] += 1
            elif kind == "somevalue":
                parts.append("Dissolved at a date Wikidata does not know (P576).")
                sources += self.cite(doc, st)[0]
        for prop, label in (("P749", "Parent organisation"), ("P355", "Subsidiaries")):
            items = []
            for st in self.statements(doc, prop, report):
                kind, value = snak_value(st.get("mainsnak") or {})
                qid = item_id(value) if kind == "value" else None
                if qid is None:
                    continue
                start, end, _ = self.span(st, report)
                when = (f" {start}–{end}" if start and end else f" from {start}" if start
                        else f" until {end}" if end else "")
                items.append(qid + when)
                sources += [s for s in self.cite(doc, st)[0] if s not in sources]
            if items:
                parts.append(f"{label} ({prop}): {', '.join(items)}.")
                report.notes[f"{label.lower()} ({prop}): in the registration's note"] += 1
        return " ".join(parts), sources

    # one document --------------------------------------------------------------------------

    def document(self, doc: Document) -> None:
        qid, kind = doc.qid, self.kinds[doc.qid]
        real = qid.lower()
        label = label_of(doc.entity)
        report = DocumentReport(qid, doc.origin, label, real, kind)
        self.plan.reports.append(report)
        item_src = item_source_id(qid)
        self.sources.setdefault(item_src, item_source(qid, label))
        labels, aliases = names_of(doc.entity)
        if not labels:
            labels = [qid]
            report.notes["no label in any language: named by its Q-id"] += 1
        desc = description_of(doc.entity)
        note = f"Wikidata {qid} (https://www.wikidata.org/wiki/{qid})" + (
            f": {desc}." if desc else ".")
        extra_sources: list[str] = []
        if kind == "organization":
            more, extra_sources = self.org_note(doc, report)
            note += f" {more}" if more else ""
        registration = {"type": "entity.registered", "entity": real, "kind": kind,
                        "name": labels[0], "aliases": labels[1:], "note": note,
                        "sources": [item_src, *[s for s in extra_sources if s != item_src]]}
        names_rec = ({"type": "entity.aliased", "id": f"wd-{real}-aliases", "entity": real,
                      "aliases": aliases, "sources": [item_src]} if aliases else None)
        known_kind = self.known.kinds.get(real)
        if known_kind is not None and known_kind != kind:
            report.notes[f"already registered as {'an' if known_kind == 'organization' else 'a'}"
                         f" {known_kind}: its names and facts are not imported"] += 1
            return
        if known_kind is None:
            self.entities.append(registration)
            if names_rec:
                self.entities.append(names_rec)
        else:
            self.entities.append(registration)  # dropped in run() unless the same
            self.more_names(real, labels + aliases, registration, names_rec, report)
        placeholder = f"wd-{real}"
        if placeholder in self.known.kinds and self.known.merged.get(placeholder) != real:
            if self.known.kinds[placeholder] == kind:
                self.later.append({"type": "entity.merged", "id": f"wd-{real}-named",
                                   "entity": placeholder, "into": real, "sources": [item_src],
                                   "why": f"Wikidata {qid}: its document was imported; the "
                                          "placeholder named by its Q-id stood for it"})
            else:
                report.notes[f"the placeholder {placeholder} is a {self.known.kinds[placeholder]}"
                             ": not declared the same"] += 1
        if kind == "organization":
            self.founding(doc, report, real)
            for prop, (role, title) in HOLDERS.items():
                for i, st in enumerate(self.statements(doc, prop, report)):
                    who = self.value_item(st, report)
                    person = self.entity_ref(who, "person", report, _named(st)) if who else None
                    if person is not None:
                        self.holding(doc, prop, st, i, report, person, real, role, title)
        else:
            for i, st in enumerate(self.statements(doc, "P108", report)):
                employer = self.value_item(st, report)
                org = self.entity_ref(employer, "organization", report, _named(st)) \
                    if employer else None
                if org is not None:
                    self.employment(doc, st, i, report, real, org)
            for i, st in enumerate(self.statements(doc, "P39", report)):
                position = self.value_item(st, report)
                if position is None:
                    continue
                directs = [q for q in (item_id(v) for k, v in qualifier_values(st, "P2389")
                                       if k == "value") if q]
                of = [q for q in (item_id(v) for k, v in qualifier_values(st, "P642")
                                  if k == "value") if q]
                target, role = ((directs[0], "lead") if directs else
                                (of[0], "member") if of else (position, "member"))
                extra = f"Position held (P39): {position}."
                if len(directs) > 1:
                    extra += f" The office also directs {', '.join(directs[1:])} (P2389)."
                named = _named(st) if target == position else None
                org = self.entity_ref(target, "organization", report, named)
                if org is not None:
                    self.holding(doc, "P39", st, i, report, real, org, role, None, extra)

    def more_names(self, real: str, names: list[str], registration: dict[str, Any],
                   names_rec: dict[str, Any] | None, report: DocumentReport) -> None:
        """An entity the database holds: the names it lacks, as one ``entity.aliased``."""
        from factbase.core.events import canonical_json, sha256

        have = self.known.names.get(real, set())
        if names_rec is not None:
            self.entities.append(names_rec)  # dropped in run() unless new or the same
            if f"wd-{real}-aliases" not in self.known.registrations:
                have = have | set(names_rec["aliases"])
        missing = [n for n in names if n not in have]
        if missing:
            digest = sha256(canonical_json(sorted(missing)))[:10]
            self.entities.append({"type": "entity.aliased", "id": f"wd-{real}-names-{digest}",
                                  "entity": real, "aliases": missing,
                                  "sources": [item_source_id(real.upper())]})
            report.notes["names new since the last import: added"] += len(missing)

    # corrections -----------------------------------------------------------------------

    def settle(self) -> None:
        """Events already in the log: the same → dropped (nothing to add); changed in
        Wikidata → an ``event.corrected`` of the stored event."""
        from factbase.core.amend import FIXED_FIELDS
        from factbase.core.events import canonical_json, sha256

        kept: list[dict[str, Any]] = []
        for rec in self.events:
            stored = self.known.events.get(rec["id"])
            if stored is None:
                kept.append(rec)
                continue
            want = self._normal(rec)
            have = self._normal(stored)
            report = self._report_of(rec)
            if want == have:
                report.present += 1
                if self.known.hashes.get(rec["id"]) == _hash(rec):
                    kept.append(rec)  # as first imported: the load counts it present
                else:
                    self.plan.present += 1  # as corrected since: nothing to add
                continue
            changes = {k: want.get(k) for k in sorted(set(want) | set(have))
                       if k not in FIXED_FIELDS and k != "sources" and want.get(k) != have.get(k)}
            fixed = [k for k in ("org", "sources") if want.get(k) != have.get(k)]
            if fixed:
                report.notes[f"changed in Wikidata in what a correction cannot change "
                              f"({', '.join(fixed)}): not corrected (retract and import "
                              "again)"] += 1
            if not changes:
                continue
            digest = sha256(canonical_json(changes))[:10]
            self.later.append({"type": "event.corrected", "id": f"{rec['id']}-fix-{digest}",
                               "target": rec["id"], "changes": changes,
                               "why": "the Wikidata statement it was imported from has "
                                      "changed", "sources": list(have.get("sources") or
                                                                 rec["sources"])})
            report.corrected += 1
        self.events = kept

    def _normal(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A record as validation stores it, placeholder ids read as the entity they stand
        for when that entity is known, for comparing."""
        from factbase.core.fields import validate_record

        draft = validate_record(dict(record))
        out: dict[str, Any] = {**draft.payload, "sources": list(draft.sources)}
        if draft.date is not None:
            out["date"] = draft.date.text
        if draft.evidence is not None:
            out["evidence"] = draft.evidence

        def real(value: Any) -> Any:
            if isinstance(value, str) and value.startswith("wd-q") and value[3:] in \
                    (self.known.kinds.keys() | {q.lower() for q in self.docs}):
                return value[3:]
            if isinstance(value, list):
                return [real(v) for v in value]
            return value

        return {k: real(v) if k not in ("holding", "note") else v for k, v in out.items()}

    def _report_of(self, record: Mapping[str, Any]) -> DocumentReport:
        for r in self.plan.reports:
            if str(record.get("id", "")).startswith(f"wd-{r.entity}-"):
                return r
        return self.plan.reports[-1]

    def run(self) -> Plan:
        for doc in self.docs.values():
            self.document(doc)
        self.settle()
        for d in self.skipped_docs:
            if "missing" in d.entity:  # what Wikidata answers for a deleted or unknown id
                self.plan.notes[f"{d.origin}: {d.qid or 'an entity'} is missing from Wikidata "
                                "(deleted, or no such item): skipped"] += 1
            elif d.entity.get("type", "item") != "item":
                self.plan.notes[f"{d.origin}: a {d.entity.get('type')} entity, not an item: "
                                "skipped"] += 1
            elif d.qid in self.docs:
                self.plan.notes[f"{d.origin}: {d.qid} again: the last document read is "
                                "imported"] += 1
        # A registration the log holds is kept only as it was written (the load then counts
        # it present): one that differs would be refused (registrations are not amended).
        placeholders = list(self.placeholders.values())
        fixed = [r for r in [*self.sources.values(), *self.entities, *placeholders]
                 if self.known.registrations.get(_event_id(r), _hash(r)) == _hash(r)]
        self.plan.records = [*fixed, *self.events, *self.later]
        self.plan.placeholders = sorted(p["entity"] for p in placeholders
                                        if p["entity"] not in self.known.merged)
        return self.plan


def _event_id(record: Mapping[str, Any]) -> str:
    """The id a record of the importer gets: its ``id``, or a registration's."""
    if "id" in record:
        return str(record["id"])
    if record["type"] == "source.registered":
        return f"source.{record['source']}"
    return f"entity.{record['entity']}"


def _hash(record: Mapping[str, Any]) -> str:
    """The content hash the log would store for ``record``."""
    from factbase.core.fields import validate_record

    return validate_record(dict(record)).content_hash


def _by(end: str | None) -> str:
    """Some time up to the end of ``end`` (a date or a range): ``../<its last part>``."""
    assert end is not None
    return "../" + end.split("/")[-1]


def _after(start: str) -> str:
    """Some time from ``start`` (a date or a range) on: ``<its first part>/..``."""
    return start.split("/")[0] + "/.."


def _named(st: Mapping[str, Any]) -> str | None:
    """The statement's "object named as" (P1932): how the source wrote the value's name."""
    for kind, value in qualifier_values(st, "P1932"):
        if kind == "value" and isinstance(value, str) and value.strip():
            return value.strip()
    return None


def plan(docs: Iterable[Document], known: Known) -> Plan:
    """The records that import ``docs`` into a database holding ``known``."""
    return _Planner(list(docs), known).run()


@dataclass(frozen=True)
class ImportResult:
    """An import: the ``plan`` (records, a report per document, placeholders) and what the
    load of its records did (``loaded``; None for a dry run)."""

    plan: Plan
    loaded: Any = None
    documents: int = 0
