"""The ``factbase`` command line: Click commands over :class:`factbase.api.FactBase`.

Each command parses its options, makes one API call and renders the result. Expected failures
(:class:`factbase.core.errors.FactbaseError`) become one ``Error: …`` line on stderr and exit 1;
malformed options exit 2 with the usage line. Results go to stdout, progress and notes to
stderr, so ``--format json`` output pipes cleanly into ``jq``. Heavy imports happen inside
commands, which keeps ``factbase --help`` fast.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from factbase.cli_context import Settings, say
from factbase.cli_context import settings as _settings

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


# --- parameter types ----------------------------------------------------------------------


class DayType(click.ParamType):  # type: ignore[type-arg]
    """A calendar day (``2026-03-01``, ``1 Mar 2026``): the as-of date, valid time."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        from factbase.core.dates import DateError, parse_day

        try:
            return parse_day(value)
        except DateError as exc:  # says what is wrong: no such day, a month, a time of day
            self.fail(f"{exc} (e.g. 2026-03-01: the state at the end of that day)", param, ctx)


class BoundType(click.ParamType):  # type: ignore[type-arg]
    """A date of any precision used as a bound: ``--from 2026-02`` means from 2026-02-01,
    ``--to 2026-02`` up to 2026-02-28 (inclusive)."""

    name = "DATE"

    def __init__(self, side: str) -> None:
        self.side = side

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        from factbase.core.dates import DateError, parse_date

        try:
            d = parse_date(value)
        except DateError as exc:
            self.fail(str(exc), param, ctx)
        return d.start if self.side == "start" else d.end


class KnownAtType(click.ParamType):  # type: ignore[type-arg]
    """Recorded time: an ISO instant with offset, or a day meaning the end of that UTC day."""

    name = "TIMESTAMP"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        from datetime import UTC

        from factbase.core.dates import DateError, check_known_at, parse_known_at

        try:
            cut = parse_known_at(value)
        except DateError as exc:
            self.fail(f"{exc} (a recorded-time cut is an instant with its offset, "
                      "2026-03-01T12:00:00Z, or a day, 2026-03-01, meaning its end in UTC)",
                      param, ctx)
        try:
            return check_known_at(cut, datetime.now(UTC), str(value))
        except DateError as exc:
            self.fail(str(exc), param, ctx)


class PeriodType(click.ParamType):  # type: ignore[type-arg]
    """A relative window: a number and d, w, m or y (``90d``, ``2w``, ``3m``, ``1y``)."""

    name = "PERIOD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        from factbase.core.dates import DateError, parse_period

        try:
            parse_period(value)
        except DateError as exc:
            self.fail(str(exc), param, ctx)
        return str(value).strip()


class SinceType(click.ParamType):  # type: ignore[type-arg]
    """A day, or a window back from the as-of day (``90d``, ``3m``): ``--since``."""

    name = "DATE|PERIOD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date | str:
        if isinstance(value, date):
            return value
        from factbase.core.dates import DateError, parse_day, parse_period

        try:
            parse_period(value)
            return str(value).strip()
        except DateError:
            pass
        try:
            return parse_day(value)
        except DateError:
            self.fail(f"'{value}' is neither a day (YYYY-MM-DD, e.g. 2026-01-01) nor a period "
                      "(a number and d, w, m or y, e.g. 90d or 3m)", param, ctx)


def _note_future(ctx: click.Context, param: click.Parameter, value: date | None
                 ) -> date | None:
    """An as-of day after today is answered with what the log holds now: say so (stderr)."""
    if value is not None and value > _today():
        say(f"note: --as-of {value.isoformat()} is after today ({_today().isoformat()}"
            "); this is the latest known state, as recorded now, not a forecast")
    return value


def _check_types(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
                 ) -> tuple[str, ...]:
    """``--type``: the event types the API knows (checked while parsing: exit 2)."""
    if value:
        from factbase.api import check_types
        from factbase.core.errors import InputError

        try:
            check_types(value)
        except InputError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
    return value


def as_of_option(f: F) -> F:
    return click.option(
        "--as-of", "as_of", type=DayType(), default=None, callback=_note_future,
        help="Valid time: the state at the end of this day (default: today, UTC).")(f)


def known_at_option(f: F) -> F:
    return click.option(
        "--known-at", "known_at", type=KnownAtType(), default=None,
        help="Recorded time: only what the log held then (ISO instant, or a day = its end "
             "in UTC; default: now).")(f)


def policy_options(f: F) -> F:
    f = click.option(
        "--min-evidence", "min_evidence", type=click.Choice(["reported", "confirmed"]),
        default=None, help="Hide facts (and accounts) below this evidence level.")(f)
    return click.option(
        "--prefer", type=click.Choice(["confirmed", "latest-source"]), default=None,
        help="Where sources disagree on a date or figure, pick one claim: the best evidenced, "
             "or the latest published source (default: show the disagreement).")(f)


def format_option(*choices: str) -> Callable[[F], F]:
    def deco(f: F) -> F:
        return click.option("--format", "fmt", type=click.Choice(choices), default=choices[0],
                            show_default=True, help="Output format.")(f)
    return deco


# --- the group ----------------------------------------------------------------------------


