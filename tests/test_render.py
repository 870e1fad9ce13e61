"""render.py against hostile text: every format, parsed back the way its reader would parse it."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest
from markdown_it import MarkdownIt

from cmtriage.models import Column, Item, Report, SourceError
from cmtriage.render import MAX_CELL, POST_LIMIT, clean, markdown, markdown_parts, markdown_text, render

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
ZWSP = "\u200b"

HOSTILE = {
    "at all": "@all please look",
    "at here": "ping @here now",
    "at channel": "@channel",
    "at someone": "hey @someone and @hanna",
    "email": "write to admin@example.com",
    "slack here": "<!here> urgent",
    "slack channel": "<!channel>",
    "slack link": "<https://evil.example|click me>",
    "markdown link": "[x](https://evil.example)",
    "bare links": "log in at https://evil.example/login or www.phish.example",
    "reference link": "[x][1] [y]: https://evil.example",
    "image": "![img](https://evil.example/x.png)",
    "autolink": "<https://evil.example>",
    "html img": "<img src=x onerror=alert(1)>",
    "html script": "<script>alert(1)</script>",
    "heading": "# heading",
    "quote and list": "> quoted - item 1. one",
    "pipes": "| a | b |",
    "newlines": "a\nb\r\n| c |\rd",
    "unicode lines": "a\u2028b\u2029c\x85d",
    "ansi color": "\x1b[31mred\x1b[0m",
    "osc 8 link": "\x1b]8;;https://evil.example\x07x\x1b]8;;\x07",
    "unterminated osc": "\x1b]0;title" + "a" * 50,
    "bell and nul": "bell\x07 nul\x00 end",
    "c1 controls": "c1\x9b31m csi \x9d osc\x9c \x85",
    "bidi": "abc\u202eRLO\u202c \u2066LRI\u2069 \u200fRLM",
    "zero width": "zero\u200bwidth\u200cnon\ufeffjoin\u2060er",
    "tag characters": "tag\U000e0041\U000e0042s",
    "lone surrogate": "half \ud83d a pair",
    "rich markup": "[bold red]x[/]",
    "rich link": "[link=https://evil.example]x[/link]",
    "backticks": "`code` and ``` fences ```",
    "escaped pipe": "\\|",
    "trailing backslash": "ends with \\",
    "entities": "&lt;!here&gt; &#64;all &#x40;channel &amp; AT&T",
    "emphasis": "**bold** _em_ ~~s~~ ~t~",
    "emoji": ":smile: :+1: 👩‍💻",
    "csv formula": "=cmd|' /C calc'!A0",
    "csv plus": "+1+2",
    "csv at": "@SUM(1)",
    "long": "long " * 4000,
    "only spaces": "   \t  ",
    "snake case": "max_file_size is __init__",
}

COLUMNS = (
    Column("number", "#", numeric=True, link="url"),
    Column("title", "Title", link="url"),
    Column("author", "Author"),
    Column("labels", "Labels"),
    Column("days_idle", "Days idle", numeric=True),
    Column("reason", "Reason"),
)
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def item(number: int, text: str, *, repo: str = "mattermost/mattermost", url: str | None = None) -> Item:
    return Item(
        source="github", url=url or f"https://github.com/{repo}/issues/{number}", title=text, author=text,
        created_at=NOW - timedelta(days=30), last_activity_at=NOW - timedelta(days=9), days_idle=9,
        reason=text,
        extra={"repo": repo, "number": number, "kind": "issue", "labels": (text, "bug"), "waiting_on": "us"},
    )


def report_of(*items: Item, group_by: str | None = None, errors: tuple[SourceError, ...] = (),
              mention: str | None = None) -> Report:
    return Report(name="stale", title="Stale issues", columns=COLUMNS, items=items, generated_at=NOW,
                  errors=errors, mention=mention, group_by=group_by)


def hostile_report(**options) -> Report:
    items = [item(n, text) for n, text in enumerate(HOSTILE.values(), 1)]
    errors = tuple(SourceError(f"src{n}", text) for n, text in enumerate(HOSTILE.values()))
    return report_of(*items, errors=errors, **options)


# --- reading Markdown back ------------------------------------------------------------------------------
FOREIGN_MENTION = re.compile(r"@\w|<!")
BARE_LINK = re.compile(r"(?i)[a-z]://|\bwww\.")


def parse(text: str) -> dict:
    """What markdown-it makes of `text`: its tables (header cell count, rows as (cells, hrefs, texts)),
    every text node, and every node that would link, embed or inject (anything but our row links)."""
    tables: list[dict] = []
    texts: list[str] = []
    unlinked: list[str] = []  # text outside link text, where Mattermost would link a bare address
    intruders: list[str] = []
    row: dict | None = None
    for token in MD.parse(text):
        if token.type == "table_open":
            tables.append({"header": None, "rows": []})
        elif token.type == "tr_open":
            row = {"cells": 0, "hrefs": [], "texts": []}
        elif token.type in ("th_open", "td_open"):
            row["cells"] += 1
        elif token.type == "tr_close":
            if tables[-1]["header"] is None:
                tables[-1]["header"] = row["cells"]
            else:
                tables[-1]["rows"].append(row)
            row = None
        elif token.type in ("html_block", "code_block", "fence", "blockquote_open", "hr"):
            intruders.append(token.type)
        in_link = False
        for child in token.children or ():
            if child.type == "text":
                texts.append(child.content)
                if not in_link:
                    unlinked.append(child.content)
                if row is not None:
                    row["texts"].append(child.content)
            elif child.type == "link_close":
                in_link = False
            elif child.type == "link_open":
                in_link = True
                if row is None:
                    intruders.append(f"link outside a table row: {child.attrGet('href')}")
                else:
                    row["hrefs"].append(child.attrGet("href"))
            elif child.type in ("image", "html_inline", "code_inline", "softbreak", "hardbreak"):
                intruders.append(f"{child.type}: {child.content!r}")
    return {"tables": tables, "texts": texts, "unlinked": unlinked, "intruders": intruders}


def rows_by_group(text: str) -> list[tuple[str | None, str]]:
    """(the group name above it, the line) for every table row in `text`; header lines left out."""
    lines, group, found = text.splitlines(), None, []
    for i, line in enumerate(lines):
        if line.startswith("**"):
            group = line
        elif line.startswith("| ") and not line.startswith("| ---") and not (
                i + 1 < len(lines) and lines[i + 1].startswith("| ---")):
            found.append((group, line))
    return found


def assert_safe_markdown(text: str, items: list[Item]) -> dict:
    parsed = parse(text)
    assert parsed["intruders"] == []
    for found in parsed["tables"]:
        assert found["header"] == len(COLUMNS)
        assert {r["cells"] for r in found["rows"]} == {len(COLUMNS)}
    # Each row links to its own item's page (from the number, and from the title unless it is empty),
    # and nowhere else.
    url_of = {str(i.get("number")): i.url for i in items}
    for row in (r for t in parsed["tables"] for r in t["rows"]):
        assert row["hrefs"] in ([url_of[row["texts"][0]]], [url_of[row["texts"][0]]] * 2)
    heading = text.splitlines()[0].removeprefix("#### ")  # cmtriage's own words, its mention meant
    assert [t for t in parsed["texts"] if FOREIGN_MENTION.search(t) and t != heading] == []
    assert [t for t in parsed["unlinked"] if BARE_LINK.search(t)] == []  # Mattermost would link these
    lines = text.splitlines()
    for i, line in enumerate(lines):  # a blank line before each table, or Mattermost shows none
        if line.startswith("| ") and (i + 1 < len(lines) and lines[i + 1].startswith("| ---")):
            assert lines[i - 1] == ""
    return parsed


# --- clean and markdown_text ----------------------------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_clean_leaves_one_printable_line(text):
    cleaned = clean(text)
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert all(ch == " " or ch == "\u200d" or unicodedata.category(ch)[0] not in "CZ" for ch in cleaned)
    cleaned.encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]8;;https://evil.example\x07x\x1b]8;;\x07", "x"),
        ("abc\u202eRLO\u202c \u2066LRI\u2069 \u200fRLM", "abcRLO LRI RLM"),
        ("a\nb\r\n| c |\rd", "a b | c | d"),
        ("zero\u200bwidth\u200cnon\ufeffjoin\u2060er", "zerowidthnonjoiner"),
        ("👩\u200d💻", "👩\u200d💻"),
        ("bell\x07 nul\x00 end", "bell nul end"),
        ("[bold red]x[/]", "[bold red]x[/]"),
    ],
)
def test_clean_exact(text, cleaned):
    assert clean(text) == cleaned


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("@all please look", f"@{ZWSP}all please look"),
        ("<!here> urgent", f"&lt;{ZWSP}!here> urgent"),
        ("<https://evil.example|click me>", f"&lt;{ZWSP}https{ZWSP}://evil.example\\|click me>"),
        ("[x](https://evil.example)", f"\\[x\\](https{ZWSP}://evil.example)"),
        ("see https://evil.example/login or WWW.phish.example", f"see https{ZWSP}://evil.example/login or "
                                                                f"WWW{ZWSP}.phish.example"),
        ("&lt;!here&gt; AT&T", "&amp;lt;!here&amp;gt; AT&T"),
        ("**bold** _em_ ~~s~~", "\\*\\*bold\\*\\* \\_em\\_ \\~\\~s\\~\\~"),
        ("\\|", "\\\\\\|"),
        # Readable: what cannot matter in a cell or mid-sentence is left alone.
        ("max_file_size: 2 < 3 # not a heading! (C:\\Users\\me)", "max_file_size: 2 < 3 # not a heading! "
                                                                  "(C:\\Users\\me)"),
    ],
)
def test_markdown_text_escapes_only_what_matters(text, escaped):
    assert markdown_text(text) == escaped


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_markdown_text_reads_back_as_the_clean_text(text):
    """Inside a sentence, the escaped text renders as exactly the cleaned text, mentions disarmed."""
    [paragraph] = [t for t in MD.parse(f"Note: {markdown_text(text)}.") if t.type == "inline"]
    children = paragraph.children
    assert [c.type for c in children] == ["text"] * len(children)
    expected = ("Note: " + clean(text)[: MAX_CELL - 1].rstrip() + "…." if len(clean(text)) > MAX_CELL
                else f"Note: {clean(text)}.")
    assert "".join(c.content for c in children).replace(ZWSP, "") == expected


# --- Markdown and payload -------------------------------------------------------------------------------
def test_hostile_markdown_keeps_its_tables_links_and_silence():
    report = hostile_report()
    text = markdown(report)
    parsed = assert_safe_markdown(text, list(report.items))
    assert len(parsed["tables"]) == 1 and len(parsed["tables"][0]["rows"]) == len(HOSTILE)
    assert text.startswith("#### Stale issues\n\n| # | Title | Author | Labels | Days idle | Reason |\n"
                           "| ---: | --- | --- | --- | ---: | --- |\n")
    assert "\n\n- :warning: src0: @\u200ball please look\n" in text


def test_an_empty_title_still_links_to_its_item():
    row = item(7, "\u202e\u200b", url="https://github.com/m/m/issues/7")
    assert "| [(untitled)](https://github.com/m/m/issues/7) |" in markdown(report_of(row))


def test_a_row_is_exact():
    row = item(7, "Crash | on <!here> [x](https://evil.example)", url="https://github.com/m/m/issues/7")
    lines = markdown(report_of(row)).splitlines()
    title = f"Crash \\| on &lt;{ZWSP}!here> \\[x\\](https{ZWSP}://evil.example)"
    linked = f"Crash \\| on &lt;{ZWSP}!here> \\[x\\](https://evil.example)"  # link text links nothing
    link = "(https://github.com/m/m/issues/7)"
    assert lines[4] == (f"| [7]{link} | [{linked}]{link} "
                        f"| {title} | {title}, bug | 9 | {title} |")


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("javascript:alert(1)", None),
        ("https://evil.example/a) [x](https://b", None),
        ("//evil.example", None),
        ("https://x.example/" + "a" * 3000, None),
        ("https://x.example/\x1b[0m|x(y)", "https://x.example/%7Cx%28y%29"),
    ],
)
def test_an_item_url_is_linked_only_as_a_plain_web_address(url, href):
    parsed = parse(markdown(report_of(item(1, "title", url=url))))
    assert parsed["intruders"] == []
    assert parsed["tables"][0]["rows"][0]["hrefs"] == ([href, href] if href else [])


def test_only_cmtriage_s_own_mention_stays_live_and_only_in_the_first_part():
    report = report_of(*[item(n, f"@all {n} " + "x" * 250) for n in range(200)], mention="eric.s")
    parts = markdown_parts(report)
    assert len(parts) > 1
    assert parts[0].startswith(f"#### @eric.s: Stale issues (part 1/{len(parts)})\n\n| #")
    for number, part in enumerate(parts[1:], 2):
        assert part.startswith(f"#### Stale issues (part {number}/{len(parts)})\n\n| #")
    mentions = [t for p in parts for t in parse(p)["texts"] if re.search(r"@\w", t)]
    assert mentions == [f"@eric.s: Stale issues (part 1/{len(parts)})"]


@pytest.mark.parametrize("group_by", [None, "repo"])
@pytest.mark.parametrize("limit", [POST_LIMIT, 4000, 1500])
def test_a_long_report_splits_on_rows_into_whole_tables(group_by, limit):
    repos = ["mattermost/mattermost", "mattermost/docs", "mattermost/mattermost-mobile"]
    titles = list(HOSTILE.values())
    items = [item(n, f"{titles[n % len(titles)][:200]} #{n}", repo=repos[n % 7 % 3]) for n in range(400)]
    errors = tuple(SourceError(f"source{n}", f"HTTP 502 @here {'x' * 100}") for n in range(30))
    report = report_of(*items, group_by=group_by, errors=errors, mention="eric.s")
    whole = markdown(report)
    parts = markdown_parts(report, limit)
    assert len(parts) > 2
    for number, part in enumerate(parts, 1):
        assert len(part.rstrip("\n")) <= limit
        assert f"(part {number}/{len(parts)})" in part.splitlines()[0]
        assert_safe_markdown(part, items)
    # Nothing lost, repeated or moved to another group; errors too.
    assert [row for part in parts for row in rows_by_group(part)] == rows_by_group(whole)
    assert len(rows_by_group(whole)) == len(items)
    error_lines = [line for line in whole.splitlines() if line.startswith("- :warning: ")]
    assert [line for p in parts for line in p.splitlines() if line.startswith("- :warning: ")] == error_lines
    assert len(error_lines) == len(errors)
    if group_by:
        assert [line for line in whole.splitlines() if line.startswith("**")] == [
            "**mattermost/mattermost**", "**mattermost/docs**", "**mattermost/mattermost-mobile**"]


def test_the_payload_is_one_json_object_per_post():
    report = report_of(*[item(n, "a title that is long enough " * 10) for n in range(300)])
    target = {"channel": "community-heartbeat", "username": "cmtriage", "icon_url": None}
    lines = render(report, "payload", target=target).splitlines()
    bodies = [json.loads(line) for line in lines]
    assert len(bodies) > 1 and len(bodies) == len(markdown_parts(report))
    assert all(set(b) == {"text", "channel", "username"} for b in bodies)
    assert all(len(b["text"]) <= POST_LIMIT and not b["text"].endswith("\n") for b in bodies)
    assert [b["text"] + "\n" for b in bodies] == markdown_parts(report)
    assert json.loads(render(report_of(), "payload")) == {"text": "#### Stale issues\n\nNothing to list."}


def test_a_huge_row_still_fits_in_one_post():
    monster = item(1, "&<@|" * 20000, url="https://github.com/m/m/issues/1?" + "q" * 1990)
    report = report_of(monster, *[item(n, "x") for n in range(2, 5)])
    for body in map(json.loads, render(report, "payload").splitlines()):
        assert len(body["text"]) <= POST_LIMIT


# --- terminal table -------------------------------------------------------------------------------------
def test_the_table_prints_foreign_text_literally_and_safely():
    report = hostile_report(mention="eric.s")
    out = render(report, "table", width=2000)
    assert all(ch == "\n" or ch.isprintable() or ch == "\u200d" for ch in out)
    assert "[bold red]x[/]" in out and "[link=https://evil.example]x[/link]" in out and ":smile:" in out
    assert "@all please look" in out  # a terminal notifies nobody: the text as written
    assert out.startswith("@eric.s: Stale issues\n")
    colored = render(report, "table", width=2000, color=True)
    assert "\x1b[" in colored  # our own styles ...
    assert "\x1b[31mred" not in colored  # ... never theirs
    # the only hyperlinks are the items' own addresses (titles are clickable), none of theirs
    targets = re.findall(r"\x1b]8;[^;]*;([^\x1b\x07]*)", colored)
    assert {t for t in targets if t} == {i.url for i in report.items}


# --- JSON and CSV ---------------------------------------------------------------------------------------
def test_json_has_the_design_shape_with_utc_times():
    toronto = timezone(timedelta(hours=-5))
    url = "https://github.com/mattermost/mattermost/issues/7"
    row = Item(source="github", url=url, title="Crash\x1b[2J\n@all",
               author="erin", created_at=datetime(2026, 10, 1, 9, 30, tzinfo=toronto),
               last_activity_at=datetime(2026, 11, 15, 12, 0),  # naive: taken as UTC
               days_idle=9, reason="no reply from us",
               extra={"repo": "mattermost/mattermost", "number": 7, "kind": "issue",
                      "labels": ("bug", "\u202eui"), "waiting_on": "us"})
    report = report_of(row, errors=(SourceError("forum", "HTTP 502\x07"),))
    assert json.loads(render(report, "json")) == {
        "report": "stale",
        "generated_at": "2026-11-24T14:00:00Z",
        "items": [{
            "source": "github", "url": url, "title": "Crash @all", "author": "erin",
            "created_at": "2026-10-01T14:30:00Z", "last_activity_at": "2026-11-15T12:00:00Z",
            "days_idle": 9, "reason": "no reply from us", "repo": "mattermost/mattermost", "number": 7,
            "kind": "issue", "labels": ["bug", "ui"], "waiting_on": "us",
        }],
        "errors": [{"source": "forum", "message": "HTTP 502"}],
    }
    assert list(json.loads(render(report_of(), "json"))) == ["report", "generated_at", "items", "errors"]


def test_csv_neutralizes_formulas_and_controls():
    report = hostile_report()
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert rows[0] == ["number", "title", "author", "labels", "days_idle", "reason", "url"]
    assert len(rows) == len(HOSTILE) + 1  # no foreign newline made a row of its own
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title["'=cmd|' /C calc'!A0"][4] == "9"
    assert "'+1+2" in by_title and "'@SUM(1)" in by_title and "'@all please look" in by_title
    assert by_title["'=cmd|' /C calc'!A0"][3] == "'=cmd|' /C calc'!A0, bug"
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@")
            assert all(ch == " " or ch == "\u200d" or unicodedata.category(ch)[0] not in "CZ" for ch in cell)
    negative = report_of(Item(source="x", url="https://x.example/1", title="t", author="a", created_at=NOW,
                              last_activity_at=NOW, days_idle=-1, reason="r"))
    assert render(negative, "csv").splitlines()[1] == ",t,a,,-1,r,https://x.example/1"


def test_a_date_cell_keeps_four_digits_of_year():
    from cmtriage.render import plain_value

    assert plain_value(datetime(999, 1, 2, 3, 4, tzinfo=UTC)) == "0999-01-02"


def test_a_narrow_table_squeezes_text_columns_but_keeps_numbers_whole():
    columns = (Column("title", "Title", link="url"), Column("author", "Author"), Column("reason", "Reason"),
               Column("votes", "Votes", numeric=True))
    item = Item(source="x", url="https://e.x/1", title="A rather long title about something",
                author="someone-with-a-long-name", created_at=NOW, last_activity_at=NOW, days_idle=0,
                reason="waiting on the team since long ago", extra={"votes": 123456789})
    report = Report(name="t", title="T", columns=columns, items=(item,), generated_at=NOW)
    assert render(report, "table", width=44).splitlines()[3:6] == [
        "┡━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━┩",
        "│ A rather   │ someo… │ waiti… │ 123456789 │",
        "│ long titl… │        │        │           │",
    ]
