"""Report -> text. The only place that makes strangers' text safe for a terminal or for Mattermost.

Foreign text (titles, names, labels, error bodies) is hostile: it may carry terminal escapes, bidi
overrides, Markdown that would add links or break a table, and mentions that would notify a whole
channel. Every cell passes through `clean()` and, for Markdown, `markdown_text()`. A report's title
and notes are cmtriage's own words and keep their deliberate mentions.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only; not importing models keeps `rotation who` quick to start
    from cmtriage.models import Column, Item, Report

FORMATS = ("table", "markdown", "json", "csv", "payload")
POST_LIMIT = 16383  # Mattermost cuts a post at exactly this many runes
MAX_CELL = 300  # a title past this says nothing more, and a short row always fits in one post

# ANSI/VT sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC forms,
# and their 8-bit C1 twins.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[PX^_].*?(?:\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))
_SPACES = re.compile(r"\s+")
# Backslash escapes that Mattermost's renderer and CommonMark both honour.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#!|~>])")
_ZWSP = "\u200b"


def clean(text: Any) -> str:
    """Plain, one-line, printable text: escapes, control and bidi characters gone, white space folded."""
    text = _ESCAPES.sub("", str(text)).translate(_BIDI)
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return _SPACES.sub(" ", text).strip()


def shorten(text: str, limit: int = MAX_CELL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def markdown_text(text: Any) -> str:
    """Foreign text as literal Markdown inline text that cannot notify, link, or break a table."""
    text = shorten(clean(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;")  # no HTML, no <!here> or <url|text> forms
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # A zero-width space after @ stops every mention (@all, @here, @user); backslashes do not.
    return text.replace("@", "@" + _ZWSP)


def _safe_url(url: Any) -> str | None:
    url = clean(url)
    if not re.match(r"^https?://[^\s<>]+$", url):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("|", "%7C")


def plain_value(value: Any) -> str:
    """A field as plain text (not yet escaped for any format)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d")
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


def _md_cell(item: Item, column: Column) -> str:
    text = markdown_text(plain_value(item.get(column.key)))
    if column.link:
        url = _safe_url(item.get(column.link))
        if url and text:
            return f"[{text}]({url})"
    return text


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


def _heading(report: Report, *, with_mention: bool = True) -> str:
    mention = f"@{report.mention}: " if report.mention and with_mention else ""
    return "#### " + mention + _trusted(report.title)


def _errors_md(report: Report) -> list[str]:
    return [f"> :warning: {markdown_text(e.source)}: {markdown_text(e.message)}" for e in report.errors]


def _sections(report: Report) -> list[tuple[list[str], list[str]]]:
    """(lines that open the section, rows) for each table; rows are what a split may cut between."""
    if not report.items:
        return [([markdown_text(report.empty_message)], [])]
    sections = []
    header = _md_table_header(report.columns)
    for name, items in _groups(report):
        opening = [f"**{markdown_text(name)}**", ""] if name is not None else []
        sections.append(([*opening, *header], [_md_row(item, report.columns) for item in items]))
    return sections


def markdown_parts(report: Report, limit: int = POST_LIMIT) -> list[str]:
    """The report as Markdown posts of at most `limit` characters, cut only between rows; each part
    repeats its table's header so every part is a valid table on its own."""
    head = [_heading(report), *[_trusted(n) for n in report.notes]]
    tail = _errors_md(report)
    budget = limit - 40  # room for the "(part k/n)" heading of a continuation
    parts: list[list[str]] = [head]

    def size(lines: list[str]) -> int:
        return sum(len(line) + 2 for line in lines)

    for opening, rows in _sections(report):
        block = ["", *opening]
        if size(parts[-1]) + size(block) + (size(rows[:1])) > budget:
            parts.append([])
        parts[-1].extend(block)
        for row in rows:
            if size(parts[-1]) + len(row) + 2 > budget:
                parts.append(["", *opening])
            parts[-1].append(row)
    if tail:
        if size(parts[-1]) + size(tail) + 2 > budget:
            parts.append([])
        parts[-1].extend(["", *tail])
    if len(parts) > 1:
        total = len(parts)
        title = _heading(report, with_mention=False)
        parts = [parts[0], *[[f"{title} (part {k}/{total})", *p] for k, p in enumerate(parts[1:], 2)]]
        parts[0][0] += f" (part 1/{total})"
    return ["\n".join(p).strip("\n") + "\n" for p in parts]


def markdown(report: Report) -> str:
    return "\n".join(markdown_parts(report, limit=10**12))


def payloads(report: Report, target: Mapping[str, Any] | None = None, limit: int = POST_LIMIT) -> list[dict]:
    """Mattermost incoming-webhook bodies, one per post."""
    extra = {k: v for k, v in (target or {}).items() if v}
    return [{"text": part.rstrip("\n"), **extra} for part in markdown_parts(report, limit)]


# --- JSON and CSV ---------------------------------------------------------------------------------------
def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, Mapping):
        return {clean(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    return value


def to_json(report: Report) -> str:
    document = {
        "report": report.name,
        "generated_at": report.generated_at,
        "items": [item.to_json() for item in report.items],
        "errors": [{"source": e.source, "message": e.message} for e in report.errors],
    }
    return json.dumps(_json_value(document), indent=2, ensure_ascii=False) + "\n"


def _csv_cell(value: Any) -> str:
    text = clean(plain_value(value))
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = [c.key for c in report.columns]
    extra = [k for k in ("url",) if k not in keys]
    writer.writerow([c.header for c in report.columns] + extra)
    for item in report.items:
        writer.writerow([_csv_cell(item.get(k)) for k in keys + extra])
    return out.getvalue()


# --- terminal table -------------------------------------------------------------------------------------
def table(report: Report, *, width: int | None = None, color: bool = False) -> str:
    # rich is imported here, not at module level, to keep start-up light for other formats.
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width or 120, force_terminal=color, no_color=not color, highlight=False,
        emoji=False, markup=False,
    )
    title = (f"@{report.mention}: " if report.mention else "") + clean(report.title)
    console.print(Text(title, style="bold"))
    for note in report.notes:
        console.print(Text(clean(note)))
    if not report.items:
        console.print(Text(clean(report.empty_message)))
    for name, items in _groups(report) if report.items else ():
        grid = Table(title=Text(clean(name)) if name is not None else None, title_justify="left")
        for column in report.columns:
            grid.add_column(Text(column.header), justify="right" if column.numeric else "left",
                            overflow="fold")
        for item in items:
            grid.add_row(*(Text(shorten(clean(plain_value(item.get(c.key))))) for c in report.columns))
        console.print(grid)
    for error in report.errors:
        console.print(Text(f"error: {clean(error.source)}: {clean(error.message)}", style="red"))
    return buffer.getvalue()


def render(report: Report, fmt: str, *, width: int | None = None, color: bool = False,
           target: Mapping[str, Any] | None = None) -> str:
    if fmt == "table":
        return table(report, width=width, color=color)
    if fmt == "markdown":
        return markdown(report)
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "payload":
        return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payloads(report, target))
    raise ValueError(f"unknown format {fmt!r}")