class FactbaseGroup(click.Group):
    """Turns expected failures into one ``Error:`` line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError
        from sqlalchemy.exc import IntegrityError as SQLIntegrityError

        from factbase.core.errors import FactbaseError
        from factbase.core.escape import terminal_text

        try:
            return super().invoke(ctx)
        except FactbaseError as exc:
            # Messages quote names and values as stored or typed: escaped, line by line.
            error = click.ClickException("\n".join(terminal_text(line) for line in exc.lines()))
            error.exit_code = exc.exit_code  # type: ignore[misc]  # 1; 3 conflict; 75 busy
            raise error from None
        except click.ClickException as exc:  # a usage error quotes what was typed
            exc.message = terminal_text(exc.message)  # type: ignore[misc]  # Final in stubs
            raise
        except OSError as exc:
            from factbase.io.files import output_error

            reason = output_error(exc)
            if reason is None or exc.errno == errno.EPIPE:
                raise  # a closed pipe (`| head`): Click exits 1 without a word
            _discard_stdout()
            raise click.ClickException(f"cannot write the output: {reason}") from None
        except SQLIntegrityError:
            raise  # a constraint broken by factbase's own writes is a bug: keep the traceback
        except DatabaseError as exc:
            # The database itself said no (unreadable, read-only, not a database file).
            db = ctx.find_object(Settings)
            where = f" ({db.db})" if db else ""
            hint = ("; SQLite also writes its -wal and -shm files beside the database, so the "
                    "folder must be writable too" if "readonly" in str(exc.orig) else "")
            raise click.ClickException(f"database error{where}: {exc.orig}; check --db points "
                                       f"at a factbase database you may write to{hint}"
                                       ) from None
        except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
            raise click.ClickException(f"cannot open --db: {exc}; give a file path or a URL "
                                       "such as sqlite:///factbase.db") from None


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that the exit's final flush of what could not be
    written does not fail a second time ("Exception ignored … No space left on device")."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test runner's buffer)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


class StreamVersionType(click.ParamType):  # type: ignore[type-arg]
    """``STREAM=N``: the version (event count) a stream must be at for the write to go ahead."""

    name = "STREAM=N"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, int]:
        if isinstance(value, tuple):
            return value
        stream, sep, number = str(value).rpartition("=")
        if not sep or not stream.strip() or not number.strip().isdigit():
            self.fail(f"'{value}' is not STREAM=N (a stream id and a version, e.g. xai=42; "
                      "`factbase stream xai` prints it)", param, ctx)
        return stream.strip(), int(number)


@click.group(cls=FactbaseGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                  "max_content_width": 100})
@click.option("--db", envvar="FACTBASE_DB", default="factbase.db", show_default=True,
              metavar="PATH|URL",
              help="The database: a SQLite file path or a SQLAlchemy URL "
                   "(env FACTBASE_DB).")
@click.option("--no-check-hashes", "no_check_hashes", is_flag=True,
              help="Do not hold each log row a query reads to its hashes (faster; a row "
                   "changed outside factbase then goes unnoticed until `factbase verify`).")
@click.version_option(package_name="factbase")
@click.pass_context
def cli(ctx: click.Context, db: str, no_check_hashes: bool) -> None:
    """factbase: the history of organisations as sourced, immutable facts.

    Events (hires, departures, reorganisations, meetings, reported figures) go into an
    append-only log; the state of an organisation on any date is rebuilt by replaying it.

    \b
    Example (a first session):
      factbase load seeds/xai.yaml
      factbase org xai --as-of 2026-03-01
      factbase timeline tony-wu
      factbase verify
    """
    ctx.obj = Settings(db, check_hashes=not no_check_hashes)


def _today() -> date:
    from datetime import UTC

    return datetime.now(UTC).date()


# --- commands -----------------------------------------------------------------------------


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the database (or upgrade it to this version's schema).

    On an existing database, also puts back what `factbase verify` finds missing: the
    triggers that refuse changes to the log, the search index.

    \b
    Example:
      factbase --db newsroom.db init
    """
    fb = _settings(ctx).fb(ctx, create=True)
    for what in fb.restore():
        say(f"restored {what}")
    from sqlalchemy.engine import make_url

    shown = make_url(fb.url).render_as_string(hide_password=True)  # never echo a password
    say(f"factbase database ready at {shown} ({fb.count()} events)")


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE... | -")
@click.option("--expect-version", "expect", type=StreamVersionType(), multiple=True,
              help="Write only if stream STREAM is still at version N (its event count, "
                   "see `factbase stream`); else exit 3 and write nothing. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json", "jsonl", "csv"]),
              default=None, help="Read every input in this format (default: from each "
                                 "file's name, else its content).")
