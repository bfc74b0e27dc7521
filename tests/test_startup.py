"""What a query's start-up imports: writing needs pydantic, yaml and Alembic; reading does not
(speed itself is measured in benchmarks/, never asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Packages only writing, name folding, fuzzy suggestions or charts need.
HEAVY = ("pydantic", "yaml", "alembic", "opencc", "pypinyin", "rapidfuzz", "matplotlib")

_PROBE = """
import sys
from factbase.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = {heavy!r}
    print(" ".join(m for m in heavy if m in sys.modules) or "-", file=sys.stderr)
"""


def imported(*args: str) -> str:
    """The heavy packages the CLI imported to run ``factbase ARGS`` in a fresh process."""
    proc = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args],
                          capture_output=True, text=True, check=True)
    return proc.stderr.strip().splitlines()[-1]


def test_org_imports_no_writer_packages(seeded_template: Path) -> None:
    assert imported("--db", str(seeded_template), "org", "xai", "--as-of", "2026-03-01") == "-"


def test_timeline_and_diff_import_no_writer_packages(seeded_template: Path) -> None:
    db = str(seeded_template)
    assert imported("--db", db, "timeline", "xai", "--from", "2026-02") == "-"
    assert imported("--db", db, "diff", "xai", "2026-01-01", "2026-03-01") == "-"


def test_help_imports_neither_sqlalchemy_nor_writer_packages() -> None:
    code = ("import sys\nfrom factbase.cli import cli\ntry:\n    cli.main(['--help'])\n"
            "except SystemExit:\n    pass\nprint('sqlalchemy' in sys.modules, "
            f"[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert proc.stderr.strip() == "False []"
