"""Report -> text. The only place that makes strangers' text safe for a terminal or for Mattermost.

Foreign text (titles, names, labels, error bodies) is hostile: it may carry terminal escapes, bidi
overrides, Markdown that would add links or break a table, and mentions that would notify a whole
channel. Every cell passes through `clean()` and, for Markdown, `markdown_text()`. A report's title
and notes are cmtriage's own words and keep their deliberate mentions.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from cmtriage.text import MAX_CELL, clean, shorten  # noqa: F401 (MAX_CELL: part of render's API)

if TYPE_CHECKING:  # annotations only; not importing models keeps `rotation who` quick to start
    from cmtriage.models import Column, Digest, Item, Report
    from cmtriage.rotation import Week

FORMATS = ("table", "markdown", "json", "csv", "payload")
POST_LIMIT = 16383  # Mattermost cuts a post at exactly this many runes
MAX_URL = 2000  # a longer item URL is shown without its link, so one row cannot outgrow a post

_ZWSP = "\u200b"
# Markdown that can change meaning anywhere inside a line. Not escaped, because nothing in a table cell
# or mid-sentence makes them special: ! # > ( ) : - + = and most of the rest of ASCII.
_INLINE_SPECIAL = re.compile(r"[`*\[\]|~]")
_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)")  # one that would escape what follows it
_UNDERSCORES = re.compile(r"_+")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_TAG_OPEN = re.compile(r"<(?=\S)")  # HTML, autolinks, Mattermost's <!here> and <url|text>
# Where Mattermost would make a link of bare text: a scheme's "://" and a leading "www.".
_BARE_LINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)")


def _escape_underscores(match: re.Match) -> str:
    """`snake_case` stays as it is: underscores between two letters or digits cannot emphasize."""
    text, start, end = match.string, match.start(), match.end()
    inside_word = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return match.group() if inside_word else "\\_" * (end - start)


def markdown_text(text: Any, *, in_link: bool = False) -> str:
    """Foreign text as literal Markdown inline text that cannot notify, link (bare addresses included),
    format, or break a table: safe in a table cell, in link text and inside a sentence, not at the start
    of a line (where `#`, `>`, `-` or `1.` would open a block). Only what could matter there is escaped,
    so the text stays readable."""
    text = shorten(clean(text))
    text = _BACKSLASH.sub(r"\\\\", text)
    text = _INLINE_SPECIAL.sub(r"\\\g<0>", text)
    text = _UNDERSCORES.sub(_escape_underscores, text)
    text = _ENTITY.sub("&amp;", text)
    text = _TAG_OPEN.sub("&lt;" + _ZWSP, text)  # the space also keeps <!here> out of the rendered text
    if not in_link:  # a stranger's address stays text; inside link text nothing is linked again
        text = _BARE_LINK.sub(_ZWSP, text)
    # A zero-width space after @ stops every mention (@all, @here, @user); a backslash would not.
    return text.replace("@", "@" + _ZWSP)


def _safe_url(url: Any) -> str | None:
    """A link destination that cannot break out of `(...)` or a table, or None."""
    url = clean(url)
    if len(url) > MAX_URL or not re.match(r"^https?://[^\s<>]+$", url):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("|", "%7C").replace("\\", "%5C")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def plain_value(value: Any) -> str:
    """A field as plain text (not yet escaped for any format)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _utc(value).date().isoformat()  # not strftime's %Y: it writes the year 999 as "999"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(plain_value(v) for v in value)
    return str(value)


# --- Markdown -------------------------------------------------------------------------------------------
def _trusted(line: str) -> str:
    """cmtriage's own line: cleaned of control characters, its mentions kept."""
    return clean(line)


MAX_COPY = 2000  # a text to copy is kept whole up to this; a row of it still fits in a post


def code_span(text: Any, *, in_table: bool = False) -> str:
    """Text as a Markdown inline code span: copied from the rendered post it is exactly `clean(text)`
    (no zero-width space, no backslash), and inside it nothing links, formats or mentions. In a table
    cell its pipes are escaped, which GFM takes out again there."""
    text = shorten(clean(text), MAX_COPY)
    if not text:
        return ""
    if in_table:
        text = text.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) \
        else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_cell(item: Item, column: Column) -> str:
    value = plain_value(item.get(column.key))
    if column.copy:
        return code_span(value, in_table=True)
    url = _safe_url(item.get(column.link)) if column.link else None
    if url:  # an empty title still needs something to click
        return f"[{markdown_text(value, in_link=True) or '(untitled)'}]({url})"
    return markdown_text(value)