@click.pass_context
def load(ctx: click.Context, files: tuple[str, ...], expect: tuple[tuple[str, int], ...],
         fmt: str | None) -> None:
    """Validate files of sources, entities and events, then append them in one transaction.

    YAML, JSON, JSON Lines or CSV (docs/format.md); `-` reads standard input. Everything
    is checked first: one bad record anywhere and nothing is written. Events already in
    the log are skipped, so loading a file again adds nothing.

    \b
    Examples:
      factbase load seeds/xai.yaml
      cat more.jsonl | factbase load -
      factbase load sources.csv entities.csv events.csv
      factbase load - --format csv < events.csv
      factbase load late-news.yaml --expect-version xai=42
    """
    settings = _settings(ctx)
    bar: Any = None
    shown = sys.stderr.isatty()

    def progress(done: int, name: str, hint: int | None) -> None:
        # Only on a terminal, only for long loads (JSON Lines: known length; others: after
        # 2,000 records), redrawn every 500 records.
        nonlocal bar
        if not shown or (hint is not None and hint < 2_000) or (hint is None and done < 2_000):
            return
        if done % 500:
            return
        if bar is None:
            bar = click.progressbar(length=hint or 0, label=f"loading {name}", file=sys.stderr,
                                    show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        # A first load that fails into a new file leaves no empty database behind.
        fb = settings.fb(ctx, create=True)
        result = fb.load(list(files), progress=progress,
                         expected_version=dict(expect) if expect else None, fmt=fmt)
    finally:
        if bar is not None:
            if bar.length:
                bar.update(bar.length - bar.pos)  # the hint counts lines, not records
            bar.__exit__(None, None, None)
    what = ", ".join("<stdin>" if f == "-" else f for f in files)
    say(f"{what}: {result.new} new, {result.present} already present "
        f"(the log holds {result.total} events)", err=False)
    for line in result.warnings[:20]:  # loaded, but most likely a typo
        say(f"warning: {line}")
    if len(result.warnings) > 20:
        say(f"warning: … and {len(result.warnings) - 20} more dates far after the day they "
            "are recorded")
    for clash in result.collisions[:20]:  # two entities, one look-up name: flagged, not merged
        say(clash.warning())
    if len(result.collisions) > 20:
        say(f"warning: … and {len(result.collisions) - 20} more pairs share a look-up "
            "name; each stays two — declare entity.merged where two are one")


@cli.command()
@click.argument("kind", type=click.Choice(["csv"]), metavar="csv")
@click.option("--out", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write the one-sheet template to FILE (UTF-8 with a byte-order mark, as "
                   "spreadsheets expect) instead of standard output; never overwrites.")
@click.option("--split", "split_dir", type=click.Path(file_okay=False), default=None,
              metavar="DIR", help="Write three files into DIR instead: sources.csv, "
                                  "entities.csv and events.csv; never overwrites.")
def template(kind: str, out: str | None, split_dir: str | None) -> None:
    """Print a CSV template to fill in: the sources, entities and events of an example.

    One sheet: a row per source (type `source`), entity (type `entity`) and event, the
    columns of every type side by side; an empty cell is an absent field. It loads as it
    is (the made-up Kestrel Robotics of docs/format.md); replace its rows with yours.
    --split writes sources, entities and events as three files, loaded together.

    \b
    Examples:
      factbase template csv --out timeline.csv
      factbase template csv --split my-timeline/
      factbase load timeline.csv
    """
    from factbase.api import FactBase
    from factbase.core.errors import InputError

    if out is not None and split_dir is not None:
        raise click.UsageError("give --out FILE or --split DIR, not both")
    if out is None and split_dir is None:
        click.echo(FactBase.template()["timeline.csv"].replace("\r\n", "\n"), nl=False)
        return
    sheets = FactBase.template(split=split_dir is not None)
    paths = ({Path(out): sheets["timeline.csv"]} if out is not None else
             {Path(split_dir or ".") / name: text for name, text in sheets.items()})
    for path in paths:
        if path.exists():
            raise InputError(f"{path}: the file exists; the template never overwrites a "
                             "file: choose another name")
    if split_dir is not None:
        Path(split_dir).mkdir(parents=True, exist_ok=True)
    for path, text in paths.items():
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        say(f"{path}: CSV template written ({text.count(chr(10)) - 1} rows)")


@cli.command()
@click.argument("org")
@as_of_option
@known_at_option
@policy_options
@format_option("text", "json", "mermaid", "dot")
@click.pass_context
def org(ctx: click.Context, org: str, as_of: date | None, known_at: datetime | None,
        prefer: Any, min_evidence: str | None, fmt: str) -> None:
    """Show an organisation as it stood on a date: units, people, departures, metrics.

    ORG is an id or any name of the organisation. Events whose date is only known to a
    month or a range that contains the as-of date are listed as uncertain, not applied.

    \b
    Examples:
      factbase org xai --as-of 2026-03-01
      factbase org xAI --as-of 2026-01-01 --format json | jq '.cofounders'
      factbase org xai --as-of 2026-02-01 --known-at 2026-03-01T12:00:00Z
      factbase org xai --as-of 2026-03-01 --format dot | dot -Tsvg > xai.svg
    """
    from factbase.core.documents import ids_in, org_document
    from factbase.render import render

    fb = _settings(ctx).fb(ctx)
    state = fb.org(org, as_of=as_of or _today(), known_at=known_at, prefer=prefer,
                   min_evidence=min_evidence)
    ids = ids_in(state)  # the names and sources of what the page shows, not of every entity
    doc = org_document(state, fb.names(ids), fb.sources(ids), known_at)
    click.echo(render("org", fmt, doc), nl=False)


@cli.command()
@click.argument("name")
@as_of_option
@known_at_option
@format_option("text", "json")
@click.pass_context
def who(ctx: click.Context, name: str, as_of: date | None, known_at: datetime | None,
        fmt: str) -> None:
    """Find a person or organisation by any name and show their whole history.

    NAME is an id or any name or alias, in any script, in either order (Tony Wu, 吳宇懷,
    吴宇怀, Yuhuai Wu, Wu Yuhuai). For a person: every organisation they appear in, with
    joining and leaving (every account of a disputed departure), roles, statements,
    confirmations, meetings spoken at and accounts given, each with its sources. For an
    organisation: a short summary and where to look next.

    \b
    Examples:
      factbase who 吴宇怀
      factbase who "Guodong Zhang" --as-of 2026-03-01
      factbase who tony-wu --format json | jq '.organisations[].memberships'
    """
    from factbase.render import render

    doc = _settings(ctx).fb(ctx).who(name, as_of=as_of or _today(), known_at=known_at)
    click.echo(render("who", fmt, doc), nl=False)


@cli.command()
@click.argument("entity", required=False)
@click.option("--from", "start", type=BoundType("start"), default=None,
              help="Events overlapping this date or later (a month means its first day).")
@click.option("--to", "end", type=BoundType("end"), default=None,
              help="Events overlapping this date or earlier (a month means its last day).")
@click.option("--type", "types", multiple=True, metavar="TYPE", callback=_check_types,
              help="Only this event type; repeatable; `person.*` for a family.")
@known_at_option
@policy_options
@click.option("--history", is_flag=True,
              help="Show each event's corrections and retractions with their recorded times, "
                   "and retracted events too.")
@format_option("text", "json")
@click.pass_context
def timeline(ctx: click.Context, entity: str | None, start: date | None, end: date | None,
             types: tuple[str, ...], known_at: datetime | None, prefer: Any,
             min_evidence: str | None, history: bool, fmt: str) -> None:
    """List events in valid-time order, with their sources.

    ENTITY (an id or any name: an organisation, person, unit or product) keeps the events
    about it; without it, every dated event is listed.

    \b
    Examples:
      factbase timeline xai --from 2026-02 --to 2026-02
      factbase timeline 吴宇怀
      factbase timeline --type person.left --format json
    """
    from factbase.core.documents import ids_in, timeline_document
    from factbase.render import render

    if start and end and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="'--from'")
    fb = _settings(ctx).fb(ctx)
    result = fb.timeline_history(entity, start=start, end=end, types=list(types) or None,
                                 known_at=known_at, prefer=prefer, min_evidence=min_evidence,
                                 with_retracted=history)
    evs = result.events
    ids = ids_in((evs, result))
    doc = timeline_document(evs, fb.names(ids), fb.sources(ids),
                            history=result if history else None, entity=entity,
                            start=start.isoformat() if start else None,
                            end=end.isoformat() if end else None, types=list(types),
                            known_at=known_at.isoformat() if known_at else None)
    click.echo(render("timeline", fmt, doc), nl=False)


@cli.command()
@click.argument("org")
@click.argument("d1", type=DayType(), required=False)
@click.argument("d2", type=DayType(), required=False)
@click.option("--last", type=PeriodType(), default=None,
              help="Compare the state this long before the end (90d, 2w, 3m, 1y; calendar "
                   "months and years) with the end: D1 alone is then the end (default: "
                   "today).")
@known_at_option
@policy_options
@format_option("text", "json", "md")
@click.pass_context
def diff(ctx: click.Context, org: str, d1: date | None, d2: date | None, last: str | None,
         known_at: datetime | None, prefer: Any, min_evidence: str | None, fmt: str) -> None:
    """Show what changed in an organisation between two dates, each change with its sources.

    Compares the state at the end of D1 with the state at the end of D2: people who joined,
    departed (with every account of a disputed departure) or returned, roles started and
    ended, units created, renamed, moved, merged or dissolved, figures new or changed, and
    the announcements, meetings and statements in between. --last 3m compares the state
    three months before the end (D1 alone, or today) with the end.

    \b
    Examples:
      factbase diff xai 2026-01-01 2026-03-01
      factbase diff xai 2026-02-01 2026-02-28 --format md > february.md
      factbase diff xai 2026-01-01 2026-03-01 --format json | jq '.departed[].name'
      factbase diff xai --last 3m
      factbase diff xai 2026-03-01 --last 90d
    """
    if last is not None:
        if d2 is not None:
            raise click.UsageError("with --last give one date, the end (or none: today), "
                                   "not D1 and D2", ctx)
        from factbase.core.dates import days_before

        d2 = d1 or _today()
        d1 = days_before(d2, last)
    elif d1 is None or d2 is None:
        raise click.UsageError(f"Missing argument '{'D1' if d1 is None else 'D2'}' (or give "
                               "--last PERIOD).", ctx)
    if d1 > d2:
        raise click.BadParameter(f"D1 {d1} is after D2 {d2}; D1 must be on or before D2",
                                 param_hint="'D1'")
    from factbase.render import render

    fb = _settings(ctx).fb(ctx)
    doc = fb.diff(org, d1, d2, known_at=known_at, prefer=prefer, min_evidence=min_evidence)
    click.echo(render("diff", fmt, doc), nl=False)


@cli.command()
@click.argument("org")
@as_of_option
@click.option("--since", type=SinceType(), default=None,
              help="List the changes since the end of this day, or this long before --as-of "
                   "(90d, 2w, 3m, 1y) (default: 90 days before --as-of).")
@known_at_option
@policy_options
@format_option("md", "html", "json")
@click.option("--interactive", is_flag=True,
              help="With --format html: the explorer, one offline page with a date slider "
                   "that shows the organisation on any date (opening on --as-of).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write to FILE (replaced only once the report is complete) instead of "
                   "standard output.")
@click.pass_context
def report(ctx: click.Context, org: str, as_of: date | None, since: date | str | None,
           known_at: datetime | None, prefer: Any, min_evidence: str | None, fmt: str,
           interactive: bool, out: str | None) -> None:
    """Write the as-of report on an organisation, every fact with numbered sources.

    Headline figures, the org chart on the date, who was where and when, the changes since
    --since, disputed facts with each account, figures and uncertain items. html is one
    self-contained page (inline CSS, the org chart and tenure timeline as inline SVG) that
    works offline; html --interactive is the explorer: one offline page whose date slider
    shows the org chart, people, roles, departures, figures and uncertain facts on any date.

    \b
    Examples:
      factbase report xai --as-of 2026-03-01 --format html --out xai.html
      factbase report xai --as-of 2026-03-01 --format html --interactive --out xai-explorer.html
      factbase report xai --as-of 2026-03-01 --since 2026-01-01 > xai.md
      factbase report xai --as-of 2026-03-01 --since 6m > xai.md
      factbase report xai --as-of 2026-03-01 --format json | jq '.figures'
    """
    from factbase.io.files import write_text
    from factbase.render import render

    as_of = as_of or _today()
    if isinstance(since, str):  # a window back from the as-of day
        from factbase.core.dates import days_before

        since = days_before(as_of, since)
    if since is not None and since > as_of:
        raise click.BadParameter(f"--since {since} is after --as-of {as_of}",
                                 param_hint="'--since'")
    if interactive and fmt != "html":
        raise click.BadParameter(f"--interactive goes with --format html, not {fmt}",
                                 param_hint="'--interactive'")
    fb = _settings(ctx).fb(ctx)
    if interactive:
        doc = fb.explorer(org, as_of=as_of, known_at=known_at, prefer=prefer,
                          min_evidence=min_evidence)
        text, what = render("explorer", "html", doc), "explorer"
    else:
        doc = fb.report(org, as_of=as_of, since=since, known_at=known_at, prefer=prefer,
                        min_evidence=min_evidence)
        text, what = render("report", fmt, doc), "report"
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text(out, text)
        say(f"{out}: {what} on {doc['org']['name']} as of {doc['as_of']} written "
            f"({fmt}, {len(doc['sources'])} sources)")


class AnchorType(click.ParamType):  # type: ignore[type-arg]
    """``SEQ:HASH`` as printed by ``verify --anchor``."""

    name = "SEQ:HASH"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[int, str]:
        if isinstance(value, tuple):
            return value
        seq, sep, digest = str(value).partition(":")
        digest = digest.strip().lower()
        if not sep or not seq.isdigit() or int(seq) < 1 or len(digest) < 16 or any(
                c not in "0123456789abcdef" for c in digest):
            self.fail(f"'{value}' is not an anchor; give SEQ:HASH as `factbase verify "
                      "--anchor` printed it (at least 16 hex digits)", param, ctx)
        return int(seq), digest


@cli.command()
@click.option("--anchor", "show_anchor", is_flag=True,
              help="Also print the head as SEQ:HASH, to publish; it proves later that the log "
                   "was not rewritten.")
@click.option("--check-anchor", "anchor", type=AnchorType(), default=None,
              help="Check the log against an anchor published earlier (SEQ:HASH).")
@click.option("--projections", "full", is_flag=True,
              help="Also rebuild every projection from the log (into a scratch file) and "
                   "compare it row for row: as slow as `factbase rebuild`.")
@format_option("text", "json")
@click.pass_context
def verify(ctx: click.Context, show_anchor: bool, anchor: tuple[int, str] | None,
           full: bool, fmt: str) -> None:
    """Check the hash chain of the log, and the projections against it.

    Exits 1 naming the first bad sequence number if any row was changed, removed or
    inserted behind factbase's back. A published anchor also catches a log rewritten
    from scratch or cut short. Also checks every event's content hash, that the database
    still refuses changes to the log (the append-only triggers) and that the search index
    indexes its documents. The projections get quick checks only (registered entities and
    sources, and entity names, agree with the log; memberships, roles and the other
    projections are not looked at); --projections compares every one with a full rebuild.

    \b
    Examples:
      factbase verify
      factbase verify --anchor
      factbase verify --check-anchor 79:80e7e6f47373911c0c1d2e3f4a5b6c7d
      factbase verify --projections
    """
    import json

    fb = _settings(ctx).fb(ctx)
    report = fb.verify(anchor, projections=full)
    if fmt == "json":
        click.echo(json.dumps({"ok": report.ok, "events": report.events, "head": report.head,
                               "anchor": f"{report.events}:{report.head}",
                               "bad_seq": report.bad_seq, "problems": report.problems,
                               "checked": ["hash chain intact", *report.also, report.checked]
                               if report.ok else []}))
    elif report.ok:
        click.echo(f"ok: {report.events} events, hash chain intact, {report.checked} "
                   f"(head {report.head[:16]})")
        if anchor is not None:
            click.echo(f"anchor {anchor[0]}:{anchor[1][:16]}… matches")
        click.echo(f"also checked: {', '.join(report.also)}")
        if show_anchor:  # last, so scripts can take the last line
            click.echo(f"anchor: {report.events}:{report.head}")
    if not report.ok:
        if fmt != "json":
            for p in report.problems:
                say(f"Error: {p}")
        ctx.exit(1)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "yaml", "csv", "timelinejs"]),
              default="jsonl", show_default=True,
              help="jsonl/yaml: a timeline file that loads back into the same log; csv: for "
                   "spreadsheets; timelinejs: Knight Lab's TimelineJS JSON.")
