"""`factbase search`: ranked hits over events, names and sources, in any script, as of a date;
the index is kept current by loads and rebuilt by `rebuild`."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner

from factbase.api import FactBase
from factbase.cli import cli
from factbase.store.search import _pg_query, terms


def db_of(fb: FactBase) -> str:
    return fb.url.removeprefix("sqlite:///")


def refs(fb: FactBase, query: str, **kw: object) -> list[str]:
    return [h.ref for h in fb.search(query, **kw)]  # type: ignore[arg-type]


def test_imagine_finds_the_product_the_unit_and_the_events(seeded: FactBase) -> None:
    hits = seeded.search("Imagine", limit=50)
    found = [h.ref for h in hits]
    # Names rank first: short, dense texts (in either order: bm25 and ts_rank weigh the
    # product's two-word name differently).
    assert set(found[:2]) == {"imagine", "xai-imagine"}
    assert {"xai-reorg-2026-02", "metric-imagine-age", "xai-all-hands-2026-02-10"} <= set(found)
    assert {h.ref: h.title for h in hits[:2]} == {"imagine": "Grok Imagine (product)",
                                                  "xai-imagine": "Imagine (unit)"}
    event = next(h for h in hits if h.ref == "xai-reorg-2026-02")
    assert event.date == "2026-02-10"
    assert event.title == "reorg.announced · xAI"
    assert [s["id"] for s in event.sources] == ["x-elonmusk-2021673886157607383",
                                                "techcrunch-2026-02-11-all-hands",
                                                "huxiu-4835050"]
    assert event.sources[1]["title"] == "xAI lays out interplanetary ambitions in public all-hands"
    assert "Imagine" in event.text


@pytest.mark.parametrize("query", ["吴宇怀", "吳宇懷", "Yuhuai", "TONY WU", "宇懷"])
def test_a_name_in_any_script_finds_the_person(seeded: FactBase, query: str) -> None:
    assert refs(seeded, query)[0] == "tony-wu"


@pytest.mark.parametrize("query", ["吴 宇 怀", "Tony\u200bWu", "Wu, Yuhuai", "TonyWu",
                                   "Tony\u200b Wu", "T\u00adony Wu", "Wu Yu-huai"])
def test_a_name_spelt_as_who_finds_it_finds_the_person_first(seeded: FactBase,
                                                              query: str) -> None:
    hits = seeded.search(query, as_of=date(2026, 3, 1))
    assert (hits[0].kind, hits[0].ref, hits[0].title) == ("entity", "tony-wu",
                                                          "Tony Wu (person)")
    assert hits[0].rank == min(h.rank for h in hits) and hits[0].rank <= 0


def test_cli_finds_a_name_run_together(seeded: FactBase, runner: CliRunner) -> None:
    for query in ("TonyWu", "吴 宇 怀"):
        result = runner.invoke(cli, ["--db", db_of(seeded), "search", query, "--as-of",
                                     "2026-03-01"], catch_exceptions=False)
        assert result.exit_code == 0
        assert result.stdout == (
            "1. [entity] tony-wu · Tony Wu (person)\n"
            "   Tony Wu · 吳宇懷 · 吴宇怀 · Yuhuai Wu · Wu Yuhuai · Yuhuai (Tony) Wu\n")


def test_chinese_source_titles_and_publishers_are_searchable(seeded: FactBase) -> None:
    assert refs(seeded, "巴士的報") == ["bastillepost-14722943"]
    assert refs(seeded, "巴士的报") == ["bastillepost-14722943"]  # simplified finds traditional
    assert refs(seeded, "虎嗅") == ["huxiu-4835050"]  # two characters: the LIKE path


def test_parted_ways_finds_the_disputed_departures_with_dates_and_sources(
        seeded: FactBase) -> None:
    hits = seeded.search("parted ways")
    assert [h.ref for h in hits] == ["jimmy-ba-left", "tony-wu-left"]
    assert [h.date for h in hits] == ["2026-02-10", "2026-02-09"]
    assert "x-elonmusk-2021673886157607383" in [s["id"] for s in hits[1].sources]


def test_as_of_hides_events_that_had_not_happened(seeded: FactBase) -> None:
    assert refs(seeded, "parted ways", as_of=date(2026, 2, 9)) == ["tony-wu-left"]
    assert refs(seeded, "parted ways", as_of=date(2026, 2, 8)) == []
    # Names and sources are not in valid time: always found.
    assert refs(seeded, "吳宇懷", as_of=date(2000, 1, 1)) == ["tony-wu"]


def test_an_event_straddling_the_as_of_date_is_shown_as_uncertain(seeded: FactBase) -> None:
    hits = seeded.search("four application divisions", as_of=date(2026, 2, 10))
    assert [(h.ref, h.certainty) for h in hits] == [("xai-reorg-2026-02", "certain"),
                                                    ("xai-all-hands-2026-02-10", "certain")]
    # The reorganisation's own date is 2026-02-10; "Joining date unknown" events are open-start.
    joined = seeded.search("joining date unknown", as_of=date(2026, 2, 9))
    assert {h.certainty for h in joined} == {"uncertain"}


def test_words_may_come_in_any_order_and_phrases_are_quoted(seeded: FactBase) -> None:
    assert refs(seeded, "ways parted") == ["jimmy-ba-left", "tony-wu-left"]
    assert refs(seeded, '"ways parted"') == []
    assert refs(seeded, '"parted ways"') == ["jimmy-ba-left", "tony-wu-left"]
    assert terms('Parted "Some People" 吳') == ["some people", "parted", "吴"]


def test_odd_queries_are_safe(seeded: FactBase) -> None:
    for query in ['"', "''", "%", "_", "a OR b", "NEAR(x y)", "* ^", "\\", '"a" "'] :
        seeded.search(query)  # no exception
    assert seeded.search("   ") == []
    assert refs(seeded, "%") == ["metric-x-downloads-growth"]  # "50%", taken literally
    assert refs(seeded, "_") == ["metric-imagine-videos-per-day"]  # videos_per_day


def test_corrections_and_retractions_reach_the_index(seeded: FactBase) -> None:
    assert refs(seeded, "all-stock deal") == ["spacex-xai-merger-announced"]
    seeded.add([{"type": "event.corrected", "target": "spacex-xai-merger-announced",
                 "changes": {"summary": "SpaceX and xAI are to merge."}, "why": "wording",
                 "sources": ["huxiu-4835050"]}])
    assert refs(seeded, "all-stock deal") == []
    assert refs(seeded, "are to merge") == ["spacex-xai-merger-announced"]
    seeded.add([{"type": "event.retracted", "target": "spacex-xai-merger-announced",
                 "why": "test", "sources": ["huxiu-4835050"]}])
    assert refs(seeded, "are to merge") == []
    seeded.add([{"type": "entity.aliased", "entity": "jimmy-ba", "aliases": ["吉米·巴"]}])
    assert refs(seeded, "吉米") == ["jimmy-ba"]
    assert seeded.verify(projections=True).ok


@pytest.mark.sqlite_only("checks SQLite's FTS5 table")
def test_the_full_text_index_matches_its_documents_after_loads_and_rebuilds(
        seeded: FactBase) -> None:
    db = db_of(seeded)

    def integrity() -> None:
        conn = sqlite3.connect(db)
        try:
            conn.execute("INSERT INTO search_docs_fts(search_docs_fts, rank) "
                         "VALUES ('integrity-check', 1)")
        finally:
            conn.close()

    integrity()
    seeded.add([{"type": "event.corrected", "target": "tony-wu-left",
                 "changes": {"note": "Corrected note."}, "why": "x",
                 "sources": ["huxiu-4835050"]}])
    integrity()
    seeded.rebuild()
    integrity()
    assert refs(seeded, "corrected note") == ["tony-wu-left"]


def test_cli_text_output(seeded: FactBase, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", db_of(seeded), "search", "吳宇懷", "--as-of",
                                 "2026-03-01"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == (
        "1. [entity] tony-wu · Tony Wu (person)\n"
        "   Tony Wu · 吳宇懷 · 吴宇怀 · Yuhuai Wu · Wu Yuhuai · Yuhuai (Tony) Wu\n")
    result = runner.invoke(cli, ["--db", db_of(seeded), "search", "parted ways", "--as-of",
                                 "2026-02-09"], catch_exceptions=False)
    lines = result.stdout.splitlines()
    assert lines[0] == "1. [event] tony-wu-left · person.left · xAI · 2026-02-09"
    assert lines[2].startswith("   sources: [Hindustan Times report: Tony Wu quits xAI")
    assert lines[2].endswith("; and 2 more")
    none = runner.invoke(cli, ["--db", db_of(seeded), "search", "zzzqqq"])
    assert none.stdout == "no hits for 'zzzqqq'\n"


def test_cli_json_output(seeded: FactBase, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--db", db_of(seeded), "search", "parted ways", "--as-of",
                                 "2026-03-01", "--format", "json", "--limit", "1"],
                           catch_exceptions=False)
    doc = json.loads(result.stdout)
    assert doc["query"] == "parted ways"
    assert doc["as_of"] == "2026-03-01"
    assert [(h["kind"], h["id"], h["date"], h["certainty"]) for h in doc["hits"]] == [
        ("event", "jimmy-ba-left", "2026-02-10", "certain")]
    assert doc["hits"][0]["sources"][0] == {
        "id": "x-jimmybajimmyba-2021374875793801447",
        "title": "[post on X by Jimmy Ba (@jimmybajimmyba) announcing his last day at xAI]"}


@pytest.mark.sqlite_only("drops SQLite's FTS5 table")
def test_like_fallback_without_the_full_text_table(seeded: FactBase) -> None:
    conn = sqlite3.connect(db_of(seeded))
    conn.execute("DROP TABLE search_docs_fts")
    conn.commit()
    conn.close()
    assert refs(seeded, "parted ways")[:2] in (["jimmy-ba-left", "tony-wu-left"],
                                                ["tony-wu-left", "jimmy-ba-left"])
    assert refs(seeded, "吳宇懷") == ["tony-wu"]


def test_chinese_words_are_found_inside_chinese_sentences(seeded: FactBase) -> None:
    # No spaces between Chinese words: SQLite's trigrams and PostgreSQL's LIKE (pg_trgm) both
    # find a word inside the sentence, in either script.
    seeded.add([{"type": "statement.made", "date": "2026-02-12", "person": "tony-wu",
                 "org": "xai", "channel": "微博", "summary": "吴宇怀宣布离开公司并感谢团队",
                 "sources": ["huxiu-4835050"]}])
    for query in ("宣布离开", "宣佈離開", "感谢团队", "谢团"):
        hits = seeded.search(query)
        assert [(h.kind, h.text) for h in hits] == [("event", "吴宇怀宣布离开公司并感谢团队")]
    # "离开" also finds a source titled 離開地球.
    assert [h.kind for h in seeded.search("离开")] == ["event", "source"]


@pytest.mark.postgresql_only("PostgreSQL's full-text indexes")
def test_postgresql_search_has_its_tsvector_and_trigram_indexes(seeded: FactBase) -> None:
    with seeded.engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'search_docs' "
            "AND schemaname = current_schema()")}
        # The table is small, so the planner would rather scan: forbid that to see that the
        # search's own query can use the indexes (its expression is the indexed one).
        conn.exec_driver_sql("SET enable_seqscan = off")
        plans = {}
        for words in (["tony"], ["宇懷"]):
            query = _pg_query(words, []).compile(conn, compile_kwargs={"literal_binds": True})
            plans[words[0]] = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {query}"))
    assert {"ix_search_docs_folded_tsv", "ix_search_docs_folded_trgm"} <= names
    assert "ix_search_docs_folded_tsv" in plans["tony"]
    assert "ix_search_docs_folded_trgm" in plans["宇懷"]
    assert refs(seeded, "ony") == []  # word starts only (SQLite's trigrams find substrings)
