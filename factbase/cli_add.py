"""``factbase add TYPE``: one event (or source, or entity) from the command line.

Each event type of :data:`factbase.core.fields.EVENT_TYPES` is a subcommand whose options are
its fields, generated from the type's pydantic model (a choice for a fixed set of values, a
repeatable option for a list, JSON for records inside the record), plus the envelope
(``--date``, ``--source``, ``--id``, ``--evidence``, ``--note``, …). ``source``, ``person``,
``organization``, ``unit`` and ``product`` register a source or an entity, as the ``sources``
and ``entities`` sections of a file do. The record built from the options goes through the
same validation and append as a loaded file (:meth:`factbase.api.FactBase.add`), so the
errors are the loader's; ``--dry-run`` checks it and prints it (JSON) without writing.

The models are imported only when ``add`` lists or builds its subcommands, so ``factbase
--help`` stays fast.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

import click

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

#: Types with their own command, or that are written through the shorthands below.
_LEFT_OUT = ("event.corrected", "event.retracted", "entity.registered", "source.registered")
#: Shorthands: registrations, as the sections of a timeline file write them.
_SHORTHANDS = {
    "source": "Register a source that events cite: an article, a post, a filing.",
    "person": "Register a person, with their names in any script.",
    "organization": "Register an organisation, with its names in any script.",
    "unit": "Register a unit (a division, a team) by name; unit.created places it.",
    "product": "Register a product, with its names.",
}
#: What a field means (docs/format.md's tables, shortened); per type where it differs.
_MEANING: dict[str, str] = {
    "person": "Who: a person id.",
    "org": "The organisation: an organization id.",
    "unit": "The unit: a unit id.",
    "title": "The title as the source gives it (\"Head of Imagine\").",
    "reason": "Why they left, when the sources agree.",
    "accounts": "An attributed account, as JSON: {\"by\": ID, \"says\": TEXT, \"source\": "
                "SOURCE_ID, \"reason\": …, \"evidence\": …}; repeatable.",
    "role": "The role: staff (cofounder, lead, core_member, member, executive) or an "
            "affiliation (board_member, adviser, investor).",
    "capacity": "acting or interim; omit for a substantive holder.",
    "holding": "An id naming the holding, so a later change or ending finds exactly it.",
    "founders": "A founder: a person id; repeatable.",
    "into": "What it merges into: an id of the same kind.",
    "name": "The name.",
    "kind": "A code for its kind.",
    "parent": "The unit it sits under (omit for the top level).",
    "summary": "What was said or done, in your words.",
    "channel": "Where it was said: post on X, interview with The Trade Paper.",
    "url": "A link to it.",
    "effective": "When the changes took effect (a date or a range; default: --date).",
    "changes": "A change taking effect with the reorganisation, as JSON: {\"type\": "
               "\"unit.created\", …}; repeatable.",
    "speakers": "Who spoke: a person id; repeatable.",
    "topics": "What was said, one topic per option; repeatable.",
    "media": "A recording, transcript or slides, as JSON: {\"kind\": \"video\", \"url\": …}; "
             "repeatable.",
    "subject": "What the figure is about: an entity id (an organisation, a product, a unit).",
    "metric": "What is measured, a code: headcount, monthly_active_users, "
              "training_cluster_gpus.",
    "value": "The figure: an integer or a decimal.",
    "period": "The period it covers: monthly, past 30 days, annual recurring.",
    "qualifier": "How exact the figure is.",
    "product": "The product: a product id (defined by this event if new).",
    "stage": "Its stage: closed internal test, general release…",
    "entity": "The entity: an id.",
    "aliases": "Another name, in any script; repeatable.",
    "why": "Why, in your words.",
    "target": "The id of the event it is about.",
    "account": "The account, as JSON: {\"by\": ID, \"says\": TEXT, \"source\": SOURCE_ID, "
               "\"reason\": …, \"date\": …, \"value\": …}.",
}
_TYPE_MEANING: dict[tuple[str, str], str] = {
    ("metric.reported", "unit"): "Its unit: employees, USD, GPU, percent, ratio…",
    ("metric.reported", "org"): "The organisation that files the figure (when the subject is "
                                "not it).",
    ("statement.made", "org"): "The organisation it concerns.",
    ("person.left", "org"): "The organisation they left.",
    ("unit.created", "unit"): "The new unit's id.",
    ("unit.created", "kind"): "A code for its kind: division, team, support_team, lab…",
    ("meeting.held", "kind"): "A code for its kind: all_hands, board…",
    ("unit.created", "name"): "Its name.",
    ("unit.renamed", "name"): "Its new name.",
    ("unit.moved", "parent"): "Its new parent unit (omit to move it to the top level).",
    ("unit.merged", "unit"): "The unit that ends.",
    ("unit.merged", "into"): "The unit that absorbs it.",
    ("org.merged", "into"): "The organisation it merges into.",
    ("role.ended", "title"): "End only the holding with this title.",
    ("product.announced", "name"): "Its display name (when this event defines it).",
    ("product.launched", "name"): "Its display name (when this event defines it).",
    ("entity.merged", "entity"): "The entity that is the same as INTO: an id.",
    ("entity.merged", "into"): "The entity it is one with: an id.",
    ("entity.unmerged", "entity"): "The entity that is not INTO after all: an id.",
    ("entity.unmerged", "into"): "The entity it was merged into: an id.",
    ("entity.redacted", "entity"): "The person to hide in every output: a person id.",
    ("account.added", "target"): "The event the account is about: an event id.",
}
#: The end of a help summary's first sentence: a full stop and a space, not an "e.g." or "i.e.".
_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.(?:\s|$)")
#: A reStructuredText role in a docstring (:mod:`factbase.store.redact`): its text is shown.
_RST_ROLE = re.compile(r":[a-z]+:`([^`]*)`")


def _short_help(summary: str) -> str:
    """The first sentence of ``summary``, without its full stop, for the list of types."""
    end = _SENTENCE_END.search(summary)
    return (summary[:end.start()] if end else summary).rstrip(".")


#: Repeatable options are named for one item.
_SINGULAR = {"founders": "founder", "speakers": "speaker", "topics": "topic",
             "aliases": "alias", "accounts": "account", "changes": "change"}


def _plain(annotation: Any) -> Any:
    """The annotation without Optional and Annotated wrappers."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _shape(annotation: Any) -> tuple[str, tuple[str, ...]]:
    """``(shape, choices)``: shape ``text``, ``choice``, ``number``, ``list``, ``json`` or
    ``json_list``."""
    from pydantic import BaseModel

    plain = _plain(annotation)
    origin = get_origin(plain)
    if origin is Literal:
        return "choice", tuple(str(a) for a in get_args(plain))
    if origin is list:
        inner, _ = _shape(get_args(plain)[0])
        return ("list" if inner in ("text", "choice") else "json_list"), ()
    if origin is dict or (isinstance(plain, type) and issubclass(plain, BaseModel)):
        return "json", ()
    if set(get_args(plain)) == {int, float}:
        return "number", ()
    return "text", ()


