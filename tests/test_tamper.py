"""Nothing forged is answered, no malformed row is a traceback, and `verify` sees the guards.

Every query holds the log rows it reads to their chain hash and content hash
(:mod:`factbase.store.rows`): a row changed outside factbase stops `org`, `timeline` and the
others with one line naming the event, and a malformed value names its column too, even with
the check turned off (`--no-check-hashes`). `verify` also checks the content hashes, that the
append-only triggers are in place and that the search index indexes its documents.

Tampering goes through :func:`tests.test_verify.tamper` (guards dropped, rows changed, guards
put back, as an outsider hiding their tracks would).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from factbase.api import FactBase
from factbase.cli import cli
from factbase.core.errors import IntegrityError
from factbase.store import chain
from factbase.store.engine import database_url
from factbase.store.guards import create_log_guards, drop_log_guards
from factbase.store.rows import COLUMNS, content_hash, row_hash
from tests.test_verify import raw, rows, tamper

CHANGED = "the log was changed outside factbase; run factbase verify"
#: One line naming the event, what is wrong with it, and what to do.
CORRUPT = re.compile(r"Error: event '[^']+' \(seq \d+\) (does not match its (content|chain) "
                     r"hash|has a malformed \w+ \(.+\)): " + re.escape(CHANGED) + "\n")
ORG = ["org", "xai", "--as-of", "2026-03-01", "--format", "json"]


@pytest.fixture
def db(seeded_template: Path | str, clone_db: Any) -> str:
    """A private copy of the seeded database (a SQLite path or a PostgreSQL URL)."""
    return str(clone_db(seeded_template))


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args])


def row_of(db: str, event_id: str) -> dict[str, Any]:
    (row,) = [r for r in rows(db) if r["event_id"] == event_id]
    return row


def set_column(db: str, event_id: str, column: str, value: Any) -> None:
    tamper(db, (f'UPDATE events SET "{column}" = :v WHERE event_id = :id',
                {"v": value, "id": event_id}))


def edited(value: Any, column: str) -> Any:
    """``value`` with one byte (a day, a microsecond, one more) changed, of the same type."""
    if value is None:
        return {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 1, 1),
                "instant": datetime(2026, 1, 1).astimezone()}.get(column, "x")
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, int):
        return value + 1000 if column == "seq" else value + 1
    return value[:-1] + ("x" if value[-1:] != "x" else "y")


# --- one changed byte, in any column of any row org reads ---------------------------------

#: Events `org xai --as-of 2026-03-01` reads: a departure, one with an exact instant, a figure.
READ_BY_ORG = ("tony-wu-left", "greg-yang-left", "metric-x-arr")
#: Columns that decide whether a query selects the row at all: a row changed there may drop
#: out of the read unseen (only `verify`, which walks the whole chain, finds it).
SELECTING = {"stream"}


@pytest.mark.parametrize("column", [*chain.HASHED_COLUMNS, "prev_hash", "hash"])
@pytest.mark.parametrize("event_id", READ_BY_ORG)
def test_a_changed_byte_in_a_row_org_reads_is_never_answered(db: str, event_id: str,
                                                             column: str) -> None:
    before = run(db, *ORG)
    assert before.exit_code == 0
    row = row_of(db, event_id)
    new = edited(row[column], column)
    set_column(db, event_id, column, new)
    after = run(db, *ORG)
    if column in SELECTING:
        assert after.exit_code == 0  # the row left the stream: see the test below
    else:
        assert (after.exit_code, after.stdout) == (1, ""), column
        assert CORRUPT.fullmatch(after.stderr), after.stderr
        name, seq = (new if column == "event_id" else event_id,
                     new if column == "seq" else row["seq"])
        assert after.stderr.startswith(f"Error: event '{name}' (seq {seq}) ")
    checked = run(db, "verify")
    assert (checked.exit_code, checked.stdout) == (1, "")


def test_a_row_moved_out_of_the_stream_is_found_by_verify_not_by_the_query(db: str) -> None:
    """A query checks the rows it reads; a row changed so that it is no longer selected (here
    moved to another stream) is not read, so only the chain walk of `verify` finds it."""
    seq = row_of(db, "tony-wu-left")["seq"]
    set_column(db, "tony-wu-left", "stream", "elsewhere")
    answer = json.loads(run(db, *ORG).stdout)
    assert "tony-wu" not in json.dumps(answer["cofounders"]["departed"])
    checked = run(db, "verify")
    assert checked.exit_code == 1
    assert checked.stderr == (f"Error: hash chain broken at event {seq}: event {seq} was "
                              "changed after it was recorded\n")


def test_timeline_and_diff_check_the_rows_they_read(db: str) -> None:
    seq = row_of(db, "tony-wu-left")["seq"]
    payload = row_of(db, "tony-wu-left")["payload"]
    set_column(db, "tony-wu-left", "payload", payload.replace("parted_ways", "resigned"))
    message = (f"Error: event 'tony-wu-left' (seq {seq}) does not match its content hash: "
               f"{CHANGED}\n")
    for args in (["timeline", "tony-wu"], ["diff", "xai", "2026-01-01", "2026-03-01"],
                 ["org", "xai", "--as-of", "2026-03-01"],
                 ["report", "xai", "--as-of", "2026-03-01"]):
        result = run(db, *args)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message), args


def test_every_export_checks_the_rows_it_copies(db: str, tmp_path: Path) -> None:
    """An export never copies a forged row (a backup that loads back with new hashes, a
    spreadsheet, a published timeline); ``--no-check-hashes`` copies it, explicitly."""
    seq = row_of(db, "tony-wu-left")["seq"]
    payload = row_of(db, "tony-wu-left")["payload"]
    set_column(db, "tony-wu-left", "payload", payload.replace("parted_ways", "resigned"))
    message = (f"Error: event 'tony-wu-left' (seq {seq}) does not match its content hash: "
               f"{CHANGED}\n")
    out = tmp_path / "backup.out"
    for fmt in (["jsonl"], ["yaml"], ["csv"], ["csv", "--table", "memberships"],
                ["timelinejs"]):
        result = run(db, "export", "--format", *fmt, "--out", str(out))
        assert (result.exit_code, result.stderr) == (1, message), fmt
        assert not out.exists()  # nothing written, not half a file
    unchecked = run(db, "--no-check-hashes", "export", "--format", "jsonl")
    assert unchecked.exit_code == 0
    assert '"reason": "resigned"' in unchecked.stdout


def test_no_check_hashes_answers_from_the_changed_row(db: str) -> None:
    """Skipping the check is explicit, and then the forged answer comes back."""
    payload = row_of(db, "tony-wu-left")["payload"]
    set_column(db, "tony-wu-left", "payload", payload.replace("parted_ways", "resigned"))
    assert run(db, *ORG).exit_code == 1
    unchecked = run(db, "--no-check-hashes", *ORG)
    assert unchecked.exit_code == 0
    assert '"resigned"' in unchecked.stdout
    with FactBase.open(db, check_hashes=False) as fb:
        assert fb.org("xai", as_of=date(2026, 3, 1)) is not None
    with FactBase.open(db) as fb, pytest.raises(IntegrityError) as exc:
        fb.org("xai", as_of=date(2026, 3, 1))
    assert "does not match its content hash" in str(exc.value)


def test_a_row_rewritten_with_its_chain_hash_recomputed_fails_its_content_hash(db: str
                                                                               ) -> None:
    row = row_of(db, "tony-wu-left")
    forged = dict(row, payload=row["payload"].replace("parted_ways", "resigned"))
    forged["hash"] = chain.row_hash(row["prev_hash"], _plain(forged))
    set_column(db, "tony-wu-left", "payload", forged["payload"])
    set_column(db, "tony-wu-left", "hash", forged["hash"])
    result = run(db, *ORG)
    assert result.stderr == (f"Error: event 'tony-wu-left' (seq {row['seq']}) does not match "
                             f"its content hash: {CHANGED}\n")
    checked = run(db, "verify")
    assert checked.exit_code == 1
    assert f"event {row['seq']} does not match its content hash, though its chain hash does" \
        in checked.stderr


def test_a_row_rewritten_with_both_hashes_recomputed_is_found_by_verify(db: str) -> None:
    """Per row, a forger who recomputes both hashes passes; the next row's link does not."""
    row = row_of(db, "tony-wu-left")
    forged = _plain(dict(row, payload=row["payload"].replace("parted_ways", "resigned")))
    forged["content_hash"] = content_hash(tuple(forged[c] for c in COLUMNS))
    forged["hash"] = chain.row_hash(row["prev_hash"], forged)
    tamper(db, ("UPDATE events SET payload = :p, content_hash = :c, hash = :h WHERE seq = :s",
                {"p": forged["payload"], "c": forged["content_hash"], "h": forged["hash"],
                 "s": row["seq"]}))
    assert run(db, *ORG).exit_code == 0  # the row alone cannot tell
    checked = run(db, "verify")
    assert checked.stderr == (f"Error: hash chain broken at event {row['seq'] + 1}: event "
                              f"{row['seq'] + 1} does not link to the event before it\n")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    from factbase.store.schema import format_utc

    return {k: format_utc(v) if isinstance(v, datetime) else
            v.isoformat() if isinstance(v, date) else v for k, v in row.items()}


