"""The Python API: :class:`FactBase`, which the CLI is a thin layer over.

Times: ``as_of`` is valid time, a calendar day, meaning the end of that day; ``known_at`` is
recorded time, an aware UTC instant (None = now), inclusive. Every write is one transaction:
a load lands whole or not at all.
"""

from __future__ import annotations

import difflib
import random
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from factbase.core.amend import EffectiveView, Prefer, effective_view, identities, withdrawn
from factbase.core.dates import PartialDate, far_future
from factbase.core.errors import (
    DatabaseBusy,
    FactbaseError,
    InputError,
    InvalidRecord,
    NotFound,
    SchemaError,
    UnknownStream,
)
from factbase.core.events import (
    AMEND_TYPES,
    Event,
    EventDraft,
    RecordProblems,
    Reference,
)
from factbase.core.replay import OrgState, replay, valid_order
from factbase.store import bulk, log, reads, redact
from factbase.store.engine import (
    WRITE_OPTION,
    claim_new_file,
    database_url,
    folder_read_only,
    make_engine,
    remove_sqlite_files,
    sqlite_path,
)

# Re-exported: views name the head of the log through the API.
from factbase.store.log import Anchor as Anchor
from factbase.store.migrate import schema_state, upgrade_to_head
from factbase.store.redact import Standing
from factbase.store.rows import CHECK_OPTION

# Writing needs validation (pydantic), the loaders (yaml) and the projections; a query does
# not, so they are imported where they are used and a query's start-up skips them.
if TYPE_CHECKING:
    from factbase.core.results import Hit, QueryResult
    from factbase.io import wikidata
    from factbase.io.loader import RawRecord
    from factbase.store import listing, lookup

#: Seconds a ``sql`` query may run by default (:data:`factbase.store.sqlquery.DEFAULT_TIMEOUT`).
DEFAULT_SQL_TIMEOUT = 30.0
#: Records validated and appended per batch during a load.
LOAD_BATCH = 1_000
#: A write transaction the database refuses as busy (SQLite "database is locked" after the
#: busy timeout; PostgreSQL serialization failure or deadlock) is run again from the start,
#: up to this many attempts in all, sleeping a random time in [0, min(cap, base * 2**(n-1)))
#: seconds before retry n ("full jitter" exponential backoff), then fails with DatabaseBusy.
WRITE_ATTEMPTS = 6
RETRY_BASE_S = 0.1
RETRY_CAP_S = 3.0
#: An expected stream version: one number (the stream of the appended events) or, per
#: stream, a mapping stream -> version.
ExpectedVersion = int | Mapping[str, int]
T = TypeVar("T")
_KIND_OK = {
    "person": {"person"}, "organization": {"organization"}, "unit": {"unit"},
    "product": {"product"}, "entity": {"person", "organization", "unit", "product"},
}