def _metavar(type_: str, name: str, refs: Mapping[str, str], shape: str) -> str:
    kind = refs.get(name)
    if kind in ("person", "organization", "unit", "product", "entity"):
        return {"organization": "ORG"}.get(kind, kind.upper()) + "_ID"
    if shape in ("json", "json_list"):
        return "JSON"
    if shape == "number":
        return "NUMBER"
    if name in ("effective",):
        return "DATE"
    if name in ("holding", "metric", "kind", "target") or name.endswith("id") or (
            type_, name) == ("unit.created", "unit"):  # the id of the unit it creates
        return "ID"
    return "TEXT"


def _field_option(type_: str, name: str, info: FieldInfo, refs: Mapping[str, str]
                  ) -> click.Option:
    shape, choices = _shape(info.annotation)
    meaning = _TYPE_MEANING.get((type_, name)) or _MEANING.get(name, "")
    required = " [required]" if info.is_required() else ""
    if type_ == "person.left" and name == "reason":
        required = " [required unless --account is given]"
    multiple = shape in ("list", "json_list")
    flag = "--" + (_SINGULAR.get(name, name) if multiple else name).replace("_", "-")
    metavar = _metavar(type_, name, refs, shape)
    if shape == "choice":  # the values are checked by validation, as for a file
        meaning = (meaning + " One of: " + ", ".join(choices) + ".").strip()
        metavar = name.upper()
    return click.Option([flag, name], multiple=multiple, default=None, metavar=metavar,
                        help=(meaning + required).strip())