def test_a_load_does_not_extend_a_chain_whose_head_was_changed(db: str, tmp_path: Path
                                                               ) -> None:
    last = rows(db)[-1]
    set_column(db, last["event_id"], "evidence", "reported" if last["evidence"] != "reported"
               else "confirmed")
    extra = tmp_path / "more.yaml"
    extra.write_text("entities:\n  - id: newco\n    kind: organization\n    name: NewCo\n",
                     encoding="utf-8")
    before = len(rows(db))
    result = run(db, "load", str(extra))
    assert result.exit_code == 1
    assert CORRUPT.fullmatch(result.stderr), result.stderr
    assert len(rows(db)) == before


# --- malformed values: one line naming the event and the column -----------------------------


def _malformed(db: str, column: str, value: Any, why: str) -> None:
    seq = row_of(db, "tony-wu-left")["seq"]
    set_column(db, "tony-wu-left", column, value)
    expected = (f"Error: event 'tony-wu-left' (seq {seq}) has a malformed {column} ({why}): "
                f"{CHANGED}\n")
    for flags in ((), ("--no-check-hashes",)):
        for args in (ORG, ["timeline", "--type", "person.left"]):
            result = CliRunner().invoke(cli, [*flags, "--db", db, *args])
            assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected), (
                flags, args)
    checked = run(db, "verify")
    assert (checked.exit_code, checked.stdout) == (1, "")
    assert checked.stderr == (f"Error: hash chain broken at event {seq}: event {seq} was "
                              f"changed after it was recorded (its {column} is malformed: "
                              f"{why})\n")


