"""Profile the slow paths the benchmark table points at, and print where the time goes.

    python benchmarks/profile.py --workdir /tmp/factbase-bench-100000-s1 [--what load,verify,...]

Uses the data and database a ``run.py`` left in WORKDIR. ``load``, ``rebuild`` and ``verify``
run the ``factbase`` CLI under py-spy (sampling, ``--format raw``, collapsed stacks kept in
WORKDIR/profiles/); ``org`` and ``timeline`` run the Python API in-process under py-spy too
(a small driver script). For each profile the summary lists the functions with the largest
inclusive share of samples (a function counted once per stack) and the largest self share.
py-spy needs ptrace (root, or ``--cap-add SYS_PTRACE`` in a container); install it with
``/work/venv/bin/pip install py-spy`` (benchmark-only, like eventsourcing).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

DRIVER = """
import random, sys
from datetime import date, timedelta
from factbase.api import FactBase
what, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
fb = FactBase.open(db)
orgs = sorted(fb.names([f"org-{i:05d}" for i in range(100_000)]))
rng = random.Random(1)
for _ in range(n):
    org = rng.choice(orgs)
    day = date(2000, 1, 1) + timedelta(days=rng.randrange(9600))
    if what == "org":
        fb.org(org, as_of=day)
    else:
        fb.timeline(org)
"""


def summarise(raw: Path, top: int = 25) -> str:
    """Inclusive and self shares per function from py-spy's collapsed (raw) stacks."""
    inclusive: Counter[str] = Counter()
    self_: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [_short(f) for f in stack.split(";")]
        for f in set(frames):
            inclusive[f] += n
        self_[frames[-1]] += n
    if not total:
        return "(no samples)"
    out = [f"{total} samples", "inclusive:"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in inclusive.most_common(top)]
    out.append("self:")
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in self_.most_common(top)]
    return "\n".join(out)


def _short(frame: str) -> str:
    # "func (path/to/file.py:123)" -> "func (file.py)" with the package folder kept
    m = re.match(r"(.*) \((.*?):?(\d+)?\)$", frame)
    if not m:
        return frame
    func, path = m.group(1), m.group(2)
    parts = Path(path).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else path
    return f"{func} ({short})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--what", default="load,rebuild,verify,org,timeline")
    ap.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    work = Path(args.workdir)
    prof = work / "profiles"
    prof.mkdir(exist_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    fb = str(Path(sys.executable).with_name("factbase"))
    data = next(work.glob("events-*.jsonl"))
    db = work / "factbase.db"
    for what in args.what.split(","):
        if what == "load":
            target = work / "profile-load.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            cmd = [fb, "--db", str(target), "load", str(data)]
        elif what in ("rebuild", "verify"):
            cmd = [fb, "--db", str(db), what]
        else:
            driver = prof / "driver.py"
            driver.write_text(DRIVER)
            cmd = [sys.executable, str(driver), what, str(db), "300" if what == "org" else "10"]
        raw = prof / f"{what}.txt"
        subprocess.run([spy, "record", "--rate", str(args.rate), "--format", "raw",
                        "--output", str(raw), "--", *cmd], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"== {what}: {' '.join(cmd[-3:])}")
        print(summarise(raw, args.top))
        print()


if __name__ == "__main__":
    main()
