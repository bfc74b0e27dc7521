"""Peak memory of one load: resident set size (MiB) as ``FactBase.load`` reads a file.

Prints the process's RSS (``/proc/self/statm``) and its peak so far (``getrusage``
``ru_maxrss``) every ``--every`` records, then the load's result and the final peak. Use it on a
file from ``generate.py`` to see whether a load's memory grows with the input (issue: peak RSS
<= 250 MB whatever the file's size, the load still all-or-nothing)::

    python benchmarks/generate.py --events 1150000 --seed 1 --out /tmp/w200mb.jsonl
    python benchmarks/load_memory.py /tmp/w200mb.jsonl --db /tmp/w200mb.db --every 100000

Linux only (``/proc``). The database at ``--db`` is replaced.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

from factbase.api import FactBase
from factbase.core.errors import FactbaseError


def _rss_mib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20


def _peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="a file factbase loads (JSON Lines for large inputs)")
    parser.add_argument("--db", required=True, help="SQLite path or URL (replaced if a file)")
    parser.add_argument("--every", type=int, default=100_000, help="records between lines")
    args = parser.parse_args()
    if "://" not in args.db and os.path.exists(args.db):
        os.remove(args.db)
    print(f"{'records':>10} {'rss MiB':>8} {'peak MiB':>9} {'s':>7}")
    print(f"{'start':>10} {_rss_mib():>8} {_peak_mib():>9} {0:>7.1f}")
    began = time.monotonic()
    fb = FactBase.open(args.db, create=True)

    def progress(done: int, _name: str, _hint: int | None) -> None:
        if done % args.every == 0:
            print(f"{done:>10} {_rss_mib():>8} {_peak_mib():>9} "
                  f"{time.monotonic() - began:>7.1f}", flush=True)

    try:
        result = fb.load([args.input], progress)
        print(f"loaded: {result.new} new, {result.present} present")
    except FactbaseError as exc:  # a refused load is a result here too
        print(f"refused: {str(exc).splitlines()[0][:200]}")
    finally:
        fb.close()
    print(f"{'end':>10} {_rss_mib():>8} {_peak_mib():>9} {time.monotonic() - began:>7.1f}")


if __name__ == "__main__":
    main()