@pytest.mark.sqlite_only("PostgreSQL's date column cannot hold it")
def test_a_malformed_valid_from_is_named(db: str) -> None:
    _malformed(db, "valid_from", "2017-11-0x", "'2017-11-0x' is not a day YYYY-MM-DD")


@pytest.mark.sqlite_only("PostgreSQL's timestamp column cannot hold it")
def test_a_malformed_recorded_at_is_named(db: str) -> None:
    _malformed(db, "recorded_at", "2026-02-30T00:00:00.000000Z",
               "'2026-02-30T00:00:00.000000Z' is not an instant")


@pytest.mark.sqlite_only("PostgreSQL's text column cannot hold bytes")
def test_a_payload_stored_as_a_blob_is_named(db: str) -> None:
    _malformed(db, "payload", row_of(db, "tony-wu-left")["payload"].encode(),
               "binary data (a BLOB) where factbase writes JSON text")


def test_a_renamed_payload_key_is_named(db: str) -> None:
    payload = row_of(db, "tony-wu-left")["payload"]
    _malformed(db, "payload", payload.replace('"person":', '"persom":'),
               "person.left needs the field 'person', which is missing")


def test_sources_that_are_not_a_list_are_named(db: str) -> None:
    _malformed(db, "sources", '{"a": 1}', "not a JSON list of source ids")


def test_correcting_or_retracting_a_malformed_event_names_it(db: str) -> None:
    seq = row_of(db, "tony-wu-left")["seq"]
    payload = row_of(db, "tony-wu-left")["payload"]
    set_column(db, "tony-wu-left", "payload", payload.replace('"person":', '"persom":'))
    before = len(rows(db))
    expected = (f"Error: event 'tony-wu-left' (seq {seq}) has a malformed payload (person.left "
                f"needs the field 'person', which is missing): {CHANGED}\n")
    for args in (["correct", "tony-wu-left", "--date", "2026-02-10", "--why", "x", "--source",
                  "hindustantimes-tony-wu-2026-02-10"],
                 ["retract", "tony-wu-left", "--why", "x", "--source",
                  "hindustantimes-tony-wu-2026-02-10"]):
        result = run(db, *args)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected), args
    assert len(rows(db)) == before