@dataclass(frozen=True)
class LoadResult:
    """What a load did: ``new`` events appended, ``present`` already in the log, ``total``
    events in the log afterwards, per input ``files``; ``collisions``: people (or
    organisations) this load brought under a look-up name another one already has — they stay
    two (:meth:`FactBase.name_collisions`)."""

    new: int
    present: int
    total: int
    files: tuple[str, ...] = ()
    collisions: tuple[lookup.NameCollision, ...] = ()
    #: Lines about new events that were loaded but look wrong, each naming its record: a
    #: date far after the day it is recorded (:func:`factbase.core.dates.far_future`).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found: ``events`` checked, the ``head`` hash, and ``problems`` (empty
    when the log and projections are sound); ``bad_seq`` is the first bad sequence number."""

    events: int
    head: str
    problems: list[str] = field(default_factory=list)
    bad_seq: int | None = None
    #: What the projection check covered, for the "ok" line: "projections match a rebuild",
    #: or for the quick check the tables it compared (fewer while a redaction stands).
    checked: str = ""
    #: The other checks made (content hashes, the append-only guards, the search index), each
    #: as the "ok" line says it.
    also: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Source:
    """A registered source."""

    id: str
    url: str | None
    title: str | None
    publisher: str | None
    published: str | None
    language: str | None


@dataclass(frozen=True)
class StreamStatus:
    """A stream's ``version`` (its event count, 0 for none) and, when it has no events, a
    close stream id as ``suggestion`` (or None)."""

    stream: str
    version: int
    suggestion: str | None = None


@dataclass(frozen=True)
class RedactResult:
    """What :meth:`FactBase.redact` did: the real ``entity`` id, the redaction ``event_id``
    (retract it to undo), the ``placeholder`` outputs show from now on, and the load
    ``result``."""

    entity: str
    event_id: str
    placeholder: str
    result: LoadResult


@dataclass
class _LoadRun:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pending: list[tuple[str, Reference]] = field(default_factory=list)
    new: int = 0
    present: int = 0
    expect_one: int | None = None  # an expected version given as one number
    one_stream: str | None = None  # ... and the stream it was checked against


class FactBase:
    """An open factbase database.

    Use :meth:`open` (a path or SQLAlchemy URL); close it with :meth:`close` or a ``with``
    block. Methods raise :class:`factbase.core.errors.FactbaseError` subclasses for expected
    failures (bad input, unknown ids, schema problems) and write nothing when they do.
    """

    def __init__(self, engine: Engine, url: str, *, check_hashes: bool = True) -> None:
        self.engine = engine
        self.url = url
        #: Whether reads hold every row they use to its hashes (:mod:`factbase.store.rows`).
        self.check_hashes = check_hashes
        if not check_hashes:
            engine.update_execution_options(**{CHECK_OPTION: False})
        #: Write transactions run again because the database was busy (see WRITE_ATTEMPTS).
        self.busy_retries = 0
        #: Called before each such retry with (attempt that failed, seconds to sleep, the
        #: database's message); the CLI prints a note on stderr.
        self.on_busy: Callable[[int, float, str], None] | None = None
        #: The SQLite file :meth:`open` created (``create=True``), until a load succeeds:
        #: a load that fails into it while the log is still empty removes it again.
        self.created: Path | None = None

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, db: str, *, create: bool = False, check_hashes: bool = True) -> FactBase:
        """Open ``db`` (a file path or a SQLAlchemy URL).

        ``create``: make a new SQLite file / empty schema when there is none (loads do; query
        commands don't, so a typo in ``--db`` is an error rather than a new empty database).
        A SQLite file made here is removed again if opening fails, or if the first
        :meth:`load` fails while the log is still empty (never one another process made or
        has written to meanwhile): a failed first load leaves no empty database behind.
        A database that is behind the code is upgraded here; one that is newer is refused
        (:class:`SchemaError`).

        ``check_hashes``: every query holds each log row it uses to its chain hash and its
        content hash, and stops with :class:`factbase.store.rows.CorruptEvent` naming the
        first row that does not match (the log was changed outside factbase). False skips
        that check (a few microseconds a row); malformed values are still named, not raised
        as tracebacks.

        Returns the open :class:`FactBase` (a context manager: ``with`` closes it). Raises
        :class:`SchemaError` for a database newer than this factbase, and
        :class:`factbase.core.errors.InputError` for a path or URL that cannot be opened.

        Example (``factbase init`` is ``open(db, create=True)`` and :meth:`restore`)::

            with FactBase.open("sqlite:///newsroom.db", create=True) as fb:
                fb.count()
        """
        url = database_url(db)
        path = sqlite_path(url)
        if path is not None and not path.exists():
            if not create:
                raise NotFound(f"no factbase database at {path}; load a timeline first "
                               "(factbase load FILE) or pass --db")
            if not path.parent.exists():
                raise NotFound(f"cannot create {path}: folder {path.parent} does not exist")
        created = path if create and path is not None and claim_new_file(path) else None
        # A query of a database in a folder it cannot write (SQLite's WAL files go beside it)
        # reads through a read-only connection; a write there fails with a message saying so.
        read_only = not create and path is not None and folder_read_only(path)
        fb = cls(make_engine(url, read_only=read_only), url, check_hashes=check_hashes)
        fb.created = created
        try:
            fb._retry(lambda: fb._prepare(create))
        except BaseException:
            fb._discard_if_new()
            fb.close()
            raise
        return fb

    def _discard_if_new(self) -> None:
        """Remove the SQLite file :meth:`open` created, if the log in it is still empty."""
        path, self.created = self.created, None
        if path is None:
            return
        try:
            empty = self.count() == 0
        except Exception:  # noqa: BLE001 - an unreadable file we made is not ours to keep
            empty = True
        if empty:
            self.close()
            remove_sqlite_files(path)

    def _prepare(self, create: bool) -> None:
        with self.engine.connect() as conn:
            state = schema_state(conn)
        if state == "current":
            return
        if state == "empty" and not create:
            raise SchemaError("the database has no factbase schema yet; run `factbase init` "
                              "or load a timeline")
        with self._write() as conn:
            state = schema_state(conn)
            if state != "current":
                upgrade_to_head(conn)
            if state == "behind":  # projection tables a migration added start empty
                from factbase.store import projections

                projections.rebuild(conn)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def __enter__(self) -> FactBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, holding the append lock from its start (SQLite: BEGIN
        IMMEDIATE; PostgreSQL: the advisory lock), so writers run one at a time and checks
        made inside see what the write will follow; rolled back on any exception."""
        with (self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn,
              conn.begin()):
            log.lock_for_append(conn)
            yield conn

    def _retry(self, work: Callable[[], T]) -> T:
        """Run ``work`` (which opens its own write transaction) again from the start while
        the database refuses it as busy, up to :data:`WRITE_ATTEMPTS` attempts with jittered
        exponential backoff; then raise :class:`DatabaseBusy`. Nothing is written by a failed
        attempt: its transaction was rolled back."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return work()
            except OperationalError as exc:
                if not _busy(exc):
                    raise
                message = str(exc.orig)
                if attempt == WRITE_ATTEMPTS:
                    raise DatabaseBusy(
                        f"the database stayed busy with other writers ({message}) through "
                        f"{WRITE_ATTEMPTS} attempts; nothing was written; try again later"
                    ) from None
            delay = random.uniform(0, min(RETRY_CAP_S, RETRY_BASE_S * 2 ** (attempt - 1)))
            self.busy_retries += 1
            if self.on_busy is not None:
                self.on_busy(attempt, delay, message)
            time.sleep(delay)
        raise AssertionError("unreachable")  # the last attempt returns or raises

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # --- writing ------------------------------------------------------------------------

    def load(self, inputs: Sequence[str],
             progress: Callable[[int, str, int | None], None] | None = None, *,
             expected_version: ExpectedVersion | None = None,
             fmt: str | None = None) -> LoadResult:
        """Validate and append every record of ``inputs`` (paths, or ``-`` for stdin) in one
        transaction.

        Records are validated and appended in batches inside the transaction, so memory stays
        bounded on large files; every problem in every file is collected, and if there is any
        the transaction is rolled back and :class:`InvalidRecord` lists them (each naming the
        file, the record and the field): nothing is written. Events already in the log (same
        id, same content) are counted in ``present`` and skipped, so loading a file twice adds
        nothing. ``progress(records_done, file, length_hint)`` is called as records are read.
        Raises :class:`factbase.core.errors.InputError` for unreadable or malformed files.

        ``expected_version`` (optimistic concurrency; versions count a stream's events, see
        :meth:`stream_version`): a mapping stream -> version is checked for every stream named,
        whether or not the load touches it; one number requires the load's new events to be
        of one stream (else :class:`InputError`) and is checked against that stream (a load
        with nothing new writes nothing and checks nothing then). The check
        runs inside the write transaction after the append lock is taken and before anything
        is appended; a mismatch raises :class:`factbase.core.errors.ConflictError` and writes
        nothing, and so does a named stream with no events in the log nor from this load
        (:class:`factbase.core.errors.UnknownStream`: a misspelled id is at version 0). A write the
        database keeps refusing as busy (other writers) is retried whole
        (:data:`WRITE_ATTEMPTS`), then raises :class:`factbase.core.errors.DatabaseBusy`.

        ``fmt`` (``yaml``, ``json``, ``jsonl`` or ``csv``) reads every input in that format;
        None tells each one's format from its name and content.

        Returns a :class:`LoadResult` (``new``, ``present``, ``total`` events; ``collisions``:
        names now shared by two entities).

        Example::

            result = fb.load(["seeds/xai.yaml"])
            print(result.new, result.present, result.total)
        """
        if not inputs:
            raise FactbaseError("nothing to load: give one or more files, or - for stdin")
        from factbase.io.loader import needs_spool, read_input, spool

        # Standard input and pipes (a FIFO, `<(command)`) are read once, before the write lock
        # is taken, into a temporary file (bounded memory), so a retried transaction reads the
        # same records and a slow pipe never holds the lock.
        spooled: dict[str, BinaryIO] = {}

        def sources() -> Iterator[tuple[str, Iterator[RawRecord], int | None]]:
            for name in inputs:
                _fmt, records, hint = read_input(name, spooled.get(name), fmt=fmt)
                yield name, records, hint

        try:
            for name in dict.fromkeys(inputs):
                if needs_spool(name):
                    spooled[name] = spool(name)
            result = self._retry(
                lambda: self._append_records(sources(), progress, expected_version))
        except BaseException:
            self._discard_if_new()
            raise
        finally:
            for f in spooled.values():
                f.close()
        self.created = None
        return result

    def add(self, records: Sequence[dict[str, Any]], origin: str = "<command line>", *,
            expected_version: ExpectedVersion | None = None) -> LoadResult:
        """Validate and append ``records`` (event records as mappings, the file format's) in
        one transaction, exactly as :meth:`load` does for a file (``expected_version`` too);
        errors name ``origin``.

        Returns the :class:`LoadResult`; raises as :meth:`load` does.

        Example (``factbase add person.left …`` builds the record and calls this)::

            fb.add([{"type": "person.left", "date": "2026-02-10", "person": "jimmy-ba",
                     "org": "xai", "reason": "resigned", "sources": ["ba-post"]}])
        """
        from factbase.io.loader import RawRecord

        raws = [RawRecord(origin, f"record {i + 1}" if len(records) > 1 else "", r)
                for i, r in enumerate(records)]
        return self._retry(lambda: self._append_records(
            iter([(origin, iter(raws), None)]), None, expected_version))

    def correct(self, event_id: str, changes: Mapping[str, Any], *, why: str,
                sources: Sequence[str], evidence: str | None = None,
                expected_version: int | None = None) -> LoadResult:
        """Correct event ``event_id`` by appending an ``event.corrected`` (the original stays
        in the log): ``changes`` maps fields to their corrected values (``date`` is valid time
        in any factbase date form; None removes an optional field), ``why`` says what was
        wrong, ``sources`` are registered source ids, ``evidence`` (``confirmed``,
        ``reported`` or ``unconfirmed``) how the correction is known. Replay uses the
        corrected fields for any ``known_at`` from now on. ``expected_version``: the version
        the target's stream must still be at (:meth:`load`). Returns the
        :class:`LoadResult` (``new`` is 0 when this very correction is already in the log).

        Raises :class:`InputError` for no changes, :class:`InvalidRecord` for an unknown
        target or source, a field the target's type does not have, or an empty ``why``, and
        :class:`factbase.core.errors.ConflictError` for a stream that moved on: nothing is written.

        Example::

            fb.correct("tony-wu-left", {"date": "2026-02-10"}, why="dated in Asia",
                       sources=["ht-post"])
        """
        if not changes:
            raise InputError(f"nothing to correct in {event_id}: give the corrected date "
                             "and/or fields")
        record: dict[str, Any] = {"type": "event.corrected", "target": event_id,
                                  "changes": dict(changes), "why": why,
                                  "sources": list(sources)}
        if evidence:
            record["evidence"] = evidence
        return self.add([record], origin=f"correct {event_id}",
                        expected_version=expected_version)

    def retract(self, event_id: str, *, why: str, sources: Sequence[str],
                expected_version: int | None = None) -> LoadResult:
        """Retract event ``event_id`` by appending an ``event.retracted`` (the original stays
        in the log): replay ignores it for any ``known_at`` from now on; ``why`` says why it
        should never have been recorded, ``sources`` are registered source ids. Retracting a
        redaction undoes it. ``expected_version`` as for :meth:`correct`. Returns the
        :class:`LoadResult` (``new`` is 0 when this very retraction is already in the log).
        Raises :class:`InvalidRecord` (unknown target or source, empty ``why``) or
        :class:`factbase.core.errors.ConflictError`, writing nothing.

        Example::

            fb.retract("metric-x-installs", why="not in the recording",
                       sources=["huxiu-4835050"])
        """
        return self.add([{"type": "event.retracted", "target": event_id, "why": why,
                          "sources": list(sources)}], origin=f"retract {event_id}",
                        expected_version=expected_version)

    def redact(self, person: str, *, why: str, sources: Sequence[str]) -> RedactResult:
        """Hide ``person`` (an id, or a name or alias as a look-up finds it) in every output
        by appending an ``entity.redacted`` event citing ``sources``, in one transaction; the
        log keeps its rows (redact hides, it does not erase; :mod:`factbase.store.redact`).
        Returns a :class:`RedactResult`: the real ``entity`` id, the
        redaction ``event_id`` (retract it to undo, :meth:`retract`) and the ``placeholder``
        outputs show from now on.

        Raises :class:`NotFound` for a name no entity has, :class:`FactbaseError` when it
        names something other than a person or a person already redacted, and
        :class:`InvalidRecord` for an empty ``why`` or an unknown source — writing nothing.

        Example::

            done = fb.redact("jimmy-ba", why="asked to be removed",
                             sources=["request-2026-03-01"])
            done.placeholder  # 'redacted-…'
        """
        with self._read() as conn:
            hidden = redact.already(redact.load(conn), person)
        if hidden is not None:
            raise FactbaseError(f"'{person}' is already redacted (by event {hidden.event_id}; "
                                f"shown as {hidden.placeholder}); nothing to do — `factbase "
                                f"retract {hidden.event_id}` undoes it")
        entity_id = self.resolve(person)
        info = self.entities([entity_id]).get(entity_id)
        if info is not None and info.kind != "person":
            raise FactbaseError(f"'{person}' is {_a(info.kind)}; only people can be redacted")
        # A fresh id each time: a redaction undone and asked for again with the same words
        # is a new event (a derived id would find the retracted one already in the log).
        event_id = redact.new_redaction_id()
        result = self.add([{"id": event_id, "type": "entity.redacted", "entity": entity_id,
                            "why": why, "sources": list(sources)}], origin=f"redact {person}")
        return RedactResult(entity_id, event_id, redact.placeholder_for(event_id),
                                   result)

    def redactions(self) -> list[Standing]:
        """The redactions standing now, in log order, as ``redact --list`` shows them: each a
        :class:`factbase.store.redact.Standing` (the redaction's id as outputs show it, the
        ``placeholder``, when it was ``recorded`` as ``YYYY-MM-DD HH:MM UTC``, and ``why``
        with redacted names replaced) — never the person's name or real id. Writes nothing.

        Example::

            [r.placeholder for r in fb.redactions()]
        """
        with self._read() as conn:
            return redact.standing(conn)

    def check(self, records: Sequence[dict[str, Any]], origin: str = "<command line>"
              ) -> list[tuple[EventDraft, bool]]:
        """Validate ``records`` as :meth:`add` would, writing nothing: each record's fields,
        and its references against the log and the other records. Returns each validated
        event with whether it is already in the log (same id, same content). Raises
        :class:`InvalidRecord` listing every problem, worded as :meth:`add` words them
        (errors name ``origin``); amendments (corrections, retractions, added accounts) are
        checked by :meth:`add` only."""
        from factbase.core.fields import validate_record

        where = [f"{origin} record {i + 1}" if len(records) > 1 else origin
                 for i in range(len(records))]
        drafts: list[tuple[str, EventDraft]] = []
        problems: list[str] = []
        for at, record in zip(where, records, strict=True):
            try:
                drafts.append((at, validate_record(record)))
            except RecordProblems as exc:
                problems += [f"{at}: {p + ': ' if p else ''}{m}" for p, m in exc.problems]
        out: list[tuple[EventDraft, bool]] = []
        with self._read() as conn:
            stored = log.existing(conn, [d.event_id for _, d in drafts])
            for at, d in drafts:
                if d.event_id in stored and stored[d.event_id] != d.content_hash:
                    problems.append(f"{at}: {_conflict(d)}")
                out.append((d, stored.get(d.event_id) == d.content_hash))
            problems += self._kind_clashes(conn, drafts)
            defined = {(kind, eid) for _, d in drafts for kind, eid, _ in d.defines}
            new_sources = {d.payload["source"] for _, d in drafts
                           if d.type == "source.registered"}
            refs = [(at, r) for at, d in drafts for r in d.references
                    if not (r.id in new_sources if r.kind == "source" else
                            any((k, r.id) in defined for k in _KIND_OK[r.kind]))]
            missing = self._missing_refs(conn, refs)
            if missing:
                from factbase.store import lookup

                all_entities = lookup.kinds(conn)
                all_sources = lookup.source_ids(conn)
                problems += [f"{at}: {ref.path}: {_unknown(ref, all_entities, all_sources)}"
                             for at, ref in missing]
        if problems:
            raise InvalidRecord(problems)
        return out

    def import_wikidata(self, paths: Sequence[str], *, dry_run: bool = False
                        ) -> wikidata.ImportResult:
        """Import Wikidata entity documents (:mod:`factbase.io.wikidata`): read ``paths``, plan
        the records against what the database holds
        (:func:`factbase.store.wikidata.known_state`; so a document imported again adds
        nothing, and a changed statement becomes a correction), and append them in one
        transaction as :meth:`add` does. ``dry_run``: plan and check them, write nothing.
        Returns the :class:`factbase.io.wikidata.ImportResult` (``plan``: the records and a
        report per document; ``loaded``: the :class:`LoadResult`, None for a dry run;
        ``documents``). Raises :class:`InputError` for an unreadable file;
        :class:`InvalidRecord` as :meth:`add` does.

        Example::

            result = fb.import_wikidata(["Q2283.json"])
            result.loaded.new if result.loaded else 0
        """
        from factbase.io import wikidata
        from factbase.store.wikidata import known_state

        if not paths:
            raise FactbaseError("nothing to import: give one or more Wikidata JSON files")
        docs = [d for p in paths for d in wikidata.read_file(p)]
        with self._read() as conn:
            known = known_state(conn, docs)
        plan = wikidata.plan(docs, known)
        if dry_run:
            plain = [r for r in plan.records if r["type"] not in AMEND_TYPES]
            if plain:
                self.check(plain, origin="wikidata")
            return wikidata.ImportResult(plan, None, len(docs))
        loaded = self.add(plan.records, origin="wikidata") if plan.records else None
        return wikidata.ImportResult(plan, loaded, len(docs))

    def stream_version(self, stream: str) -> int:
        """The version of ``stream`` (an exact stream id: normally an organisation's id): the
        number of events the log holds in it, 0 when it holds none — the count the
        ``expected_version`` of :meth:`load` and :meth:`add` is compared with. Writes nothing.

        Counting events follows the event stores that version streams: the Elixir EventStore
        (the expected version is "the number of events already persisted to the stream", 0
        for a new one), the ``eventsourcing`` library (an aggregate's version counts its
        events, the first event is version 1), EventStoreDB (its zero-based stream revision of
        the last event is this version minus one).
        """
        with self._read() as conn:
            return log.stream_version(conn, stream)

    def stream(self, stream: str) -> StreamStatus:
        """The version of ``stream`` as outputs show it: a redacted person's stream answers by
        its placeholder id only (their real id has no events, like an unknown id). A stream
        with no events comes with a ``suggestion``: a close stream id of the log, or None.

        Returns a :class:`StreamStatus` (``stream``, ``version``, ``suggestion``); writes
        nothing.

        Example::

            fb.stream("xai").version
        """
        with self._read() as conn:
            red = redact.current(conn)
            real = red.real.get(stream, None if stream in red.ids else stream)
            version = log.stream_version(conn, real) if real is not None else 0
            suggestion = None if version else log.close_stream(conn, stream, red.shown_stream)
        return StreamStatus(stream, version, suggestion)

    def _append_records(self, inputs: Iterator[tuple[str, Iterator[RawRecord], int | None]],
                        progress: Callable[[int, str, int | None], None] | None,
                        expected_version: ExpectedVersion | None = None) -> LoadResult:
        from factbase.core.fields import validate_record
        from factbase.store import lookup, projections

        run = _LoadRun()
        done = 0
        names: list[str] = []
        with self._write() as conn:
            if isinstance(expected_version, Mapping):  # the lock is held: check, then write
                log.check_versions(conn, expected_version)
            elif expected_version is not None:
                run.expect_one = expected_version
            for name, records, hint in inputs:
                names.append(name)
                batch: list[tuple[str, EventDraft]] = []
                seen_any = False
                for rec in records:
                    seen_any = True
                    done += 1
                    if progress is not None:
                        progress(done, name, hint)
                    try:
                        batch.append((rec.where, validate_record(rec.data)))
                    except RecordProblems as exc:
                        run.problems += [f"{rec.where}: {p + ': ' if p else ''}{m}"
                                         for p, m in exc.problems]
                    if len(batch) >= LOAD_BATCH:
                        self._flush(conn, batch, run)
                        batch = []
                if batch:
                    self._flush(conn, batch, run)
                if not seen_any:
                    run.problems.append(f"{name}: holds no records; nothing to load")
            self._check_pending(conn, run)
            if run.problems:
                conn.rollback()
                raise InvalidRecord(run.problems)
            if isinstance(expected_version, Mapping):
                _check_streams_exist(conn, expected_version)
            projections.settle(conn)  # the per-organisation projections, once per load
            bulk.analyze(conn, run.new)  # planner statistics after a large load (SQLite)
            total = log.count(conn)
            # seq runs without gaps, so total - new is the log's length before this load.
            clashes = lookup.collisions(conn, since_seq=total - run.new) if run.new else []
        return LoadResult(run.new, run.present, total, tuple(names), tuple(clashes),
                          tuple(run.warnings))

    def _flush(self, conn: Connection, batch: list[tuple[str, EventDraft]],
               run: _LoadRun) -> None:
        in_batch: dict[str, tuple[str, str]] = {}
        fresh: list[tuple[str, EventDraft]] = []
        stored = log.existing(conn, [d.event_id for _, d in batch])
        for where, draft in batch:
            first = in_batch.get(draft.event_id)
            known = first[0] if first else stored.get(draft.event_id)
            if known is None:
                in_batch[draft.event_id] = (draft.content_hash, where)
                fresh.append((where, draft))
            elif known == draft.content_hash:
                run.present += 1
            elif first is not None:
                run.problems.append(f"{where}: id '{draft.event_id}' appears twice in this "
                                    f"load with different content (first at {first[1]}); "
                                    "give each its own id")
            else:
                run.problems.append(f"{where}: {_conflict(draft)}")
        today = datetime.now(UTC).date()
        for where, draft in fresh:
            late = draft.date and far_future(draft.date, today)
            if late:
                run.warnings.append(f"{where}: {late}")
        run.problems += self._kind_clashes(conn, fresh)
        from factbase.store import amend_checks

        plain, problems = amend_checks.redactions(
            conn, [(w, d) for w, d in fresh if d.type not in AMEND_TYPES])
        run.problems += problems
        amendments = [(w, d) for w, d in fresh if d.type in AMEND_TYPES]
        self._append(conn, plain, run)
        # Amendments go after the events they may target (from this very batch), one round
        # at a time so a correction of a correction finds the correction it amends.
        while amendments:
            ready, waiting, problems = amend_checks.check(conn, amendments)
            if not ready:
                run.problems += problems
                break
            self._append(conn, ready, run)
            amendments = waiting

    def _append(self, conn: Connection, drafts: list[tuple[str, EventDraft]],
                run: _LoadRun) -> None:
        from factbase.store import projections

        if run.expect_one is not None and drafts:
            _check_one_stream(conn, drafts, run, run.expect_one)
        rows = list(log.append(conn, [d for _, d in drafts]))
        # The events as stored, from the drafts in hand (not decoded back from the rows).
        projections.on_append(conn, [log.stored_event(d, r) for (_, d), r in zip(drafts, rows,
                                                                            strict=True)],
                          hold=True)
        run.new += len(rows)
        refs = [(where, ref) for where, d in drafts for ref in d.references]
        run.pending += self._missing_refs(conn, refs)

    def _kind_clashes(self, conn: Connection,
                      fresh: list[tuple[str, EventDraft]]) -> list[str]:
        """Events that bring an entity into being under an id another kind already holds."""
        from factbase.store import lookup

        defined = [(where, kind, eid) for where, d in fresh for kind, eid, _ in d.defines]
        if not defined:
            return []
        kinds = lookup.kinds(conn, {eid for _, _, eid in defined})
        out = []
        for where, kind, eid in defined:
            have = kinds.setdefault(eid, kind)
            if have != kind:
                out.append(f"{where}: '{eid}' is already {_a(have)}; {_a(kind)} needs its "
                           "own id")
        return out

    def _missing_refs(self, conn: Connection,
                    refs: list[tuple[str, Reference]]) -> list[tuple[str, Reference]]:
        from factbase.store import lookup

        if not refs:
            return []
        ent_ids = sorted({r.id for _, r in refs if r.kind != "source"})
        src_ids = sorted({r.id for _, r in refs if r.kind == "source"})
        kinds = lookup.kinds(conn, ent_ids)
        shown = redact.current(conn)  # redacted people and sources: under opaque ids
        kinds.update(shown.kinds(ent_ids))
        known_src = set(lookup.source_ids(conn, src_ids))
        if shown:
            known_src |= shown.sources_known(conn, set(src_ids) - known_src)
        out = []
        for where, ref in refs:
            if ref.kind == "source":
                if ref.id not in known_src:
                    out.append((where, ref))
            elif kinds.get(ref.id) not in _KIND_OK[ref.kind]:
                out.append((where, ref))
        return out

    def _check_pending(self, conn: Connection, run: _LoadRun) -> None:
        from factbase.store import lookup

        still = self._missing_refs(conn, run.pending)
        if not still:
            return
        all_entities = lookup.kinds(conn)
        all_sources = lookup.source_ids(conn)
        for where, ref in still:
            run.problems.append(f"{where}: {ref.path}: {_unknown(ref, all_entities, all_sources)}")

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        """Number of events in the log."""
        with self._read() as conn:
            return log.count(conn)

    def resolve(self, name: str, kinds: Sequence[str] | None = None,
                known_at: datetime | None = None) -> str:
        """The entity id for ``name``: an id, or any name or alias, matched on the look-up
        keys of :func:`factbase.core.names.name_keys` (Unicode, case, traditional/simplified
        Chinese, word order, pinyin; :mod:`factbase.store.lookup`). ``kinds``: only these kinds.
        Entities declared one by ``entity.merged`` (as known at ``known_at``) count as one:
        the id they were merged into is returned.
        Raises :class:`NotFound` when nothing matches (suggesting up to three close names),
        or when the name is ambiguous (two entities share it; they are listed)."""
        with self._read() as conn:
            identity = identities(reads.identity_events(conn, known_at))
            found = self._entity_id(conn, name, kinds, identity)
        return identity.get(found, found)

    def _entity_id(self, conn: Connection, name: str, kinds: Sequence[str] | None,
                 identity: dict[str, str]) -> str:
        kind = reads.entity_kind(conn, name)
        if kind is not None and (kinds is None or kind in kinds):
            return name
        from factbase.store import lookup  # names folded only when the name is not an id

        hits = lookup.matches(conn, name, kinds)
        if len({identity.get(h.id, h.id) for h in hits}) == 1:
            return hits[0].id
        what = " or ".join(kinds) if kinds else "entity"
        if len(hits) > 1:
            listed = ", ".join(f"{h.id} ({h.name})" for h in hits)
            raise NotFound(f"'{name}' names more than one {what}: {listed}; use an id")
        close = [(c.id, c.name) for c in lookup.suggest(conn, name, kinds)]
        where = ""
        if kinds == ["organization"]:  # always point somewhere (factbase.store.listing)
            from factbase.store import listing

            close = close or listing.nearest(conn, name)
            where = listing.where_to_look(name)
        hint = ("; did you mean " + ", ".join(f"'{n}' ({i})" for i, n in close)
                + "?") if close else ""
        raise NotFound(f"no {what} named '{name}'{hint}{where}")

    def ls(self, kinds: Sequence[str] | None = None, *, org: str | None = None,
           name: str | None = None) -> listing.Listing:
        """What the database holds (:func:`factbase.store.listing.listing`): organisations, people,
        units, products and sources with their counts, as the projections stand now.
        ``kinds``: only these (``organization``, ``person``, ``unit``, ``product``,
        ``source``). ``org`` (an id or any name; :class:`NotFound` if none): its people,
        units, products and cited sources. ``name``: those whose names (folded as look-ups
        fold them) or id contain it. Writes nothing.

        Returns a :class:`factbase.core.results.Listing` (``items`` by kind, ``totals``),
        rendered by :mod:`factbase.render.listing`.

        Example::

            [i.id for i in fb.ls(["person"], org="xai").items["person"]]
        """
        from factbase.store import listing

        with self._read() as conn:
            identity = identities(reads.identity_events(conn, None))
            org_id = None
            if org is not None:
                org_id = self._entity_id(conn, org, ["organization"], identity)
                org_id = identity.get(org_id, org_id)
            return listing.listing(conn, kinds=list(kinds) if kinds else None, org=org_id,
                                   name=name, merged=identity)

    def entities(self, ids: Sequence[str]) -> dict[str, lookup.Entity]:
        """Entities by id (kind, display name, note, and every name and alias, the display
        name first); unknown ids are left out. Reads the projections, as they stand now."""
        from factbase.store import lookup

        with self._read() as conn:
            return lookup.entity_info(conn, ids)

    def name_collisions(self, entity_ids: Sequence[str] | None = None
                        ) -> list[lookup.NameCollision]:
        """Pairs of different people (or organisations) that one look-up name finds: they
        stay two entities, and a look-up by that name is ambiguous. ``entity_ids``: only pairs
        involving one of them (None: every pair). A pair declared one by ``entity.merged`` is
        not listed. Writes nothing."""
        from factbase.store import lookup

        with self._read() as conn:
            return lookup.collisions(conn, entity_ids=entity_ids)

    def names(self, ids: Collection[str] | None = None) -> dict[str, str]:
        """Display names by entity id: of ``ids`` (those that are entities; others are left
        out), or of every entity when ``ids`` is None. Reads the projections."""
        from factbase.store import lookup

        with self._read() as conn:
            return lookup.display_names(conn, ids)

    def sources(self, ids: Collection[str] | None = None) -> dict[str, Source]:
        """Registered sources by id: of ``ids`` (those that are sources), or every one when
        ``ids`` is None. Reads the projections."""
        from factbase.store import lookup

        with self._read() as conn:
            rows = lookup.source_rows(conn, ids)
        return {r.source_id: Source(r.source_id, r.url, r.title, r.publisher,
                                    r.published_text, r.language) for r in rows}

    def published(self) -> dict[str, date]:
        """Source id -> first day of its publication date, for sources that state one."""
        from factbase.store import lookup

        with self._read() as conn:
            return lookup.published(conn)

    def identities(self, known_at: datetime | None = None) -> dict[str, str]:
        """Merged entity id -> the id it is one with, as the log stood at ``known_at``."""
        with self._read() as conn:
            return identities(reads.identity_events(conn, known_at))

    def effective_view(self, evs: list[Event], *, prefer: Prefer | None = None,
                 min_evidence: str | None = None,
                 identity: dict[str, str] | None = None) -> EffectiveView:
        """The effective view of ``evs`` (corrections, retractions, accounts applied; merged
        identities rewritten to one id)."""
        return effective_view(evs, prefer=prefer, min_evidence=min_evidence,
                       published=self.published() if prefer == "latest-source" else None,
                       identity=identity)

    def org(self, org: str, *, as_of: date, known_at: datetime | None = None,
            prefer: Prefer | None = None, min_evidence: str | None = None) -> OrgState:
        """The state of organisation ``org`` (id or name) at the end of day ``as_of``, as the
        log stood at ``known_at`` (None = now): corrections, retractions and accounts recorded
        by then apply (:mod:`factbase.core.amend`). ``prefer`` picks one claim where sources
        disagree (default: show the disagreement); ``min_evidence`` hides weaker facts.
        Raises :class:`NotFound` for an unknown org, or one not yet recorded at ``known_at``.

        Returns the replayed :class:`factbase.core.replay.OrgState` (units, members, departures,
        co-founders, metrics, the uncertain events and anomalies); writes nothing.
        :func:`factbase.core.documents.org_document` makes it the JSON-ready ``org`` document.

        Example::

            state = fb.org("xai", as_of=date(2026, 3, 1))
            sorted(state.members)
        """
        with self._read() as conn:  # one read transaction: one consistent view
            identity = identities(reads.identity_events(conn, known_at))
            org_id = self._entity_id(conn, org, ["organization"], identity)
            org_id = identity.get(org_id, org_id)
            streams = [org_id, *[a for a, b in identity.items() if b == org_id]]
            # Events not yet at as_of (and that nothing can move earlier) are left unread.
            evs = reads.org_events(conn, streams, as_of, known_at)
            if known_at is not None and not evs:
                first = reads.first_recorded(conn, org_id)
                if first is not None and first > known_at:
                    raise NotFound(f"'{org_id}' was not yet in the log at "
                                   f"{known_at.isoformat()} (first recorded "
                                   f"{first.isoformat()})")
            shown = redact.current(conn)
        effective = shown.redact_view(self.effective_view(
            evs, prefer=prefer, min_evidence=min_evidence, identity=identity))
        state = replay(org_id, effective.events, as_of, known_at)
        state.withdrawn = withdrawn(effective, as_of)
        return state

    def timeline(self, entity: str | None = None, *, start: date | None = None,
                 end: date | None = None, types: Sequence[str] | None = None,
                 known_at: datetime | None = None, prefer: Prefer | None = None,
                 min_evidence: str | None = None) -> list[Event]:
        """Dated events in the order replay applies them (:func:`factbase.core.replay.valid_order`),
        with the corrections, retractions and accounts recorded by ``known_at`` applied.

        ``entity`` (id or name): events of its stream or naming it in their fields.
        ``start``/``end``: keep events whose (corrected) valid interval overlaps
        ``[start, end]`` (inclusive days). ``types``: exact types, or prefixes ending in ``.``
        or ``.*`` (``person.*``). ``known_at``: recorded-time cut (None = now).

        Returns the :class:`factbase.core.events.Event` list; writes nothing. Raises
        :class:`NotFound` for an unknown ``entity`` and :class:`InputError` for an unknown type.

        Example::

            [e.type for e in fb.timeline("tony-wu", types=["person.*"])]
        """
        return self.timeline_history(entity, start=start, end=end, types=types,
                                     known_at=known_at, prefer=prefer,
                                     min_evidence=min_evidence).events

    def timeline_history(self, entity: str | None = None, *, start: date | None = None,
                         end: date | None = None, types: Sequence[str] | None = None,
                         known_at: datetime | None = None, prefer: Prefer | None = None,
                         min_evidence: str | None = None,
                         with_retracted: bool = False) -> EffectiveView:
        """Like :meth:`timeline`, with each event's amendments: ``history`` maps event ids to
        the corrections, retractions and accounts recorded against them (by ``known_at``),
        ``retracted`` the events taken back, ``originals`` the events as first recorded.
        ``with_retracted``: ``events`` also holds the retracted events (as first recorded)
        that fall in ``[start, end]``, in the same order (what ``timeline --history`` lists).
        Raises :class:`InputError` for an unknown type (:func:`check_types`)."""
        check_types(types or [])
        exact = [t for t in types or [] if not t.endswith((".", ".*"))]
        prefixes = [t.rstrip("*") for t in types or [] if t.endswith((".", ".*"))]
        with self._read() as conn:  # one read transaction: one consistent view
            shown = redact.current(conn)
            identity = identities(reads.identity_events(conn, known_at))
            entity_id = None
            same: list[str] = []
            if entity:
                entity_id = self._entity_id(conn, entity, None, identity)
                entity_id = identity.get(entity_id, entity_id)
                entity_id = shown.real.get(entity_id, entity_id)  # a redacted placeholder
                entity_id = identity.get(entity_id, entity_id)
                same = [entity_id, *[a for a, b in identity.items() if b == entity_id]]
            evs = reads.dated_events(conn, known_at, exact=exact, prefixes=prefixes,
                                     naming=same if entity_id is not None else None)
            if entity_id is not None:
                evs = [e for e in evs
                       if e.stream in same or any(_mentions(e.payload, i) for i in same)]
            # An amendment is filed under its target's stream: those of the events found
            # are all that can amend them (not every amendment in the log).
            amendments = reads.amendments(
                conn, None if entity_id is None else {e.stream for e in evs}, known_at)
        result = shown.redact_view(self.effective_view(
            evs + amendments, prefer=prefer, min_evidence=min_evidence, identity=identity))
        shown_evs = [e for e in result.events
                     if e.date is not None and e.date.overlaps(start, end)]
        if with_retracted:
            shown_evs += [e for t, e in result.originals.items() if t in result.retracted
                          and e.date is not None and e.date.overlaps(start, end)]
        result.events = sorted(shown_evs, key=valid_order)  # as replay applies them
        return result

    def dated(self, text: str | date) -> PartialDate:
        """Parse a date as the loader would (convenience for callers)."""
        from factbase.core.dates import parse_date

        return parse_date(text)

    def diff(self, org: str, d1: date, d2: date, *,
             known_at: datetime | None = None, prefer: Prefer | None = None,
             min_evidence: str | None = None) -> dict[str, Any]:
        """What changed in organisation ``org`` (id or name) between the end of day ``d1`` and
        the end of day ``d2`` (valid time), both as the log stood at ``known_at`` (recorded
        time; None = now): the JSON-ready document of :func:`factbase.core.diff.diff_documents`
        (joins, departures, roles, units, figures, each with its date and sources). Writes
        nothing. Raises :class:`factbase.core.errors.InputError` when ``d1`` is after ``d2``, and
        :class:`NotFound` for an unknown org or one not yet recorded at ``known_at``.

        Example::

            doc = fb.diff("xai", date(2026, 1, 1), date(2026, 3, 1))
            [d["id"] for d in doc["departed"]]
        """
        from factbase.core.diff import check_dates, diff_documents
        from factbase.core.documents import ids_in, org_document, timeline_document

        check_dates(d1, d2)
        policy: dict[str, Any] = {"known_at": known_at, "prefer": prefer,
                                  "min_evidence": min_evidence}
        state1 = self.org(org, as_of=d1, **policy)
        state2 = self.org(org, as_of=d2, **policy)
        evs = self.timeline(state1.org, start=d1, end=d2, **policy)
        ids = ids_in((state1, state2, evs))  # the names and sources the documents show
        names, srcs = self.names(ids), self.sources(ids)
        before = org_document(state1, names, srcs, known_at)
        after = org_document(state2, names, srcs, known_at)
        return diff_documents(before, after, timeline_document(evs, names, srcs))

    def report(self, org: str, *, as_of: date, since: date | None = None,
               known_at: datetime | None = None, prefer: Prefer | None = None,
               min_evidence: str | None = None) -> dict[str, Any]:
        """The as-of report on ``org`` at the end of valid-time day ``as_of``, with the changes
        since the end of ``since`` (default: 90 days earlier), as known at ``known_at``: the
        JSON-ready document of :func:`factbase.views.report.report_document` (headline figures, org
        chart, tenure, changes, disputed facts, figures, uncertain items, numbered sources).
        Writes nothing. Raises :class:`factbase.core.errors.InputError` when ``since`` is after
        ``as_of``, and :class:`NotFound` for an unknown org.

        Example::

            doc = fb.report("xai", as_of=date(2026, 3, 1), since=date(2026, 1, 1))
            html = factbase.render.render("report", "html", doc)
        """
        from factbase.core.diff import check_dates
        from factbase.views.report import default_since, report_document

        since = since or default_since(as_of)
        check_dates(since, as_of)
        # The head first, and every read cut at its recorded time: the report is then exactly
        # what the anchor and the command in ``recorded`` reproduce, whatever is appended
        # meanwhile.
        anchor = self.anchor(known_at)
        cut = anchor.recorded_at if known_at is None else known_at
        names, srcs = self.names(), self.sources()
        policy: dict[str, Any] = {"known_at": cut, "prefer": prefer,
                                  "min_evidence": min_evidence}
        state = self.org(org, as_of=as_of, **policy)
        changes = self.diff(state.org, since, as_of, **policy)
        evs = self.timeline(state.org, **policy)
        return report_document(state, changes=changes, events=evs, names=names, sources=srcs,
                               anchor=anchor, since=since, known_at=known_at, prefer=prefer,
                               min_evidence=min_evidence)

    def explorer(self, org: str, *, as_of: date, known_at: datetime | None = None,
                 prefer: Prefer | None = None, min_evidence: str | None = None
                 ) -> dict[str, Any]:
        """The document of ``report --format html --interactive`` (the explorer) for
        organisation ``org`` (id or name), as the log stood at recorded time ``known_at`` (None
        = now); the page opens on valid-time day ``as_of``. ``prefer`` and ``min_evidence`` as
        in :meth:`org`. The JSON-ready document of
        :func:`factbase.views.explorer.explorer_document`: every unit, membership, role,
        departure, figure and uncertain fact with the window of days it holds. Writes
        nothing. Raises :class:`NotFound` for an unknown organisation.

        Example::

            doc = fb.explorer("xai", as_of=date(2026, 3, 1))
            html = factbase.render.render("explorer", "html", doc)
        """
        from factbase.views.explorer import explorer_document

        anchor = self.anchor(known_at)
        cut = anchor.recorded_at if known_at is None else known_at
        policy: dict[str, Any] = {"known_at": cut, "prefer": prefer,
                                  "min_evidence": min_evidence}
        org_id = self.org(org, as_of=as_of, **policy).org
        evs = self.timeline(org_id, **policy)
        return explorer_document(org_id, evs, as_of=as_of, anchor=anchor, names=self.names(),
                                 sources=self.sources(), known_at=cut, prefer=prefer,
                                 min_evidence=min_evidence)

    def who(self, name: str, *, as_of: date, known_at: datetime | None = None
            ) -> dict[str, Any]:
        """The ``who`` document for ``name`` (an id or any name or alias of a person or
        organisation, in any script or word order) at the end of valid-time day ``as_of``, as
        the log stood at recorded time ``known_at`` (None = now): the JSON-ready document of
        :func:`factbase.views.who.who_document` (for a person, every organisation with joining and
        leaving, roles, statements and accounts, each with its sources). Writes nothing.
        Raises :class:`NotFound` for an unknown name (with suggestions) or one naming several
        entities (listing them).

        Example::

            doc = fb.who("吴宇怀", as_of=date(2026, 3, 1))
            [o["id"] for o in doc["organisations"]]
        """
        from factbase.views.who import KINDS, Reads, who_document

        entity_id = self.resolve(name, KINDS)
        ent = self.entities([entity_id])[entity_id]
        reads = Reads(
            org=lambda org, day: self.org(org, as_of=day, known_at=known_at),
            timeline=lambda entity: self.timeline(entity, known_at=known_at),
            kinds=lambda ids: {i: e.kind for i, e in self.entities(ids).items()})
        return who_document(ent, reads, as_of=as_of, names=self.names(),
                            sources=self.sources(), known_at=known_at)

    def export(self, fmt: str, out: TextIO, *, table: str = "events",
               known_at: datetime | None = None, include_redacted: bool = False,
               org: str | None = None, person: str | None = None,
               start: date | None = None, end: date | None = None) -> int:
        """Write the export ``fmt`` (``jsonl``, ``yaml``, ``csv`` or ``timelinejs``; for
        ``csv``, ``table`` is ``events`` or ``memberships``) of the log as it stood at
        recorded time ``known_at`` (None = now) to ``out``, a text stream opened with
        ``newline=""`` (:func:`factbase.io.files.write_to` makes one for a file, written whole or
        not at all); returns the number of records or rows written (the writers of
        :mod:`factbase.views.export`, fed by the reads of :mod:`factbase.store.exports`).
        Writes nothing to the database. Raises :class:`ValueError` for an unknown ``fmt`` or
        ``table``.

        ``jsonl`` and ``yaml`` are the log as it is (they load back with the same ids and
        hashes), so with people redacted they raise :class:`FactbaseError` unless
        ``include_redacted`` is set (see :meth:`redacted_count`); ``csv`` and ``timelinejs``
        hide redacted people as every output does. ``org``, ``person`` (ids or names) and
        ``start``/``end`` (valid-time days, inclusive) choose the events of a ``timelinejs``
        export (:func:`factbase.views.timelinejs.timelinejs_document`); :class:`NotFound` for
        an unknown one.

        Example::

            with open("backup.jsonl", "w", encoding="utf-8", newline="") as f:
                fb.export("jsonl", f)
        """
        from factbase.store import exports
        from factbase.views import export as view

        if fmt in ("jsonl", "yaml") and not include_redacted:
            hidden = self.redacted_count()
            if hidden:
                raise FactbaseError(view.redacted_refusal(fmt, hidden))
        if fmt == "timelinejs":
            from factbase.views.timelinejs import timelinejs_document, write_timelinejs

            evs = self.timeline(org, start=start, end=end, known_at=known_at)
            org_id = self.resolve(org, known_at=known_at) if org else None
            person_id = self.resolve(person, known_at=known_at) if person else None
            if person:
                naming = {e.event_id for e in self.timeline(person, start=start, end=end,
                                                            known_at=known_at)}
                evs = [e for e in evs if e.event_id in naming]
            names, srcs = self.names(), self.sources()
            return write_timelinejs(timelinejs_document(
                evs, anchor=self.anchor(known_at), names=names, sources=srcs, org=org_id,
                person=person_id, start=start, end=end), out)
        if fmt == "csv" and table == "memberships":
            return view.write_memberships_csv(self.memberships(known_at), out)
        if fmt not in ("jsonl", "yaml") and not (fmt == "csv" and table == "events"):
            raise ValueError(f"unknown export {fmt!r} (table {table!r})")
        with self._read() as conn:
            upto = exports.head(conn, known_at)
            if fmt == "jsonl":
                return view.write_jsonl(exports.rows(conn, upto), out)
            if fmt == "yaml":
                return view.write_yaml(lambda types: exports.rows(conn, upto, types), upto,
                                       out)
            return view.write_events_csv(exports.shown_batches(conn, upto),
                                         lambda ids: exports.names_for(conn, ids), out)

    def memberships(self, known_at: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Intervals of membership and of roles in every organisation, as the log stood at
        recorded time ``known_at`` (None = now): the rows of ``export --format csv --table
        memberships`` (:func:`factbase.views.export.membership_rows`: ``person``,
        ``person_name``, ``org``, ``unit``, ``unit_name``, ``role``, ``from``, ``to``,
        ``reason``), the spans the ``memberships`` and ``roles`` projection tables hold.
        Reads only.

        Example::

            [r for r in fb.memberships() if r["person"] == "wu-yuhuai"]
        """
        from factbase.store import exports
        from factbase.views.export import membership_rows

        identity = self.identities(known_at)
        names = self.names()
        with self._read() as conn:
            orgs = exports.organisations(conn)
        return membership_rows(orgs, self.timeline(known_at=known_at), identity, names)

    def redacted_count(self) -> int:
        """How many people standing redactions hide (0 for none). Writes nothing."""
        with self._read() as conn:
            return len(redact.load(conn).redactions)

    # --- integrity ----------------------------------------------------------------------

    def anchor(self, known_at: datetime | None = None) -> log.Anchor:
        """The head of the log as it stood at recorded time ``known_at`` (None = now):
        ``seq``, ``hash`` and ``recorded_at`` of the last event recorded by then. A published
        output cites it: ``--known-at {recorded_at}`` reproduces the output and ``verify
        --check-anchor SEQ:HASH`` checks the log still holds that history. Reads only."""
        with self._read() as conn:
            return log.head_at(conn, known_at)

    def verify(self, anchor: tuple[int, str] | None = None, *,
               projections: bool = False) -> VerifyReport:
        """Check the hash chain (every row, streaming) and every row's content hash; with
        ``anchor`` (``(seq, hash)`` printed earlier by ``verify --anchor``), also that the log
        still holds that exact history up to ``seq``. Then that the database still guards the
        log (the append-only triggers, :func:`factbase.store.integrity.guards`) and that the
        search index indexes its documents (:func:`factbase.store.integrity.search_index`).
        The projections get the cheap checks of
        :func:`factbase.store.projections.check_consistency`;
        with ``projections``, they are instead compared with a full rebuild from the log
        (:func:`factbase.store.projections.check`: much slower, about the cost of a ``rebuild``).

        Writes nothing (the rebuild goes to a scratch file). ``bad_seq`` is the first
        sequence number where the chain breaks; ``checked`` says what was found sound.

        Returns a :class:`VerifyReport` (``ok``, ``bad_seq``, ``problems``, ``checked``);
        raises nothing for a broken log (the report says what broke).

        Example::

            report = fb.verify(projections=True)
            report.ok, report.problems
        """
        from factbase.store import integrity, reader
        from factbase.store import projections as proj

        with self.engine.connect() as conn, \
                (proj.scratch_attached(conn) if projections else nullcontext()) as scratch, \
                conn.begin():
            chain = log.verify_chain(conn, anchor)
            problems = ([] if chain.ok else [str(chain.problem)] if chain.short or chain.content
                        else [f"hash chain broken at event {chain.bad_seq}: {chain.problem}"])
            guard_problems, guards_checked = integrity.guards(conn)
            index_problems, index_checked = integrity.search_index(conn)
            reader_problems, reader_checked = reader.problems(conn)
            problems += guard_problems + index_problems + reader_problems
            if chain.ok:
                problems += (proj.check(conn, scratch) if projections
                             else proj.check_consistency(conn))
            if projections:
                checked = "projections match a rebuild"
            elif redact.load(conn):  # check_consistency then compares the names only
                checked = "entity names consistent, other projections unchecked"
            else:
                checked = "registrations and names consistent, other projections unchecked"
        also = ("content hashes match", guards_checked, index_checked, reader_checked)
        return VerifyReport(chain.count, chain.head, problems, chain.bad_seq, checked,
                            tuple(a for a in also if a))

    def restore(self) -> list[str]:
        """Put back the database's guards that ``verify`` finds missing or changed: the
        append-only triggers, the search index (:func:`factbase.store.integrity.restore`);
        returns what was put back (``factbase init`` does this). The log is not touched.

        Example::

            fb.restore()  # [] when nothing was missing
        """
        from factbase.store import integrity

        def work() -> list[str]:
            with self._write() as conn:
                return integrity.restore(conn)

        return self._retry(work)

    def rebuild(self) -> int:
        """Rebuild every projection from the log in one transaction; returns events replayed.

        The log is first held to its hash chain and content hashes (as ``verify`` does; on
        SQLite a small part of the rebuild's cost) unless the database was opened with
        ``check_hashes=False``: projections are never rebuilt from a log changed outside
        factbase (:class:`factbase.core.errors.IntegrityError`, naming the first bad event).

        Example::

            fb.rebuild()  # the number of events replayed
        """
        from factbase.core.errors import IntegrityError
        from factbase.store import projections

        def work() -> int:
            with self._write() as conn:
                if self.check_hashes:
                    chain = log.verify_chain(conn)
                    if not chain.ok:
                        raise IntegrityError(
                            f"the log does not match its hashes at event {chain.bad_seq} "
                            f"({chain.problem}); projections are not rebuilt from a log "
                            "changed outside factbase; run factbase verify",
                            seq=chain.bad_seq)
                return projections.rebuild(conn)

        return self._retry(work)

    # --- SQL and search -----------------------------------------------------------------

    @staticmethod
    def template(split: bool = False) -> dict[str, str]:
        """The CSV template ``factbase template csv`` prints, as ``{file name: text}``:
        ``{"timeline.csv": …}`` (one sheet: sources, entities and events as rows, told apart by
        ``type``), or with ``split`` three files, ``sources.csv``, ``entities.csv`` and
        ``events.csv`` (:func:`factbase.io.csv_input.template_sheets`). Rows end in CRLF, as
        spreadsheets write them; each loads as it is. Needs no database.

        Example::

            Path("timeline.csv").write_text(FactBase.template()["timeline.csv"], newline="")
        """
        from factbase.io.csv_input import template_sheets

        return template_sheets(split=split)

    def sql(self, query: str, *, as_of: date | None = None, known_at: datetime | None = None,
            timeout: float | None = DEFAULT_SQL_TIMEOUT, limit: int | None = None
            ) -> QueryResult:
        """Run one SQL ``query`` read-only (the connection refuses writes:
        :class:`factbase.store.sqlquery.ReadOnlyQuery`), with ``:as_of`` bound to ``as_of`` (valid
        time, a day; default today, UTC) and ``:known_at`` to ``known_at`` (recorded time, an
        aware instant; default now), and return at most ``limit`` rows (``truncated``
        says whether more followed). Tables and views: ``docs/sql.md``. Raises
        :class:`factbase.store.sqlquery.QueryFailed` when the database rejects the query,
        :class:`factbase.store.sqlquery.QueryStopped` past ``timeout`` seconds (None: no limit).
        On PostgreSQL the query runs as the role ``factbase_reader``
        (:mod:`factbase.store.reader`); :class:`factbase.store.sqlquery.NotSetUp` when it is
        missing.

        Example::

            result = fb.sql("SELECT person FROM memberships WHERE org = 'xai'", limit=10)
            result.columns, result.rows
        """
        from factbase.store.sqlquery import run

        return run(self.url, query, as_of=as_of or datetime.now(UTC).date(), known_at=known_at,
                   timeout=timeout, limit=limit)

    def sql_stream(self, query: str, consume: Callable[[list[str], Iterator[tuple[Any, ...]]],
                                                       T], *,
                   as_of: date | None = None, known_at: datetime | None = None,
                   timeout: float | None = DEFAULT_SQL_TIMEOUT) -> T:
        """Run ``query`` as :meth:`sql` does and hand its column names and rows to
        ``consume`` while it runs (rows are fetched in batches as ``consume`` iterates:
        bounded memory); returns what ``consume`` returns."""
        from factbase.store.sqlquery import stream

        return stream(self.url, query, consume, as_of=as_of or datetime.now(UTC).date(),
                      known_at=known_at, timeout=timeout)

    def search(self, query: str, *, as_of: date | None = None, limit: int = 20) -> list[Hit]:
        """Full-text search over event texts, entity names and aliases, and source titles
        (:mod:`factbase.store.search`): ranked hits, each with its date and sources. ``as_of``
        (valid time) hides events that had not happened by then (None: no cut).

        Returns the :class:`factbase.core.results.Hit` list, best first, at most ``limit``;
        writes nothing.

        Example::

            [h.ref for h in fb.search("parted ways", as_of=date(2026, 2, 9))]
        """
        from factbase.store.search import search

        with self._read() as conn:
            return search(conn, query, as_of=as_of, limit=limit)


def check_types(types: Sequence[str]) -> None:
    """Check event ``types`` as :meth:`FactBase.timeline` takes them: exact types, or a
    family written ``person.`` or ``person.*``. Raises :class:`InputError` naming the first
    unknown one, with the closest known type and the list of types."""
    if not types:
        return
    from factbase.core.fields import EVENT_TYPES  # comes with the field models: only to check

    for t in types:
        family = t.rstrip("*").rstrip(".")
        if t in EVENT_TYPES or (t.endswith((".", ".*")) and any(
                k.startswith(family + ".") for k in EVENT_TYPES)):
            continue
        close = difflib.get_close_matches(t, list(EVENT_TYPES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise InputError(f"unknown event type '{t}'{hint}; types: " + ", ".join(EVENT_TYPES))


def parse_changes(assignments: Sequence[str]) -> dict[str, Any]:
    """``FIELD=VALUE`` texts (``correct --set``) as the ``changes`` of :meth:`FactBase.correct`:
    each value read as the loader reads a field (:func:`factbase.io.loader.read_scalar`: ``5000``
    is a number, ``null`` or nothing removes the field, dates stay text). Raises
    :class:`InputError` naming the assignment that is not ``FIELD=VALUE`` or whose value
    cannot be read."""
    import yaml

    from factbase.io.loader import read_scalar

    changes: dict[str, Any] = {}
    for item in assignments:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"'{item}' is not FIELD=VALUE")
        try:
            changes[name.strip()] = read_scalar(raw)
        except yaml.YAMLError as exc:  # `--set note=[`, a control character, deep nesting
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise InputError(f"'{item}': {problem}; quote the value") from None
    return changes


def _busy(exc: OperationalError) -> bool:
    """Whether the database refused the statement because other writers hold it: SQLite
    ``SQLITE_BUSY`` ("database is locked", also after the busy timeout, at a checkpoint or on
    a read-to-write upgrade); PostgreSQL serialization failure, deadlock or lock timeout."""
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == 5)  # SQLITE_BUSY and its extended codes
    if getattr(orig, "sqlstate", None) in ("40001", "40P01", "55P03"):
        return True
    return "database is locked" in str(orig)


def _check_one_stream(conn: Connection, drafts: list[tuple[str, EventDraft]], run: _LoadRun,
                      expected: int) -> None:
    """An expected version given as one number: checked against the stream of the load's
    first new event, before it is appended; every later new event must be of that stream."""
    if run.one_stream is None:
        run.one_stream = drafts[0][1].stream
        log.check_versions(conn, {run.one_stream: expected})
    for where, draft in drafts:
        if draft.stream != run.one_stream:
            raise InputError(f"{where}: an expected version given as one number applies to "
                             f"one stream, but this write appends to {run.one_stream} and "
                             f"{draft.stream}; give the version of each stream (STREAM=N)")


def _check_streams_exist(conn: Connection, expected: Mapping[str, int]) -> None:
    """Refuse, writing nothing, an expected stream that has no events even after the load
    (its expected version was 0, so the version check passed): most likely a misspelled id."""
    for stream in sorted(expected):
        if log.stream_version(conn, stream) == 0:
            suggestion = log.close_stream(conn, stream, redact.load(conn).shown_stream)
            conn.rollback()
            raise UnknownStream(stream, expected[stream], suggestion)


def _mentions(value: Any, entity_id: str) -> bool:
    if isinstance(value, str):
        return value == entity_id
    if isinstance(value, dict):
        return any(_mentions(v, entity_id) for k, v in value.items() if k not in ("note",))
    if isinstance(value, list):
        return any(_mentions(v, entity_id) for v in value)
    return False


def _conflict(draft: EventDraft) -> str:
    if draft.type == "entity.registered":
        ent = draft.payload["entity"]
        return (f"entity '{ent}' is already registered with different details; "
                "add names with an entity.aliased event instead of changing the entity")
    if draft.type == "source.registered":
        return (f"source '{draft.payload['source']}' is already registered with different "
                "details; register the changed source under a new id")
    return (f"event id '{draft.event_id}' is already in the log with different content; "
            "events are immutable: give this event a new id")


def _a(noun: str) -> str:
    return f"{'an' if noun in ('organization', 'entity') else 'a'} {noun}"


def _unknown(ref: Reference, all_entities: dict[str, str], all_sources: list[str]) -> str:
    if ref.kind == "source":
        close = difflib.get_close_matches(ref.id, all_sources, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown source '{ref.id}'{hint}; add it under sources:"
    actual = all_entities.get(ref.id)
    if actual is not None:
        return f"'{ref.id}' is {_a(actual)}, not {_a(ref.kind)}"
    pool = [i for i, k in all_entities.items() if k in _KIND_OK[ref.kind]]
    close = difflib.get_close_matches(ref.id, pool, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    where = ("create it with a unit.created event" if ref.kind == "unit"
             else "add it under entities:")
    return f"unknown {ref.kind} '{ref.id}'{hint}; {where}"