@click.option("--table", type=click.Choice(["events", "memberships"]), default=None,
              help="With --format csv: one row per event (default), or per membership or "
                   "role interval.")
@click.option("--out", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Write to FILE (replaced only once the export is complete) instead of "
                   "standard output.")
@click.option("--org", default=None, metavar="ORG",
              help="With --format timelinejs: only this organisation's events (id or name); "
                   "its reorganisations mark eras.")
@click.option("--person", default=None, metavar="PERSON",
              help="With --format timelinejs: only events naming this person (id or name).")
@click.option("--from", "start", type=BoundType("start"), default=None,
              help="With --format timelinejs: events overlapping this date or later.")
@click.option("--to", "end", type=BoundType("end"), default=None,
              help="With --format timelinejs: events overlapping this date or earlier.")
@known_at_option
@click.option("--include-redacted", is_flag=True,
              help="jsonl/yaml: export the log as it is even when people are redacted (the "
                   "export then shows what `redact` hides).")
@click.pass_context
def export(ctx: click.Context, fmt: str, table: str | None, out: str | None,
           org: str | None, person: str | None, start: date | None, end: date | None,
           known_at: datetime | None, include_redacted: bool) -> None:
    """Write every source, entity and event of the log for other tools.

    jsonl and yaml are timeline files (docs/format.md): loaded into an empty database they
    give the same events, ids and hashes. csv cells are safe to open in a spreadsheet.
    With people redacted, csv and timelinejs hide them; jsonl and yaml are refused unless
    --include-redacted is given (they are the log, original text included).

    \b
    Examples:
      factbase export > backup.jsonl
      factbase export --format yaml --out backup.yaml
      factbase export --format csv --table memberships --out memberships.csv
      factbase export --format timelinejs --org xai --from 2026-01 --out timeline.json
    """
    if table is not None and fmt != "csv":
        raise click.UsageError("--table applies to --format csv only")
    chosen = [flag for flag, v in (("--org", org), ("--person", person), ("--from", start),
                                   ("--to", end)) if v is not None]
    if chosen and fmt != "timelinejs":
        raise click.UsageError(f"{chosen[0]} applies to --format timelinejs only")
    if start and end and start > end:
        raise click.BadParameter(f"--from {start} is after --to {end}", param_hint="'--from'")
    from factbase.io.files import write_to

    fb = _settings(ctx).fb(ctx)
    if include_redacted and fmt in ("jsonl", "yaml") and fb.redacted_count():
        say("warning: --include-redacted: this export holds the names and texts "
            "of redacted people; keep it out of anything published")
    n = write_to(out, lambda stream: fb.export(fmt, stream, table=table or "events",
                                               known_at=known_at,
                                               include_redacted=include_redacted,
                                               org=org, person=person, start=start, end=end),
                 sys.stdout.buffer)
    if out is not None:
        what = {"csv": "rows", "timelinejs": "events"}.get(fmt, "records")
        say(f"{out}: {n} {what} written")