def test_a_malformed_row_stops_rebuild_with_its_name(db: str) -> None:
    seq = row_of(db, "tony-wu-left")["seq"]
    payload = row_of(db, "tony-wu-left")["payload"]
    set_column(db, "tony-wu-left", "payload", payload.replace('"person":', '"persom":'))
    result = run(db, "rebuild")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: the log does not match its hashes at event {seq} (event {seq} was changed "
        "after it was recorded (its payload is malformed: person.left needs the field "
        "'person', which is missing)); projections are not rebuilt from a log changed "
        "outside factbase; run factbase verify\n")


# --- verify: the guards and the search index ---------------------------------------------


def _ddl(db: str, *statements: str) -> None:
    engine = raw(db)
    try:
        with engine.connect() as conn:
            for sql in statements:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def _verify_fails_with(db: str, message: str) -> None:
    result = run(db, "verify")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    as_json = json.loads(run(db, "verify", "--format", "json").stdout)
    assert as_json["ok"] is False and as_json["problems"] == [message]


def _restored(db: str, what: list[str]) -> None:
    init = run(db, "init")
    assert init.exit_code == 0
    assert [line for line in init.stderr.splitlines() if line.startswith("restored")] == [
        f"restored {w}" for w in what]
    assert run(db, "verify").exit_code == 0


GUARD_FIX = ("run `factbase init` to put them back, then `factbase verify` again (it shows "
             "whether the log was changed meanwhile)")


@pytest.mark.sqlite_only("SQLite's trigger names")
@pytest.mark.parametrize("trigger", ["events_no_update", "events_no_delete"])
def test_a_dropped_trigger_fails_verify(db: str, trigger: str) -> None:
    _ddl(db, f"DROP TRIGGER {trigger}")
    _verify_fails_with(db, f"the append-only guard {trigger} is missing from the database: "
                           f"UPDATE and DELETE on the log are no longer refused; {GUARD_FIX}")
    _restored(db, ["the append-only triggers"])


@pytest.mark.sqlite_only("SQLite's trigger names")
def test_a_trigger_replaced_by_one_that_does_nothing_fails_verify(db: str) -> None:
    _ddl(db, "DROP TRIGGER events_no_delete",
         "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT 1; END")
    _verify_fails_with(db, "the append-only guard events_no_delete was replaced by other SQL: "
                           f"UPDATE and DELETE on the log may no longer be refused; {GUARD_FIX}")
    _restored(db, ["the append-only triggers"])


def test_both_guards_dropped_fail_verify_and_init_restores_them(db: str, backend: str
                                                                ) -> None:
    engine = create_engine(database_url(db))
    try:
        with engine.begin() as conn:
            drop_log_guards(conn)
    finally:
        engine.dispose()
    names = ("events_no_update, events_no_delete" if backend == "sqlite"
             else "events_no_update_delete, events_no_truncate")
    what = "UPDATE and DELETE" if backend == "sqlite" else "UPDATE, DELETE and TRUNCATE"
    _verify_fails_with(db, f"the append-only guards {names} are missing from the database: "
                           f"{what} on the log are no longer refused; {GUARD_FIX}")
    _restored(db, ["the append-only triggers"])


@pytest.mark.postgresql_only("ALTER TABLE … DISABLE TRIGGER is PostgreSQL's")
def test_a_disabled_trigger_fails_verify(db: str) -> None:
    _ddl(db, "ALTER TABLE events DISABLE TRIGGER events_no_update_delete")
    _verify_fails_with(db, "the append-only guard events_no_update_delete is disabled (ALTER "
                           "TABLE events DISABLE TRIGGER): the log is no longer protected; "
                           + GUARD_FIX)
    _restored(db, ["the append-only triggers"])


@pytest.mark.postgresql_only("rules are PostgreSQL's")
def test_a_rule_on_the_log_fails_verify(db: str) -> None:
    _ddl(db, "CREATE RULE hide AS ON DELETE TO events DO INSTEAD NOTHING")
    _verify_fails_with(db, "rule hide rewrites commands on the log: drop it (DROP RULE … ON "
                           "events)")


FTS_FIX = "; run `factbase rebuild`"


@pytest.mark.sqlite_only("the FTS5 index is SQLite's")
@pytest.mark.parametrize(("sql", "found"), [
    ("INSERT INTO search_docs_fts(search_docs_fts) VALUES ('delete-all')",
     "90 documents not indexed"),
    ("DELETE FROM search_docs_fts_docsize WHERE id = 7", "1 document not indexed"),
    ("UPDATE search_docs SET folded = folded || 'x' WHERE id = 5", "1 indexed under another text"),
])
def test_a_search_index_out_of_step_fails_verify_until_rebuilt(db: str, sql: str,
                                                               found: str) -> None:
    _ddl(db, sql)
    _verify_fails_with(db, "the search index search_docs_fts does not match search_docs "
                           f"({found}){FTS_FIX}")
    assert run(db, "rebuild").exit_code == 0
    assert run(db, "verify").exit_code == 0


