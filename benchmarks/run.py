"""One benchmark run: factbase against raw baselines on the same generated rows.

    python benchmarks/run.py --events 1000000 --seed 1 --workdir /tmp/fb-bench

Generates (or reuses) ``WORKDIR/events-N-sS.jsonl`` with ``benchmarks/generate.py``, loads it
with the ``factbase load`` CLI as a subprocess (wall time and peak RSS via ``/usr/bin/time``),
times the Python API in-process (``org`` over random org/date pairs, ``timeline``, ``diff``,
``report`` when present), ``verify`` and ``rebuild`` as subprocesses, and whole-process start-up
with hyperfine; then measures the baselines on the same rows (:mod:`baselines`) and prints ONE
Markdown table with the ratios and the issue-5 targets. The raw results also go to
``WORKDIR/results-N-sS.json``.

The code measured is whatever ``import factbase`` finds: to benchmark a fixed commit, export
it (``git archive``) and put it first on ``PYTHONPATH`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baselines  # noqa: E402  (benchmarks/baselines.py, beside this file)

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2026, 6, 30)

#: "Who was in an organisation on a date", as docs/sql.md documents it (the organisation a
#: parameter instead of 'xai'): the members' names and spans, joined to ``entities`` and sorted.
DOCUMENTED_MEMBERS_SQL = """\
SELECT p.name, m.person, m.valid_from_text AS since, m.unit, m.title, m.opened_by
FROM memberships m JOIN entities p ON p.entity_id = m.person
WHERE m.org = :org
  AND m.valid_from_end <= :as_of
  AND (m.valid_to_end IS NULL OR m.valid_to_end > :as_of)
ORDER BY p.name
"""


# --- measuring ----------------------------------------------------------------------------


def factbase_cmd() -> list[str]:
    """The ``factbase`` CLI of the interpreter running this script (same code, same venv)."""
    exe = Path(sys.executable).with_name("factbase")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "factbase"]


def run_measured(cmd: Sequence[str], *, check: bool = True) -> dict[str, Any]:
    """Run ``cmd``: wall seconds ``s``, CPU seconds ``cpu`` (user + system), peak RSS
    ``rss_kb`` (GNU time's %M), and its ``stdout``/``stderr``."""
    time_bin = "/usr/bin/time"
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [time_bin, "-f", "%M %U %S", "-o", tf.name, *cmd] if Path(time_bin).exists() \
            else list(cmd)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rss = after.ru_maxrss  # fallback: max over all children so far
        try:
            fields = tf.read().strip().splitlines()[-1].split()
            rss, cpu = int(fields[0]), float(fields[1]) + float(fields[2])
        except (ValueError, IndexError):
            pass
    if check and proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                         f"{proc.stderr[-3000:]}")
    return {"s": wall, "cpu": cpu, "rss_kb": rss, "stdout": proc.stdout, "stderr": proc.stderr}


def _p99(ms: list[float]) -> float:
    return ms[min(len(ms) - 1, max(0, round(0.99 * len(ms)) - 1))]


def stats_ms(samples: Sequence[tuple[float, float]]) -> dict[str, float]:
    """Median, p99, mean and max of (wall, CPU) ``samples`` (seconds), in milliseconds;
    ``cpu_*`` for CPU time."""
    ms = sorted(w * 1000 for w, _ in samples)
    cpu = sorted(c * 1000 for _, c in samples)
    return {"median": statistics.median(ms), "p99": _p99(ms), "mean": statistics.fmean(ms),
            "max": ms[-1], "cpu_median": statistics.median(cpu), "cpu_p99": _p99(cpu),
            "n": len(ms)}


def time_calls(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]
               ) -> list[tuple[float, float]]:
    return [baselines.timed_call(fn, *a)[0] for a in args]


def hyperfine(commands: dict[str, str], runs: int, warmup: int = 3) -> dict[str, Any]:
    """Each shell command's median wall seconds (``median``) and mean CPU seconds, user +
    system (``cpu``): hyperfine if installed, else ``runs`` timed repetitions."""
    exe = shutil.which("hyperfine")
    out: dict[str, Any] = {}
    if exe:
        with tempfile.NamedTemporaryFile(suffix=".json") as tf:
            subprocess.run([exe, "-N", "--warmup", str(warmup), "--runs", str(runs),
                            "--export-json", tf.name, "--style", "none",
                            *commands.values()], check=True, capture_output=True)
            data = json.loads(Path(tf.name).read_text())
        for name, res in zip(commands, data["results"], strict=True):
            out[name] = {"median": res["median"], "cpu": res["user"] + res["system"],
                         "tool": "hyperfine"}
        return out
    for name, cmd in commands.items():
        for _ in range(warmup):
            subprocess.run(cmd, shell=True, capture_output=True)
        times, cpus = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(cmd, shell=True, capture_output=True)
            times.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        out[name] = {"median": statistics.median(times), "cpu": statistics.fmean(cpus),
                     "tool": f"median of {runs} runs"}
    return out