def _envelope_options(dated: bool, sourced: bool) -> list[click.Option]:
    from factbase.core.events import EVIDENCE_LEVELS

    opts = [click.Option(["--id", "id"], default=None, metavar="ID",
                         help="The event's id (default: derived from its content, so adding "
                              "the same fact again adds nothing).")]
    if dated:
        opts += [
            click.Option(["--date", "date"], default=None, metavar="DATE",
                         help="When it happened: 2026-02-10, 2026-02, 2026, 2026-02~, "
                              "2026-02-01/2026-02-11, ../2026-02-10 (any form of "
                              "docs/format.md). [required]"),
            click.Option(["--at", "at"], default=None, metavar="INSTANT",
                         help="The exact instant, with its offset (2026-02-11T00:05:00Z)."),
            click.Option(["--announced", "announced"], default=None, metavar="DATE",
                         help="When it was announced, if not when it took effect."),
        ]
    opts += [
        click.Option(["--evidence", "evidence"], default=None, metavar="EVIDENCE",
                     help="How it is known: " + ", ".join(reversed(EVIDENCE_LEVELS)) + "."),
        click.Option(["--source", "sources"], multiple=True, metavar="SOURCE_ID",
                     help="A source it cites: a registered source id; repeatable."
                          + (" [required]" if sourced else "")),
        click.Option(["--note", "note"], default=None, metavar="TEXT",
                     help="A note: how you read the sources, what is unsure."),
    ]
    return opts


def _common_options() -> list[click.Option]:
    return [
        click.Option(["--dry-run", "dry_run"], is_flag=True,
                     help="Check the record (fields and references) and print it as JSON; "
                          "write nothing."),
        click.Option(["--expect-version", "expect"], type=click.IntRange(min=0),
                     default=None, metavar="N",
                     help="Write only if the event's stream is still at version N (see "
                          "`factbase stream`); else exit 3 and write nothing."),
    ]


def _parse_json(name: str, text: str, flag: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON ({exc.msg} at character {exc.pos + 1}): "
                                 f"{text!r}", param_hint=f"'{flag}'") from None


def _record(type_: str, params: dict[str, Any], shapes: dict[str, str]) -> dict[str, Any]:
    """The input record the options describe (absent options are absent fields)."""
    record: dict[str, Any] = {"type": type_}
    for name, value in params.items():
        if name in ("dry_run", "expect") or value is None or value == ():
            continue
        shape = shapes.get(name, "text")
        flag = "--" + (_SINGULAR.get(name, name) if shape in ("list", "json_list")
                       else name).replace("_", "-")
        if shape == "json":
            value = _parse_json(name, value, flag)
        elif shape == "json_list":
            items: list[Any] = []
            for text in value:
                item = _parse_json(name, text, flag)
                items += item if isinstance(item, list) else [item]
            value = items
        elif shape == "list" or name == "sources":
            value = list(value)
        record[name] = value
    return record