@pytest.mark.sqlite_only("the FTS5 index is SQLite's")
def test_a_search_index_whose_segments_were_deleted_fails_verify(db: str) -> None:
    _ddl(db, "DELETE FROM search_docs_fts_data WHERE id > 10")
    result = run(db, "verify")
    assert (result.exit_code, result.stdout) == (1, "")
    assert re.fullmatch(r"Error: the search index search_docs_fts (is damaged \(.+\)|does not "
                        r"find \d+ of the documents looked up in it); run `factbase "
                        r"rebuild`\n", result.stderr), result.stderr
    assert run(db, "rebuild").exit_code == 0
    assert run(db, "verify").exit_code == 0


@pytest.mark.sqlite_only("the FTS5 index is SQLite's")
def test_a_dropped_search_index_fails_verify_and_init_restores_it(db: str) -> None:
    _ddl(db, "DROP TABLE search_docs_fts")
    _verify_fails_with(db, "the search index search_docs_fts is missing from the database: "
                           "search reads every document instead; run `factbase init` to put "
                           "it back")
    _restored(db, ["the search index search_docs_fts"])
    assert "Tony Wu" in run(db, "search", "tony").stdout


@pytest.mark.postgresql_only("PostgreSQL's expression index")
def test_a_dropped_search_index_fails_verify_on_postgresql(db: str) -> None:
    _ddl(db, "DROP INDEX ix_search_docs_folded_tsv")
    _verify_fails_with(db, "the search index ix_search_docs_folded_tsv is missing from the "
                           "database: search reads every document instead; run `factbase "
                           "init` to put it back")
    _restored(db, ["the search indexes"])


def test_plain_verify_says_what_it_checked(db: str, backend: str) -> None:
    result = run(db, "verify", "--format", "json")
    index = (["search index matches its 90 documents"] if backend == "sqlite"
             else ["search indexes in place (PostgreSQL keeps them in step)",
                   "sql reader role limited to SELECT on 13 tables and views"])
    assert json.loads(result.stdout)["checked"] == [
        "hash chain intact", "content hashes match", "append-only triggers in place", *index,
        "registrations and names consistent, other projections unchecked"]


# --- the fast forms are the exact ones ----------------------------------------------------

_VALUE = st.none() | st.text(max_size=20) | st.integers(-10**6, 10**6)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({c: _VALUE for c in COLUMNS}), st.text(max_size=64))
def test_the_row_hash_of_a_tuple_is_the_chain_formula(values: dict[str, Any], prev: str
                                                      ) -> None:
    values["prev_hash"] = prev
    assert row_hash(tuple(values[c] for c in COLUMNS)) == chain.row_hash(prev, values)


def test_the_required_fields_are_the_models() -> None:
    from factbase.core.events import TYPES
    from factbase.core.fields import EVENT_TYPES

    def kind(annotation: Any) -> str:
        name = str(annotation)
        return ("list" if name.startswith("list") else "object" if "dict" in name
                or "Account" in name else "number" if "float" in name else "text")

    assert {
        t: tuple((n, kind(f.annotation)) for n, f in m.model_fields.items() if f.is_required())
        for t, m in EVENT_TYPES.items()} == {t: e.required for t, e in TYPES.items()}


def test_every_stored_row_of_the_seed_is_well_formed_and_matches_its_hashes(db: str) -> None:
    from factbase.store.rows import check, problem

    engine = raw(db)
    try:
        with engine.connect() as conn:
            from factbase.store.rows import select_rows

            found = [tuple(r) for r in conn.execute(select_rows())]
    finally:
        engine.dispose()
    assert len(found) == 79
    for r in found:
        assert problem(r) is None
        check(r)


def test_the_untampered_guards_can_be_dropped_and_put_back(db: str) -> None:
    engine = create_engine(database_url(db))
    try:
        with engine.begin() as conn:
            drop_log_guards(conn)
            create_log_guards(conn)
    finally:
        engine.dispose()
    assert run(db, "verify").exit_code == 0
    with pytest.raises(Exception):  # noqa: B017 - the driver's error, per backend
        engine = raw(db)
        try:
            with engine.connect() as conn:
                conn.execute(text("DELETE FROM events WHERE seq = 1"))
        finally:
            engine.dispose()