# --- the machine ---------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "free": mem,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(), "date": datetime.now(UTC).isoformat()[:19] + "Z",
            "loadavg_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def code_version() -> str:
    import factbase

    where = Path(factbase.__file__).resolve().parents[1]
    rev = subprocess.run(["git", "-C", str(where), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True)
    if rev.returncode == 0:
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain",
                                "--untracked-files=no", "factbase", "migrations"],
                               capture_output=True, text=True).stdout.strip()
        return f"{where} @ {rev.stdout.strip()}{' + uncommitted changes' if dirty else ''}"
    return f"{where} (no git: {where.name})"


# --- the run -------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def random_pairs(orgs: list[str], n: int, seed: int) -> list[tuple[str, date]]:
    rng = random.Random(seed * 7919 + 17)
    span = (LAST_DAY - FIRST_DAY).days
    return [(rng.choice(orgs), FIRST_DAY + timedelta(days=rng.randrange(span)))
            for _ in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default=None,
                    help="where the data and databases go (default: a folder under /tmp)")
    ap.add_argument("--pairs", type=int, default=1000, help="org/date pairs for as-of queries")
    ap.add_argument("--samples", type=int, default=20,
                    help="samples for the heavier queries (timeline, diff, report)")
    ap.add_argument("--skip-eventsourcing", action="store_true")
    ap.add_argument("--reuse-db", action="store_true",
                    help="skip the load if WORKDIR already holds the loaded database")
    args = ap.parse_args()

    n, seed = args.events, args.seed
    started = time.perf_counter()
    work = Path(args.workdir or f"/tmp/factbase-bench-{n}-s{seed}")
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"events-{n}-s{seed}.jsonl"
    fb_db = work / "factbase.db"
    fb = factbase_cmd()
    results: dict[str, Any] = {"machine": machine(), "code": code_version(), "events_arg": n,
                               "seed": seed}

    # 1. The workload file.
    if not data.exists():
        log(f"generating {data}")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--events", str(n),
                        "--seed", str(seed), "--out", str(data)], check=True)
        results["generate_s"] = time.perf_counter() - t0
    results["file_mb"] = data.stat().st_size / 1e6

    # 2. factbase load (CLI, subprocess): events/s and peak RSS.
    out_json = work / f"results-{n}-s{seed}.json"
    if args.reuse_db and fb_db.exists():
        if out_json.exists():  # keep the load figures of the run that made the database
            previous = json.loads(out_json.read_text())
            if "load" in previous:
                results["load"] = {**previous["load"],
                                   "from_run": previous["machine"]["date"]}
            out_json.rename(out_json.with_suffix(f".{previous['machine']['date']}.json"))
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(str(fb_db) + suffix).unlink(missing_ok=True)
        log("factbase load")
        res = run_measured([*fb, "--db", str(fb_db), "load", str(data)])
        out = res.pop("stdout")
        m = re.search(r"(\d+) new", out)
        results["load"] = {**res, "stderr": res["stderr"][-500:],
                           "new": int(m.group(1)) if m else None}
        log(f"  {out.strip()} in {res['s']:.1f}s (CPU {res['cpu']:.1f}s), peak RSS "
            f"{res['rss_kb'] / 1024:.0f} MB")
    con = sqlite3.connect(f"file:{fb_db}?mode=ro", uri=True)
    total = con.execute("SELECT count(*) FROM events").fetchone()[0]
    orgs = [r[0] for r in con.execute(
        "SELECT entity_id FROM entities WHERE kind = 'organization' ORDER BY entity_id")]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    results["events"] = total
    results["orgs"] = len(orgs)
    results["fb_tables"] = sorted(tables)
    pairs = random_pairs(orgs, args.pairs, seed)
    heavy = pairs[: args.samples]

    # 3. The Python API, in-process.
    from factbase.api import FactBase
    from factbase.core.documents import org_document

    try:
        from factbase.core.documents import ids_in
    except ImportError:  # a factbase whose `org` fetched every name and source
        ids_in = None

    log("API: org / timeline / diff / report")
    api: dict[str, Any] = {}
    with FactBase.open(str(fb_db)) as base:
        base.org(pairs[0][0], as_of=pairs[0][1])  # warm imports and caches
        api["org"] = stats_ms(time_calls(lambda o, d: base.org(o, as_of=d), pairs))
        org_counts = [len(base.org(o, as_of=d).members) for o, d in pairs[:200]]

        def org_rendered(o: str, d: date) -> None:  # what `factbase org` does, minus printing
            state = base.org(o, as_of=d)
            ids = ids_in(state) if ids_in else None  # the names and sources the page shows
            org_document(state, base.names(ids), base.sources(ids), None)

        api["org_cli_path"] = stats_ms(time_calls(org_rendered, heavy[:10]))
        api["timeline"] = stats_ms(time_calls(lambda o, d: base.timeline(o), heavy))
        if hasattr(base, "diff"):
            api["diff"] = stats_ms(time_calls(
                lambda o, d: base.diff(o, d - timedelta(days=90), d), heavy))
        if hasattr(base, "report"):  # a factbase with the as-of report
            api["report"] = stats_ms(time_calls(
                lambda o, d: base.report(o, as_of=d), heavy))
    results["api"] = api

    # 4. The documented as-of SQL (over projections when they exist), raw sqlite3.
    log("as-of SQL over factbase's tables")
    con = sqlite3.connect(f"file:{fb_db}?mode=ro", uri=True)
    if "memberships" in tables:
        sql_name, sql = "docs/sql.md query over memberships", DOCUMENTED_MEMBERS_SQL
    else:
        sql_name, sql = baselines.factbase_asof_sql(tables)
    fb_sql_times, fb_sql_counts = baselines.time_query(con, sql, pairs)
    results["fb_sql"] = {"query": sql_name, **stats_ms(fb_sql_times)}
    con.close()

    # 5. Baselines on the same rows.
    raw_dir = work / "raw"
    raw_dir.mkdir(exist_ok=True)
    log("baseline (a): raw executemany + hash chain")
    results["raw_append"] = baselines.raw_append(fb_db, raw_dir / "append.db")
    log("baseline (b): raw interval tables (build) and indexed interval query")
    results["raw_intervals_build"] = baselines.raw_build_intervals(fb_db, raw_dir / "iv.db")
    results["raw_projections_build"] = baselines.raw_build_projections(
        fb_db, raw_dir / "proj.db")
    con = sqlite3.connect(str(raw_dir / "iv.db"))
    raw_q_times, raw_q_counts = baselines.time_query(con, baselines.RAW_INTERVAL_SQL, pairs)
    con.close()
    results["raw_query"] = stats_ms(raw_q_times)
    results["sql_agreement"] = sum(a == b for a, b in zip(fb_sql_counts, raw_q_counts,
                                                          strict=True)) / len(pairs)
    log("baseline (c): raw per-org replay")
    replay_times, replay_counts = baselines.time_raw_replay(fb_db, pairs)
    results["raw_replay"] = stats_ms(replay_times)
    results["replay_agreement"] = sum(
        a == b for a, b in zip(org_counts, replay_counts[:200], strict=False)) / len(org_counts)
    if not args.skip_eventsourcing:
        log("baseline (d): eventsourcing library")
        results["eventsourcing"] = baselines.eventsourcing_append(
            fb_db, raw_dir / "es.db", [o for o, _ in heavy])

    # 6. verify and rebuild (CLI, subprocess).
    log("factbase verify")
    res = run_measured([*fb, "--db", str(fb_db), "verify"], check=False)
    out, err = res.pop("stdout"), res.pop("stderr")
    results["verify"] = {**res, "ok": out.startswith("ok"), "output": (out + err).strip()[-300:]}
    log("factbase verify --projections")
    res = run_measured([*fb, "--db", str(fb_db), "verify", "--projections"], check=False)
    out, err = res.pop("stdout"), res.pop("stderr")
    results["verify_projections"] = {**res, "ok": out.startswith("ok"),
                                     "output": (out + err).strip()[-300:]}
    log("factbase rebuild")
    res = run_measured([*fb, "--db", str(fb_db), "rebuild"], check=False)
    out, err = res.pop("stdout"), res.pop("stderr")
    results["rebuild"] = {**res, "output": (out + err).strip()[-300:]}

    # 7. Whole-process start-up: the seed, import floor, --help; and one org on this database.
    log("start-up (hyperfine)")
    seed_db = work / "seed.db"
    if not seed_db.exists():
        import factbase

        seed_file = Path(factbase.__file__).resolve().parents[1] / "seeds" / "xai.yaml"
        subprocess.run([*fb, "--db", str(seed_db), "load", str(seed_file)], check=True,
                       capture_output=True)
    fbs = " ".join(fb)
    startup = hyperfine({
        "import_floor": f"{sys.executable} -c 'import sqlalchemy, click'",
        "org_seed": f"{fbs} --db {seed_db} org xai --as-of 2026-03-01",
        "help": f"{fbs} --help",
    }, runs=20)
    big_org, big_day = pairs[0]
    startup |= hyperfine({"org_big": f"{fbs} --db {fb_db} org {big_org} --as-of {big_day}"},
                         runs=5, warmup=1)
    results["startup"] = startup

    results["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["wall_total_s"] = time.perf_counter() - started
    out_json.write_text(json.dumps(results, indent=2, default=str))
    print(render_table(results))
    log(f"results saved to {out_json}")


# --- the table -----------------------------------------------------------------------------
# Ratios use CPU time (this process's, or the child's user + system), which other processes on
# a shared machine disturb far less than wall time; wall-time figures are shown beside them.


def _rate(events: int, rec: dict[str, Any]) -> str:
    return f"{events / rec['cpu']:,.0f} ev/s (wall {events / rec['s']:,.0f})"


def _ms(x: float) -> str:
    return f"{x:,.2f} ms" if x < 100 else f"{x:,.0f} ms"


def _lat(st: dict[str, float], key: str = "median") -> str:
    return f"{_ms(st['cpu_' + key])} (wall {_ms(st[key])})"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def render_table(r: dict[str, Any]) -> str:
    n = r["events"]
    rows: list[tuple[str, str, str, str, str, str]] = []
    load = r.get("load")
    ra, es = r["raw_append"], r.get("eventsourcing")
    if load:
        load_rate = n / load["cpu"]
        raw_rate = ra["events"] / ra["cpu"]
        rows.append(("load: `factbase load` JSONL → log + projections (CLI)", _rate(n, load),
                     f"raw executemany + hash chain {_rate(ra['events'], ra)}",
                     f"{load_rate / raw_rate:.2f}×", "≥ 0.5× raw",
                     _verdict(load_rate >= raw_rate / 2)))
        if es:
            es_rate = es["events"] / es["cpu"]
            rows.append(("load vs eventsourcing", _rate(n, load),
                         f"eventsourcing bulk save {_rate(es['events'], es)}",
                         f"{load_rate / es_rate:.2f}×", "> 1×", _verdict(load_rate > es_rate)))
        rows.append(("load: peak RSS", f"{load['rss_kb'] / 1024:,.0f} MB", "", "", "< 250 MB",
                     _verdict(load["rss_kb"] / 1024 < 250)))
    api, rr = r["api"], r["raw_replay"]
    o = api["org"]
    rows.append((f"org as-of: `FactBase.org`, median of {o['n']} org/date pairs", _lat(o),
                 f"raw per-org replay {_lat(rr)}",
                 f"{o['cpu_median'] / rr['cpu_median']:.1f}×", "≤ 5× raw",
                 _verdict(o["cpu_median"] <= 5 * rr["cpu_median"])))
    rows.append(("org as-of: p99", _lat(o, "p99"), f"raw p99 {_lat(rr, 'p99')}",
                 f"{o['cpu_p99'] / rr['cpu_p99']:.1f}×", "< 20 ms",
                 _verdict(o["cpu_p99"] < 20)))
    if es and es.get("reconstruct"):
        rc = es["reconstruct"]
        rows.append(("org as-of vs eventsourcing reconstruct (median)", _lat(o),
                     f"`repository.get` {_ms(rc['cpu_median'])} (wall {_ms(rc['median'])})",
                     f"{o['cpu_median'] / rc['cpu_median']:.1f}×", "", "—"))
    cli_path = api["org_cli_path"]
    rows.append((f"org + `names()`/`sources()` as `factbase org` renders ({cli_path['n']})",
                 _lat(cli_path), "", "", "", "—"))
    fq, rq = r["fb_sql"], r["raw_query"]
    rows.append((f"as-of SQL \"members of X on D\", median ({fq['query']})", _lat(fq),
                 f"raw indexed interval query {_lat(rq)}",
                 f"{fq['cpu_median'] / rq['cpu_median']:.1f}×", "≤ 2× raw",
                 _verdict(fq["cpu_median"] <= 2 * rq["cpu_median"])))
    for key, label in (("timeline", "timeline, one org"), ("diff", "diff, one org, 90 days"),
                       ("report", "report, one org")):
        if key in api:
            rows.append((f"{label}: median ({api[key]['n']} samples)", _lat(api[key]),
                         "", "", "", "—"))
    rb, rp, ri = r["rebuild"], r["raw_projections_build"], r["raw_intervals_build"]
    interval_tables = "memberships" in r["fb_tables"]
    raw = {"s": rp["s"] + (ri["s"] if interval_tables else 0),
           "cpu": rp["cpu"] + (ri["cpu"] if interval_tables else 0)}
    what = "entities+names+sources" + (" + interval tables" if interval_tables else "")
    rows.append(("rebuild (CLI)", _rate(n, rb), f"raw build of {what} {_rate(n, raw)}",
                 f"{raw['cpu'] / rb['cpu']:.2f}×", "≥ 0.5× raw",
                 _verdict(n / rb["cpu"] >= 0.5 * n / raw["cpu"])))
    if not interval_tables:
        rows.append(("(raw build of interval tables memberships/roles/units)", "",
                     _rate(n, ri), "", "", "—"))
    rows.append(("rebuild: peak RSS", f"{rb['rss_kb'] / 1024:,.0f} MB", "", "", "", "—"))
    vf = r["verify"]
    rows.append(("verify (CLI: hash chain + quick projection checks)", _rate(n, vf), "", "",
                 "≥ 250,000 ev/s", _verdict(n / vf["cpu"] >= 250_000)))
    rows.append(("verify: peak RSS", f"{vf['rss_kb'] / 1024:,.0f} MB", "", "", "", "—"))
    vp = r.get("verify_projections")  # absent from runs before `verify --projections`
    if vp is not None:
        rows.append(("verify --projections (CLI: + full rebuild compared)", _rate(n, vp),
                     "", "", "", "—"))
        rows.append(("verify --projections: peak RSS", f"{vp['rss_kb'] / 1024:,.0f} MB", "",
                     "", "", "—"))
    st = r["startup"]
    org_s, floor, hlp = st["org_seed"], st["import_floor"], st["help"]
    rows.append(("`factbase org xai --as-of 2026-03-01` on the seed, whole process",
                 f"{_ms(org_s['median'] * 1000)} (CPU {_ms(org_s['cpu'] * 1000)})",
                 f"`python -c 'import sqlalchemy, click'` {_ms(floor['median'] * 1000)} "
                 f"(CPU {_ms(floor['cpu'] * 1000)})",
                 f"{org_s['median'] / floor['median']:.2f}×", "≤ 1.5×",
                 _verdict(org_s["median"] <= 1.5 * floor["median"])))
    rows.append(("`factbase --help`, whole process",
                 f"{_ms(hlp['median'] * 1000)} (CPU {_ms(hlp['cpu'] * 1000)})",
                 "org on the seed", f"{hlp['median'] / org_s['median']:.2f}×", "< 1× org",
                 _verdict(hlp["median"] < org_s["median"])))
    big = st["org_big"]
    rows.append(("`factbase org ORG --as-of D` on this database, whole process",
                 f"{_ms(big['median'] * 1000)} (CPU {_ms(big['cpu'] * 1000)})", "", "", "", "—"))
    m = r["machine"]
    head = (f"factbase benchmark — {n:,} events ({r['orgs']:,} organisations), seed "
            f"{r['seed']}, {m['date']}\n"
            f"code: {r['code']}\n"
            f"machine: {m['nproc']} CPU ({m['cpu']}), Python {m['python']}, SQLite "
            f"{m['sqlite']}; load average {m.get('loadavg_start')} at start, "
            f"{r.get('loadavg_end')} at end; the run took {r.get('wall_total_s', 0):.0f} s\n"
            + (f"load figures: from the run of {load['from_run']} that made this database\n"
               if load and load.get("from_run") else "")
            + f"times are CPU time (wall time in brackets); ratios are on CPU time, except the "
            f"whole-process rows (wall, {st['org_seed'].get('tool', '')})\n"
            f"sanity: raw chain head == factbase head: {ra.get('head_matches_factbase')}; "
            f"as-of SQL agrees with the raw interval query on {r['sql_agreement']:.0%} of "
            f"pairs; raw replay member counts agree with FactBase.org on "
            f"{r['replay_agreement']:.0%}; verify: "
            f"{'ok' if r['verify']['ok'] else r['verify']['output']}\n")
    cols = ("measure", "factbase", "baseline", "ratio", "target", "result")
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [head, line(cols), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in rows]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--table":
        print(render_table(json.loads(Path(sys.argv[2]).read_text())))
    else:
        main()