@cli.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Rebuild every projection table from the log, in one transaction.

    \b
    Example:
      factbase rebuild
    """
    fb = _settings(ctx).fb(ctx)
    n = fb.rebuild()
    click.echo(f"rebuilt projections from {n} events")


@cli.command()
@click.argument("query", metavar="QUERY | -")
@as_of_option
@known_at_option
@format_option("table", "csv", "json")
@click.option("--timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              metavar="SECONDS",
              help="Stop the query after this many seconds in the database (0: no limit). "
                   "Ctrl-C stops it too.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Print at most N rows (default: 10,000 for the table format, which says "
                   "when it cuts; every row for csv and json, written as they come).")
@click.pass_context
def sql(ctx: click.Context, query: str, as_of: date | None, known_at: datetime | None,
        fmt: str, timeout: float, limit: int | None) -> None:
    """Run one read-only SQL query over the log, projections and views; print the rows.

    `:as_of` in the query is bound to --as-of and `:known_at` to --known-at (default: now).
    The tables and views, with queries on both time axes to copy, are in docs/sql.md. Any
    write is refused by the connection itself; on PostgreSQL the query runs as the role
    factbase_reader, which may only read the documented tables. `-` reads the query from
    standard input.

    \b
    Examples:
      factbase sql "SELECT * FROM memberships WHERE person = 'tony-wu'"
      factbase sql "SELECT * FROM citations WHERE source_id = 'huxiu-4835050'" --format csv
      factbase sql - --as-of 2026-02-11 --format json < who-was-there.sql
      factbase sql "SELECT * FROM events" --format csv --timeout 300 > events.csv
    """
    from factbase.render.sql import TABLE_LIMIT, truncation_note, write

    if query == "-":
        query = sys.stdin.read()
    if not query.strip():
        raise click.BadParameter("the query is empty", param_hint="'QUERY'")
    fb = _settings(ctx).fb(ctx)
    cut = limit if limit is not None else TABLE_LIMIT if fmt == "table" else None

    def consume(columns: list[str], rows: Any) -> tuple[int, bool]:
        return write(columns, rows, fmt, lambda chunk: click.echo(chunk, nl=False), cut)

    shown, more = fb.sql_stream(query, consume, as_of=as_of or _today(), known_at=known_at,
                                timeout=timeout)
    if more and fmt == "table":
        click.echo(truncation_note(shown), nl=False)
    elif more:
        say(f"note: stopped after {shown:,} rows (--limit {cut}); more rows follow")


@cli.command()
@click.argument("text")
@as_of_option
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Show at most this many hits.")
@format_option("text", "json")
@click.pass_context
def search(ctx: click.Context, text: str, as_of: date | None, limit: int, fmt: str) -> None:
    """Search event summaries, notes and accounts, entity names and aliases, source titles.

    Hits are ranked (best first) and shown with their date and sources. Names match in any
    script and case (吳宇懷 finds 吴宇怀); every word must occur; "quote" a phrase. Events
    that had not happened by --as-of are left out.

    \b
    Examples:
      factbase search Imagine
      factbase search 吳宇懷
      factbase search "parted ways" --as-of 2026-02-09 --format json
    """
    from factbase.render.search import render_json, render_text

    fb = _settings(ctx).fb(ctx)
    day = as_of or _today()
    hits = fb.search(text, as_of=day, limit=limit)
    out = render_json(hits, text, day) if fmt == "json" else render_text(hits, text)
    click.echo(out, nl=False)


@cli.command()
@click.argument("event_id")
@click.option("--date", "new_date", default=None, metavar="DATE",
              help="The corrected valid time (any factbase date form).")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="A corrected field (repeatable), e.g. --set reason=dismissed; "
                   "FIELD=null removes an optional field.")
@click.option("--why", required=True, help="Why the event was wrong.")
@click.option("--source", "sources", multiple=True, required=True, metavar="SOURCE_ID",
              help="The source of the correction (a registered source id; repeatable).")
@click.option("--evidence", type=click.Choice(["confirmed", "reported", "unconfirmed"]),
              default=None, help="How the correction is known.")
@click.option("--expect-version", "expect", type=click.IntRange(min=0), default=None,
              metavar="N", help="Write only if the event's stream is still at version N (see "
                                "`factbase stream`); else exit 3 and write nothing.")
@click.pass_context
def correct(ctx: click.Context, event_id: str, new_date: str | None, sets: tuple[str, ...],
            why: str, sources: tuple[str, ...], evidence: str | None,
            expect: int | None) -> None:
    """Correct an event by appending an event.corrected (the original stays in the log).

    Replay uses the corrected fields from now on; `--known-at` before now still shows the
    old picture. A correction of a correction amends the earlier correction.

    \b
    Example:
      factbase correct tony-wu-left --date 2026-02-10 --why "dated in Asia" --source ht-post
      factbase correct metric-x-mau --set value=550000000 --why "typo" --source huxiu-4835050
    """
    from factbase.api import parse_changes
    from factbase.core.errors import InputError

    try:
        changes = parse_changes(sets)
    except InputError as exc:
        raise click.BadParameter(str(exc), param_hint="'--set'") from None
    if new_date is not None:
        changes["date"] = new_date
    if not changes:
        raise click.UsageError("nothing to correct: give --date and/or --set FIELD=VALUE")
    fb = _settings(ctx).fb(ctx)
    result = fb.correct(event_id, changes, why=why, sources=sources, evidence=evidence,
                        expected_version=expect)
    what = ", ".join(f"{k}={v}" for k, v in changes.items())
    click.echo(f"corrected {event_id}: {what}" if result.new else
               f"{event_id}: this correction is already in the log")


@cli.command()
@click.argument("event_id")
@click.option("--why", required=True, help="Why the event should never have been recorded.")
@click.option("--source", "sources", multiple=True, required=True, metavar="SOURCE_ID",
              help="The source of the retraction (a registered source id; repeatable).")
@click.option("--expect-version", "expect", type=click.IntRange(min=0), default=None,
              metavar="N", help="Write only if the event's stream is still at version N (see "
                                "`factbase stream`); else exit 3 and write nothing.")
@click.pass_context
def retract(ctx: click.Context, event_id: str, why: str, sources: tuple[str, ...],
            expect: int | None) -> None:
    """Retract an event by appending an event.retracted (the original stays in the log).

    Replay ignores the event from now on; `--known-at` before now still shows it, and
    `timeline --history` shows both.

    \b
    Example:
      factbase retract metric-x-installs --why "not in the recording" --source huxiu-4835050
    """
    result = _settings(ctx).fb(ctx).retract(event_id, why=why, sources=sources,
                                            expected_version=expect)
    click.echo(f"retracted {event_id}" if result.new else
               f"{event_id}: this retraction is already in the log")


@cli.command()
@click.argument("person", required=False)
@click.option("--why", help="Why the person is redacted (e.g. their request).  [required]")
@click.option("--source", "sources", multiple=True, metavar="SOURCE_ID",
              help="The source of the request (a registered source id; repeatable).  "
                   "[required]")
@click.option("--list", "show", is_flag=True,
              help="Instead, list the redactions that stand: id, placeholder, when recorded "
                   "and why (never the person's name or id).")
@click.pass_context
def redact(ctx: click.Context, person: str | None, why: str | None, sources: tuple[str, ...],
           show: bool) -> None:
    """Hide a person in every output by appending an entity.redacted (the log keeps its rows).

    PERSON is an id or any name. From now on org, timeline, who, diff, report, export,
    search and the SQL projections show them as [redacted person] under an opaque id, with
    the free text of events about them hidden and their names replaced in other texts;
    dates, roles and counts stay. They stay hidden even in views of an earlier state
    (--known-at before the redaction was recorded). The log itself still holds the original
    text (redact hides, it does not erase). `factbase retract EVENT_ID` undoes it.

    \b
    Examples:
      factbase redact jimmy-ba --why "asked to be removed" --source request-2026-03-01
      factbase redact --list
    """
    if show:
        if person is not None or why is not None or sources:
            raise click.UsageError("--list takes no PERSON, --why or --source", ctx)
        rows = _settings(ctx).fb(ctx).redactions()
        for r in rows:
            say(f"{r.event_id}  {r.placeholder}  recorded {r.recorded}  why: {r.why}", err=False)
        if not rows:
            click.echo("(no redactions stand)")
        return
    if person is None:
        raise click.UsageError("Missing argument 'PERSON'.", ctx)
    params = {p.name: p for p in ctx.command.params}
    for name, value in (("why", why), ("sources", sources)):
        if not value and value != "":
            raise click.MissingParameter(ctx=ctx, param=params[name])
    assert person is not None and why is not None
    done = _settings(ctx).fb(ctx).redact(person, why=why, sources=sources)
    click.echo(f"redacted {done.entity}: outputs show {done.placeholder}; undo with "
               f"`factbase retract {done.event_id}`")


@cli.command()
@click.argument("stream")
@format_option("text", "json")
@click.pass_context
def stream(ctx: click.Context, stream: str, fmt: str) -> None:
    """Print the version of a stream: how many events the log holds in it (0 for none).

    STREAM is an exact stream id, normally an organisation's id. Pass the version to
    `load`, `correct` or `retract` with --expect-version to write only if nobody else
    has appended to the stream since you read it.

    A stream with no events prints version 0 (what a load that starts it expects) with
    a note saying so and a close id of the log if there is one; it exits 0 all the same.
    A redacted person's stream answers by its placeholder id only.

    \b
    Example:
      factbase stream xai
      factbase load late-news.yaml --expect-version xai=42
    """
    status = _settings(ctx).fb(ctx).stream(stream)
    if fmt == "json":
        import json

        click.echo(json.dumps({"stream": stream, "version": status.version}))
    elif status.version:
        click.echo(f"{stream}: version {status.version}")
    else:
        hint = f"; did you mean {status.suggestion}?" if status.suggestion else ""
        click.echo(f"{stream}: version 0 (no events in the log{hint})")


@cli.command(name="ls")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              type=click.Choice(["organization", "organizations", "org", "orgs", "person",
                                 "people", "unit", "units", "product", "products", "source",
                                 "sources"]),
              help="Only this kind: organization, person, unit, product or source "
                   "(plurals and org too); repeatable.")
@click.option("--org", default=None, metavar="ORG",
              help="Only what belongs to this organisation (an id or any name): it, its "
                   "people, units and products, and the sources its events cite.")
@click.option("--name", default=None, metavar="TEXT",
              help="Only those whose name, alias or id contains TEXT (any script and case; "
                   "for sources: id, title or publisher).")
@format_option("text", "json", "csv")
@click.pass_context
def ls_command(ctx: click.Context, kinds: tuple[str, ...], org: str | None, name: str | None,
               fmt: str) -> None:
    """List what the database holds: organisations, people, units, products and sources.

    The totals of each kind first, then the entities with their ids (what the other
    commands take), the organisations each person, unit or product belongs to, and how
    many events each organisation has and cite each source.

    \b
    Examples:
      factbase ls
      factbase ls --kind person --org xai
      factbase ls --name wu
      factbase ls --kind source --format csv > sources.csv
    """
    from factbase.render import listing

    fb = _settings(ctx).fb(ctx)
    chosen = sorted({listing.KIND_WORDS[k] for k in kinds}) or None
    result = fb.ls(chosen, org=org, name=name)
    render = {"text": listing.render_text, "json": listing.render_json,
              "csv": listing.render_csv}[fmt]
    click.echo(render(result), nl=False)


@cli.group(name="import")
def import_group() -> None:
    """Import facts from outside sources (Wikidata), sourced and idempotent.

    \b
    Example:
      factbase import wikidata Q2283.json Q5284.json
    """


@import_group.command(name="wikidata")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--dry-run", is_flag=True,
              help="Check the records the import would append and print them as JSON Lines "
                   "(a file `factbase load` takes); write nothing.")
@click.pass_context
def import_wikidata(ctx: click.Context, files: tuple[str, ...], dry_run: bool) -> None:
    """Import Wikidata entity JSON: organisations' founding, leaders and people's posts.

    FILE is a Special:EntityData/Q….json document, a wbgetentities response, or lines of
    the JSON dump. Each item becomes an entity (id q<number>, its labels and aliases in
    every language as names); inception, founders, chief executive, chairperson, employers
    and positions held become events with their dates, each citing the statement's
    references (else the item). Importing again adds nothing; a statement changed in
    Wikidata becomes a correction. No network access: entities named but not given are
    registered by their Q-id until their documents are imported.

    \b
    Examples:
      factbase import wikidata Q2283.json
      factbase import wikidata latest-all-sample.json --dry-run > sample.jsonl
      factbase org Microsoft --as-of 2010-01-01
    """
    import json

    from factbase.core.escape import json_safe
    from factbase.render.wikidata import summary_lines

    settings = _settings(ctx)
    fb = settings.fb(ctx, create=not dry_run)
    result = fb.import_wikidata(list(files), dry_run=dry_run)
    lines = summary_lines(result)
    if dry_run:
        for rec in result.plan.records:
            click.echo(json_safe(json.dumps(rec, ensure_ascii=False)))
        for line in lines:
            say(line)
        say(f"dry run: {len(result.plan.records)} records checked; nothing written")
        return
    for line in lines:
        say(line, err=False)
    loaded = result.loaded
    new, present = (loaded.new, loaded.present) if loaded else (0, 0)
    present += result.plan.present  # left out of the load: in the log as corrected since
    total = loaded.total if loaded else fb.count()
    click.echo(f"wikidata: {result.documents} document{'s' if result.documents != 1 else ''}, "
               f"{new} new, {present} already present (the log holds {total} events)")
    for clash in (loaded.collisions if loaded else ())[:20]:
        say(clash.warning())


def _add_group() -> click.Group:
    from factbase.cli_add import ADD_HELP, AddGroup

    return AddGroup(name="add", help=ADD_HELP, no_args_is_help=True,
                    short_help="Add one event, source or entity from the command line.")


cli.add_command(_add_group())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="factbase", auto_envvar_prefix=None)


if __name__ == "__main__":  # pragma: no cover
    main()