def _md_table_header(columns: Iterable[Column]) -> list[str]:
    columns = list(columns)
    return [
        "| " + " | ".join(markdown_text(c.header) for c in columns) + " |",
        "| " + " | ".join("---:" if c.numeric else "---" for c in columns) + " |",
    ]


def _md_row(item: Item, columns: Iterable[Column]) -> str:
    return "| " + " | ".join(_md_cell(item, c) for c in columns) + " |"


def _groups(report: Report) -> list[tuple[str | None, list[Item]]]:
    if not report.group_by:
        return [(None, list(report.items))]
    groups: dict[str, list[Item]] = {}
    for item in report.items:
        groups.setdefault(plain_value(item.get(report.group_by)), []).append(item)
    return list(groups.items())


def _heading(report: Report | Digest, *, with_mention: bool = True) -> str:
    mention = f"@{report.mention}: " if report.mention and with_mention else ""
    return "#### " + mention + _trusted(report.title)


def _sections(report: Report | Digest) -> list[tuple[list[str], list[str], list[str]]]:
    """(lines that open a section, the lines that open it again at the top of a later part, the lines a
    split may cut between) for each table, then the errors. An opening starts with a blank line:
    Mattermost shows no table glued to the line above."""
    if hasattr(report, "sections"):
        return [entry for section in report.sections for entry in _digest_section(section)]
    sections: list[tuple[list[str], list[str]]] = []
    if not report.items and report.empty_message:
        sections.append((["", markdown_text(report.empty_message)], []))
    header = _md_table_header(report.columns)
    for name, items in _groups(report) if report.items else ():
        opening = ["", f"**{markdown_text(name) or '(none)'}**"] if name is not None else []
        sections.append(([*opening, "", *header], [_md_row(item, report.columns) for item in items]))
    if report.errors:
        sections.append(([""], [f"- :warning: {markdown_text(e.source)}: {markdown_text(e.message)}"
                                for e in report.errors]))
    if report.footer:
        sections.append(([""], [_trusted(line) for line in report.footer]))
    return [(opening, opening, rows) for opening, rows in sections]


def _digest_section(report: Report) -> list[tuple[list[str], list[str], list[str]]]:
    """A digest's section: its title as a subheading (again atop any part it goes on in), its notes,
    then its own tables and errors."""
    heading = ["", "##### " + _trusted(report.title)]
    entries = _sections(report)
    opening, reopening, rows = entries[0] if entries else ([], [], [])
    first = ([*heading, *(_trusted(n) for n in report.notes), *opening], [*heading, *reopening], rows)
    return [first, *((opening, [*heading, *reopening], rows) for opening, reopening, rows in entries[1:])]


_PART_SUFFIX = " (part {}/{})"
_PART_SUFFIX_ROOM = len(_PART_SUFFIX.format(999, 999))


def markdown_parts(report: Report | Digest, limit: int = POST_LIMIT) -> list[str]:
    """The report as Markdown posts of at most `limit` characters (newlines included), cut only between
    rows. A part that goes on with a table repeats its opening (group name and header), so each part is
    whole tables; parts after the first carry the title, numbered "(part k/n)", without the mention."""
    continuation_title = _heading(report, with_mention=False)
    preamble = [_trusted(line) for line in getattr(report, "preamble", ())]  # a Digest has none
    parts: list[list[str]] = [[*preamble, _heading(report), *(_trusted(n) for n in report.notes)]]
    sizes = [len("\n".join(parts[0]))]

    def fits(lines: list[str]) -> bool:
        # Room is kept for the " (part k/n)" suffix, and after the first part for the title line.
        room = limit - _PART_SUFFIX_ROOM - (len(continuation_title) + 1 if len(parts) > 1 else 0)
        return sizes[-1] + sum(len(line) + 1 for line in lines) <= room

    def add(lines: list[str]) -> None:
        parts[-1].extend(lines)
        sizes[-1] += sum(len(line) + 1 for line in lines)

    for opening, reopening, rows in _sections(report):
        if fits([*opening, *rows[:1]]):
            add(opening)
        else:
            parts.append([])
            sizes.append(-1)  # the first line of a part has no newline before it
            add(reopening)
        for row in rows:
            if not fits([row]):
                parts.append([])
                sizes.append(-1)
                add(reopening)
            add([row])
    if len(parts) > 1:
        total = len(parts)
        parts[0][len(preamble)] += _PART_SUFFIX.format(1, total)
        for number, part in enumerate(parts[1:], 2):
            part.insert(0, continuation_title + _PART_SUFFIX.format(number, total))
    return ["\n".join(part) + "\n" for part in parts]