def _run(ctx: click.Context, type_: str, record: dict[str, Any], dry_run: bool,
         expect: int | None) -> None:
    from factbase.cli_context import say, settings
    from factbase.core.escape import json_safe
    from factbase.core.fields import validate_record

    fb = settings(ctx).fb(ctx)
    origin = f"add {ctx.info_name}"
    if dry_run:
        ((draft, present),) = fb.check([record], origin=origin)
        shown: dict[str, Any] = {"id": draft.event_id, "type": draft.type,
                                 "stream": draft.stream}
        if draft.date is not None:
            shown["date"] = draft.date.text
        if draft.instant is not None:
            shown["at"] = draft.instant.isoformat().replace("+00:00", "Z")
        if draft.evidence is not None:
            shown["evidence"] = draft.evidence
        shown |= {"sources": list(draft.sources), **draft.payload}
        click.echo(json_safe(json.dumps(shown, ensure_ascii=False, indent=2)))
        what = "already in the log" if present else "valid; its references are known"
        say(f"dry run: {what}; nothing written")
        return
    result = fb.add([record], origin=origin, expected_version=expect)
    event_id = validate_record(record).event_id  # valid: add has just taken it
    click.echo(event_id)
    if not result.new:
        say(f"note: {event_id} is already in the log with this content; nothing added")
    for line in result.warnings:
        say(f"warning: {line}")
    for clash in result.collisions[:20]:
        say(clash.warning())


def _type_command(type_: str) -> click.Command:
    from factbase.core.events import REGISTRATION_TYPES, UNDATED_TYPES
    from factbase.core.fields import EVENT_TYPES

    model = EVENT_TYPES[type_]
    refs = dict(model.REFS)
    fields = model.model_fields
    params: list[click.Parameter] = [_field_option(type_, n, f, refs) for n, f in
                                     fields.items() if n != "note"]
    params += _envelope_options(type_ not in UNDATED_TYPES, type_ not in REGISTRATION_TYPES)
    params += _common_options()
    shapes = {n: _shape(f.annotation)[0] for n, f in fields.items()}
    doc = (model.__doc__ or type_).strip()
    summary = _RST_ROLE.sub(r"\1", " ".join(doc.split("\n\n")[0].replace("``", "").split()))
    example = _EXAMPLES.get(type_)

    def callback(**kwargs: Any) -> None:
        ctx = click.get_current_context()
        dry_run, expect = kwargs["dry_run"], kwargs["expect"]
        _run(ctx, type_, _record(type_, kwargs, shapes), dry_run, expect)

    help_text = summary + "\n\nFields and envelope as in docs/format.md; validated as "\
        "`factbase load` validates a file. Prints the new event's id."
    if example:
        help_text += "\n\n\b\nExample:\n  " + example
    return click.Command(type_, params=params, callback=callback, help=help_text,
                         short_help=_short_help(summary), no_args_is_help=True)


def _shorthand_command(name: str) -> click.Command:
    if name == "source":
        params: list[click.Parameter] = [
            click.Option(["--id", "id"], metavar="ID", required=True,
                         help="The source's id (a slug, e.g. huxiu-4835050)."),
            click.Option(["--url"], metavar="URL", help="Where it is."),
            click.Option(["--title"], metavar="TEXT", help="Its title; [in brackets] when you "
                         "describe an untitled post."),
            click.Option(["--publisher"], metavar="TEXT", help="Who published it."),
            click.Option(["--published"], metavar="DATE", help="When it was published (any "
                         "date form)."),
            click.Option(["--language"], metavar="TAG", help="Its language, a BCP 47 tag (en, "
                         "zh-Hans)."),
            click.Option(["--note"], metavar="TEXT", help="A note about the source."),
        ]
    else:
        params = [
            click.Option(["--id", "id"], metavar="ID", required=True,
                         help=f"The {name}'s id (a slug, e.g. {_SLUG_EXAMPLES[name]})."),
            click.Option(["--name"], metavar="TEXT", required=True, help="Its display name."),
            click.Option(["--alias", "aliases"], multiple=True, metavar="TEXT",
                         help="Another name, in any script; repeatable."),
            click.Option(["--note"], metavar="TEXT", help="A note about it."),
        ]
    params += _common_options()

    def callback(**kwargs: Any) -> None:
        ctx = click.get_current_context()
        given = {k: v for k, v in kwargs.items()
                 if k not in ("dry_run", "expect") and v is not None and v != ()}
        ident = given.pop("id", None)
        if name == "source":
            record = {"type": "source.registered", "source": ident, **given}
        else:
            if "aliases" in given:
                given["aliases"] = list(given["aliases"])
            record = {"type": "entity.registered", "entity": ident, "kind": name, **given}
        _run(ctx, record["type"], record, kwargs["dry_run"], kwargs["expect"])

    return click.Command(name, params=params, callback=callback, no_args_is_help=True,
                         help=_SHORTHANDS[name] + "\n\nThe same as an entry of a file's "
                         f"{'sources' if name == 'source' else 'entities'} section. Prints "
                         "the event id of the registration.\n\n\b\nExample:\n  "
                         + _EXAMPLES[name], short_help=_SHORTHANDS[name].rstrip("."))


