"""Reading and running the shell sessions of the docs (``$ factbase …`` in console blocks).

A doc file is one session, run in order in a fresh working folder that holds (as links) the
repository's ``seeds``, ``docs`` and ``tests`` folders: each ``$ `` line is run by bash with
``factbase`` on ``PATH``, and what it prints (standard output, then standard error) must be
the lines shown under it. Compared after normalising what changes from run to run: recorded
times, hashes and anchors, redaction ids — each such value the docs show stands for the value
of this run, and is replaced by it in the commands that follow, so ``--known-at`` and
``--check-anchor`` use times and anchors taken from the session itself. ``/tmp/`` in a
command is the run's own folder. A line ``…`` stands for any lines, and ``…`` in a line for
any text (an elided part). A ``$ cat FILE`` of a file the session has not made makes it: the
page shows the input, and the session writes it.

A block after ``<!-- doc-test: not run (why) -->`` is shown, not run (a second writer holding
the database, a server); after ``<!-- dialect: postgresql -->`` it runs on PostgreSQL only
(shown here, not run: the sessions run on SQLite).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: What changes from one run to the next: recorded times, anchors and hashes, redaction ids.
VOLATILE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|\+00:00)"
    r"|(?<=recorded )\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})? UTC"
    r"|\b(?:redaction|redacted)-[0-9a-f]{8,}\b"
    r"|\b(?=[0-9a-f]*\d)[0-9a-f]{8,64}\b")
#: Tools a session may use besides factbase; a command needing a missing one is not run.
TOOLS = ("jq", "sqlite3", "dot", "grep", "head", "tail", "sed", "cat")
#: Commands that install software or start a server: shown, never run.
NOT_RUN = ("pip ", "datasette ")


@dataclass
class Command:
    line: int
    text: str
    expected: list[str]
    dialect: str | None = None
    not_run: str | None = None


@dataclass
class Session:
    path: Path
    commands: list[Command] = field(default_factory=list)


def read_session(path: Path) -> Session:
    """The ``$ `` commands of every ``console`` block of ``path``, with the lines shown
    under each (a heredoc ``<<'END'`` is part of its command)."""
    session = Session(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    i, dialect, not_run = 0, None, None
    while i < len(lines):
        line = lines[i]
        m = re.fullmatch(r"<!-- dialect: (\w+) -->", line.strip())
        if m:
            dialect = m.group(1)
        m = re.fullmatch(r"<!-- doc-test: not run \((.+)\) -->", line.strip())
        if m:
            not_run = m.group(1)
        if line.strip() in ("```console", "````console"):
            fence = line.strip()[: line.strip().index("c")]
            i += 1
            current: Command | None = None
            while i < len(lines) and lines[i].strip() != fence:
                text = lines[i]
                if text.startswith("$ "):
                    current = Command(i + 1, text[2:], [], dialect, not_run)
                    here = re.search(r"<<'?(\w+)'?\s*$", text)
                    if here:
                        end = here.group(1)
                        while i + 1 < len(lines) and lines[i + 1] != end:
                            i += 1
                            current.text += "\n" + lines[i]
                        i += 1
                        current.text += "\n" + end
                    session.commands.append(current)
                elif current is not None:
                    current.expected.append(text.rstrip())
                i += 1
            dialect = not_run = None
        i += 1
    return session


def _skeleton(text: str) -> tuple[str, list[str]]:
    values: list[str] = []

    def keep(m: re.Match[str]) -> str:
        values.append(m.group())
        return "\x00"

    return VOLATILE.sub(keep, text), values


def matches(expected: list[str], actual: list[str], seen: dict[str, str]) -> bool:
    """Whether ``actual`` is ``expected`` (``…`` lines: any lines), volatile values aside;
    on a match, ``seen`` learns which shown value each actual one stands for."""
    pattern = []
    for line in expected:
        if line.strip() == "…":
            pattern.append(r"(?:.*\n)*?")
            continue
        skel, _ = _skeleton(line)
        parts = [".*?".join(re.escape(q) for q in re.split(r" ?… ?", p))
                 for p in skel.split("\x00")]
        pattern.append("(.+?)".join(parts) + r"\n")
    m = re.fullmatch("".join(pattern), "".join(a + "\n" for a in actual))
    if m is None:
        return False
    shown = [v for line in expected if line.strip() != "…" for v in _skeleton(line)[1]]
    for old, new in zip(shown, m.groups(), strict=True):
        seen.setdefault(old, new)
    return True


def run(command: Command, cwd: Path, env: dict[str, str], seen: dict[str, str]) -> list[str]:
    """Run ``command`` in ``cwd``: its output lines, with the run's folder shown as ``/tmp``."""
    text = command.text.replace("/tmp/", f"{cwd}/")
    for old, new in sorted(seen.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    m = re.fullmatch(r"export (\w+)=(\S+)", text)
    if m:
        env[m.group(1)] = m.group(2)
        return []
    m = re.fullmatch(r"cat (\S+)", text)
    if m and not (cwd / m.group(1)).exists():
        # A file the session writes: the doc shows it, and the session makes it.
        (cwd / m.group(1)).write_text("".join(f"{line}\n" for line in command.expected),
                                      encoding="utf-8")
    proc = subprocess.run(["bash", "-c", text], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    return [line.rstrip() for line in proc.stdout.replace(f"{cwd}/", "/tmp/").splitlines()]


def prepare(tmp: Path, root: Path) -> dict[str, str]:
    """A fresh working folder for a session and the environment it runs in."""
    for name in ("seeds", "docs", "tests"):
        (tmp / name).symlink_to(root / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTBASE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TZ"] = "UTC"
    env["COLUMNS"] = "100"  # help text wraps as the docs show it
    return env


def runnable(command: Command) -> str | None:
    """Why ``command`` is not run here, or None."""
    if command.not_run:
        return command.not_run
    if command.text.startswith(NOT_RUN):
        return "installs software or starts a server"
    if command.dialect not in (None, "sqlite"):
        return f"shown for {command.dialect}"
    for tool in TOOLS:
        if re.search(rf"(^|\| *){tool}\b", command.text) and shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def first_difference(expected: list[str], actual: list[str]) -> str:
    """The first shown line the output does not bear out (for a failure message)."""
    for k in range(1, len(expected) + 1):
        if not matches([*expected[:k], "…"], actual, {}):
            return f"shown line {k}: {expected[k - 1]!r}"
    return "the output goes on past the shown lines"