def markdown(report: Report | Digest) -> str:
    [text] = markdown_parts(report, limit=sys.maxsize)
    return text


def payloads(report: Report | Digest, target: Mapping[str, Any] | None = None, limit: int = POST_LIMIT
             ) -> list[dict]:
    """Mattermost incoming-webhook bodies, one per post; `target` adds channel, username, icon_url."""
    extra = {k: v for k, v in (target or {}).items() if v}
    return [{"text": part.rstrip("\n"), **extra} for part in markdown_parts(report, limit)]


# --- JSON and CSV ---------------------------------------------------------------------------------------
def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc(value).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        return {clean(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    return value


def _json_errors(report: Report | Digest) -> list[dict[str, str]]:
    return [{"source": e.source, "message": e.message} for e in report.errors]


def to_json(report: Report | Digest) -> str:
    """DESIGN.md's object; a digest adds `sections` (name, title, count and errors of each), and its
    items carry their section's name."""
    document: dict[str, Any] = {
        "report": report.name,
        "generated_at": report.generated_at,
        "items": [item.to_json() for item in report.items],
        "errors": _json_errors(report),
    }
    if hasattr(report, "sections"):
        document["sections"] = [{"report": s.name, "title": s.title, "count": len(s.items),
                                 "errors": _json_errors(s)} for s in report.sections]
    import json

    return json.dumps(_json_value(document), indent=2, ensure_ascii=False) + "\n"


def csv_cell(value: Any) -> str:
    text = clean(plain_value(value))
    # A spreadsheet runs a text cell that starts with one of these as a formula; a quote makes it text.
    if not isinstance(value, int | float) and text[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


def to_csv(report: Report | Digest) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = [c.key for c in report.columns]
    extra = [k for k in ("url",) if k not in keys]
    writer.writerow(keys + extra)  # the JSON keys, so that a script reads CSV and JSON alike
    for item in report.items:
        writer.writerow([csv_cell(item.get(k)) for k in keys + extra])
    return out.getvalue()


# --- the rotation (`rotation who`, and the CSV of `rotation next|schedule`) -------------------------------
ROTATION_CSV_HEADER = ("week_start", "week_end", "who", "mention", "scheduled", "reason")


def who_line(week: Week, *, this_week: bool, markdown: bool) -> str:
    """One line naming the week's person. In Markdown their mention stays live (the one mention
    cmtriage means); names and reasons are escaped like any other text."""
    text = markdown_text if markdown else clean
    dates = f"{week.start} – {week.end}"
    when = f"this week ({dates})" if this_week else f"for the week {dates}"
    if week.on_duty is None:
        return f"Community PM {when}: nobody (no member is on the rotation that week)"
    line = f"Community PM {when}: @{clean(week.on_duty.mention)} ({text(week.on_duty.name)})"
    note = week.cover_note(text)
    return f"{line}, {note}" if note else line


def rotation_csv(weeks: Sequence[Week]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROTATION_CSV_HEADER)
    for week in weeks:
        data = week.to_json()
        scheduled = week.scheduled.name if week.scheduled else None
        reason = week.override.reason if week.override else None
        row = (data["week_start"], data["week_end"], data["who"], data["mention"], scheduled, reason)
        writer.writerow([csv_cell(value or "") for value in row])
    return out.getvalue()


# --- terminal table -------------------------------------------------------------------------------------
MAX_ROW_LINES = 2  # a row takes at most this many lines: the title folds once, the rest is cut with "…"
MIN_TEXT_COLUMN = 6  # a text column squeezed to fit gives up no more than this: "Wait…"


def table(report: Report | Digest, *, width: int | None = None, color: bool = False,
          terminal: bool | None = None) -> str:
    """The report for a terminal of `width` columns: a table per group under its name (the grouping
    column left out of it), each row at most two lines, titles linked (OSC 8) where `terminal` is one."""
    # rich is imported here, not at module level, to keep start-up light for other formats.
    import io

    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    terminal = color if terminal is None else terminal
    console = Console(
        file=buffer, width=width or 120, force_terminal=terminal, no_color=not color, highlight=False,
        emoji=False, markup=False,
    )
    title = (f"@{report.mention}: " if report.mention else "") + clean(report.title)
    console.print(Text(title, style="bold"))
    if not hasattr(report, "sections"):
        _table_body(console, report)
        return buffer.getvalue()
    for note in report.notes:
        console.print(Text(clean(note)))
    for section in report.sections:
        console.print()
        console.print(Text(clean(section.title), style="bold"))
        _table_body(console, section)
    return buffer.getvalue()


def _terminal_cell(item: Item, column: Column) -> Any:
    from rich.style import Style
    from rich.text import Text

    text = shorten(clean(plain_value(item.get(column.key))))
    url = _safe_url(item.get(column.link)) if column.link else None
    return Text(text, style=Style(link=url) if url else "")


def _fit_widths(console: Any, columns: Sequence[Column], rows: list[list[Any]]) -> dict[int, int]:
    """Column widths that fit the console: each column its content's width when all fit; else the title
    (the first linked column) keeps a third of the room at least and the widest other columns give up
    cells, one at a time, down to MIN_TEXT_COLUMN (numbers keep theirs), and the title takes the rest."""
    from rich.cells import cell_len

    natural = [max([cell_len(c.header), *(cell_len(row[i].plain) for row in rows)])
               for i, c in enumerate(columns)]
    room = console.width - (3 * len(columns) + 1)
    if sum(natural) <= room:
        return dict(enumerate(natural))
    title = next((i for i, c in enumerate(columns) if c.link), None)
    widths = {i: n for i, n in enumerate(natural) if i != title}
    # a number keeps its whole width (never less than one cell); text gives up cells down to the minimum
    floor = {i: max(1, *(cell_len(row[i].plain) for row in rows)) if columns[i].numeric else MIN_TEXT_COLUMN
             for i in widths}
    budget = room - (min(natural[title], max(16, room // 3)) if title is not None else 0)
    while sum(widths.values()) > budget:
        widest = max((i for i in widths if widths[i] > floor[i]), key=lambda i: widths[i], default=None)
        if widest is None:
            break
        widths[widest] -= 1
    if title is not None:
        widths[title] = max(8, min(natural[title], room - sum(widths.values())))
    return widths


def _two_lines(console: Any, text: Any, width: int) -> Any:
    """`text` cut to what fits in MAX_ROW_LINES lines of `width` cells, ending with "…" when cut."""
    lines = text.wrap(console, width)
    if len(lines) <= MAX_ROW_LINES:
        return text
    kept = lines[:MAX_ROW_LINES]
    last = kept[-1]
    last.rstrip()
    last.truncate(width - 1)
    last.append("…")
    joined = kept[0].copy()
    joined.append(" ")
    for line in kept[1:]:
        joined.append_text(line)
    return joined


def _table_body(console: Any, report: Report) -> None:
    """The report's notes, tables and errors (everything but its title)."""
    from rich.table import Table
    from rich.text import Text

    for note in report.notes:
        console.print(Text(clean(note)))
    if not report.items and report.empty_message:
        console.print(Text(clean(report.empty_message)))
    # under a group's heading its column would only repeat the heading
    columns = [c for c in report.columns if not (report.group_by and c.key == report.group_by)]
    for name, items in _groups(report) if report.items else ():
        grid = Table(title=Text(clean(name)) if name is not None else None, title_justify="left")
        rows = [[_terminal_cell(item, c) for c in columns] for item in items]
        widths = _fit_widths(console, columns, rows)
        title = next((i for i, c in enumerate(columns) if c.link), None)
        for i, column in enumerate(columns):
            folds = i == title
            grid.add_column(Text(column.header), justify="right" if column.numeric else "left",
                            overflow="fold" if folds else "ellipsis", no_wrap=not folds, width=widths[i])
        for row in rows:
            if title is not None:
                row[title] = _two_lines(console, row[title], widths[title])
            grid.add_row(*row)
        console.print(grid)
    for error in report.errors:
        console.print(Text(f"error: {clean(error.source)}: {clean(error.message)}", style="red"))
    for line in report.footer:
        console.print(Text(clean(line)))


def render(report: Report | Digest, fmt: str, *, width: int | None = None, color: bool = False,
           target: Mapping[str, Any] | None = None, terminal: bool | None = None) -> str:
    if fmt == "table":
        return table(report, width=width, color=color, terminal=terminal)
    if fmt == "markdown":
        return markdown(report)
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "payload":
        import json

        return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payloads(report, target))
    raise ValueError(f"unknown format {fmt!r}")