_SLUG_EXAMPLES = {"person": "tony-wu", "organization": "xai", "unit": "xai-imagine",
                  "product": "grok-imagine"}
_EXAMPLES = {
    "source": "factbase add source --id ht-2026-02-10 --url https://example.com/a "
              "--title \"Tony Wu quits\" --publisher \"Hindustan Times\" --published "
              "2026-02-10",
    "person": "factbase add person --id tony-wu --name \"Tony Wu\" --alias 吳宇懷",
    "organization": "factbase add organization --id xai --name xAI",
    "unit": "factbase add unit --id xai-imagine --name Imagine",
    "product": "factbase add product --id grok-imagine --name \"Grok Imagine\"",
    "person.left": "factbase add person.left --person tony-wu --org xai --date 2026-02-09 "
                   "--reason resigned --source ht-2026-02-10",
    "person.joined": "factbase add person.joined --person haotian-liu --org xai --date "
                     "../2026-02-10 --source huxiu-4835050",
    "role.assigned": "factbase add role.assigned --person guodong-zhang --org xai --unit "
                     "xai-imagine --role lead --title \"Head of Imagine\" --date 2026-02-11 "
                     "--source huxiu-4835050",
    "metric.reported": "factbase add metric.reported --subject xai --metric headcount "
                       "--value 1200 --unit employees --date 2026-02 --source huxiu-4835050",
    "org.founded": "factbase add org.founded --org xai --founder elon-musk --founder "
                   "tony-wu --date 2023-07-12 --source ibtimes-xai-2023",
}


class AddGroup(click.Group):
    """``add``: subcommands built from the event types when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from factbase.core.fields import EVENT_TYPES

        return [*_SHORTHANDS, *(t for t in EVENT_TYPES if t not in _LEFT_OUT)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _SHORTHANDS:
            return _shorthand_command(cmd_name)
        from factbase.core.fields import EVENT_TYPES

        if cmd_name in EVENT_TYPES and cmd_name not in _LEFT_OUT:
            return _type_command(cmd_name)
        return None

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and self.get_command(ctx, name) is None and not name.startswith("-"):
            import difflib

            known = self.list_commands(ctx)
            hint = {"event.corrected": "; use `factbase correct`",
                    "event.retracted": "; use `factbase retract`",
                    "entity.registered": "; use `factbase add person|organization|unit|"
                                         "product`",
                    "source.registered": "; use `factbase add source`"}.get(name)
            close = difflib.get_close_matches(name, known, n=1)
            hint = hint or (f" (did you mean '{close[0]}'?)" if close else "")
            raise click.UsageError(f"no type '{name}' to add{hint}; `factbase add --help` "
                                   "lists them", ctx)
        return super().resolve_command(ctx, args)


ADD_HELP = """Add one event, source or entity from the command line, validated as `load` does.

TYPE is an event type (person.left, role.assigned, metric.reported…) whose fields are
options (`factbase add TYPE --help` lists them with their meaning), or `source`, `person`,
`organization`, `unit` or `product` to register one. Prints the new event's id;
--dry-run checks the record and prints it without writing.

\b
Examples:
  factbase add source --id s1 --url https://example.com/a --published 2026-02-10
  factbase add person --id tony-wu --name "Tony Wu" --alias 吳宇懷
  factbase add person.left --person tony-wu --org xai --date 2026-02 --reason resigned --source s1
  factbase add person.joined --person tony-wu --org xai --date 2023-07 --source s1 --dry-run
"""
