"""`cmtriage rotation who|next|schedule|ics` as a user runs them: exact lines, JSON, exit codes."""

from __future__ import annotations

import json
import re
import shlex
from datetime import date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from cmtriage.cli import main

ROTATION_YAML = """\
timezone: America/Toronto
week_starts: monday
start: 2026-01-12
members:
  - name: Lindsay
  - name: Jason
  - name: Eric
    mention: eric.s
  - name: Ada
    from: 2026-12-07
overrides:
  - week: 2026-11-25
    who: Lindsay
    reason: Eric at a conference
"""
# From 2026-01-12 the queue is Eric, Jason, Lindsay, ...: week 45 (2026-11-23) is Eric's, covered by
# Lindsay; Jason, then Ada joins: Lindsay, Ada, Eric, Jason, Lindsay.
NOW = "2026-11-24T15:00:00Z"  # Tuesday 10:00 in Toronto
ZWSP = "\u200b"


@pytest.fixture
def config_dir(write_config):
    return write_config(rotation=ROTATION_YAML)


@pytest.fixture
def run(capsys, config_dir):
    """cmtriage with the test's config dir and clock: (exit code, stdout, stderr)."""

    def run(*args: str, now: str | None = NOW) -> tuple[int, str, str]:
        argv = [*args, "--config-dir", str(config_dir)] + (["--now", now] if now else [])
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        out, err = capsys.readouterr()
        return exit_info.value.code, out, err

    return run


# --- who --------------------------------------------------------------------------------------------------
def test_who_prints_one_markdown_line_with_the_live_mention_and_the_override(run):
    assert run("rotation", "who") == (
        0,
        "Community PM this week (2026-11-23 – 2026-11-29): @lindsay (Lindsay), covering for Eric: "
        "Eric at a conference\n",
        "",
    )


def test_who_in_another_week_and_without_an_override(run):
    assert run("rotation", "who", "--date", "2026-12-13") == (
        0, "Community PM for the week 2026-12-07 – 2026-12-13: @lindsay (Lindsay)\n", "")
    assert run("rotation", "who", now="2026-12-01T12:00:00Z")[1] == (
        "Community PM this week (2026-11-30 – 2026-12-06): @jason (Jason)\n")
    assert run("rotation", "who", "--date", "2026-12-14")[1] == (
        "Community PM for the week 2026-12-14 – 2026-12-20: @ada (Ada)\n")


def test_who_json_is_exactly_the_week(run):
    code, out, err = run("rotation", "who", "--format", "json")
    assert (code, err) == (0, "")
    assert out == (
        "{\n"
        '  "who": "Lindsay",\n'
        '  "mention": "@lindsay",\n'
        '  "week_start": "2026-11-23",\n'
        '  "week_end": "2026-11-29",\n'
        '  "override": {\n'
        '    "scheduled": "Eric",\n'
        '    "reason": "Eric at a conference"\n'
        "  }\n"
        "}\n"
    )
    assert json.loads(run("rotation", "who", "-f", "json", "--date", "2026-12-21")[1]) == {
        "who": "Eric", "mention": "@eric.s", "week_start": "2026-12-21", "week_end": "2026-12-27",
        "override": None,
    }


def test_who_table_csv_and_payload(run):
    line = ("Community PM this week (2026-11-23 – 2026-11-29): @lindsay (Lindsay), covering for Eric: "
            "Eric at a conference")
    assert run("rotation", "who", "-f", "table")[1] == line + "\n"
    assert run("rotation", "who", "-f", "csv")[1] == (
        "week_start,week_end,who,mention,scheduled,reason\n"
        "2026-11-23,2026-11-29,Lindsay,'@lindsay,Eric,Eric at a conference\n"
    )
    assert json.loads(run("rotation", "who", "-f", "payload")[1]) == {"text": line}


def test_who_escapes_the_reason_in_markdown_but_keeps_the_mention_live(run, config_dir):
    yaml = ROTATION_YAML.replace("reason: Eric at a conference", 'reason: "@channel *ask* [me](https://x.test)"')
    (config_dir / "rotation.yaml").write_text(yaml, encoding="utf-8")
    out = run("rotation", "who")[1]
    assert out == (
        "Community PM this week (2026-11-23 – 2026-11-29): @lindsay (Lindsay), covering for Eric: "
        f"@{ZWSP}channel \\*ask\\* \\[me\\](https{ZWSP}://x.test)\n"
    )
    assert run("rotation", "who", "-f", "table")[1].endswith(": @channel *ask* [me](https://x.test)\n")


@pytest.mark.parametrize(
    ("now", "week"),
    [
        ("2026-03-09T04:30:00Z", "2026-03-09"),  # Monday 00:30 EDT, just after spring forward
        ("2026-03-09T03:30:00Z", "2026-03-02"),  # Sunday 23:30 EDT
        ("2026-11-02T05:30:00Z", "2026-11-02"),  # Monday 00:30 EST, just after fall back
        ("2026-11-02T04:30:00Z", "2026-10-26"),  # Sunday 23:30 EST
    ],
)
def test_who_turns_over_at_local_midnight_across_dst(run, now, week):
    assert json.loads(run("rotation", "who", "-f", "json", now=now)[1])["week_start"] == week


def test_now_from_the_environment_and_the_format_from_cmtriage_format(run, monkeypatch):
    monkeypatch.setenv("CMTRIAGE_NOW", "2026-12-01T12:00:00Z")
    monkeypatch.setenv("CMTRIAGE_FORMAT", "json")
    assert json.loads(run("rotation", "who", now=None)[1])["who"] == "Jason"


def test_who_writes_to_a_file(run, config_dir):
    target = config_dir / "who.txt"
    assert run("rotation", "who", "-o", str(target)) == (0, "", "")
    # A file is not a terminal: the default is markdown, as everywhere...
    assert target.read_text(encoding="utf-8").startswith("Community PM this week (2026-11-23")
    # ...unless its extension says otherwise (who.json must not hold Markdown).
    target = config_dir / "who.json"
    assert run("rotation", "who", "-o", str(target)) == (0, "", "")
    assert json.loads(target.read_text(encoding="utf-8"))["who"] == "Lindsay"


def test_a_bad_date_is_one_line_and_exit_2(run):
    assert run("rotation", "who", "--date", "next tuesday") == (
        2, "", "cmtriage: error: --date: expected a date like 2026-11-24, got 'next tuesday'\n")
    assert run("rotation", "schedule", "--from", "2026-13-01") == (
        2, "", "cmtriage: error: --from: expected a date like 2026-11-24, got '2026-13-01'\n")
    code, out, err = run("rotation", "who", now="yesterday")
    assert (code, out) == (2, "")
    assert err.startswith("cmtriage: error: --now: expected an ISO 8601 time") and err.count("\n") == 1


def test_before_the_rotation_starts_is_exit_2(run):
    message = ("cmtriage: error: {} is before the rotation starts: its first week is 2026-01-12 – 2026-01-18 "
               "(start: 2026-01-12 in rotation.yaml)\n")
    assert run("rotation", "who", now="2026-01-11T12:00:00Z") == (2, "", message.format("2026-01-11"))
    assert run("rotation", "who", "--date", "2025-12-31") == (2, "", message.format("2025-12-31"))


def test_a_missing_rotation_file_is_exit_2(run, config_dir):
    (config_dir / "rotation.yaml").unlink()
    code, out, err = run("rotation", "who")
    assert (code, out) == (2, "")
    assert err == (f"cmtriage: error: {config_dir / 'rotation.yaml'}: file not found "
                   "(use --config-dir or CMTRIAGE_CONFIG_DIR)\n")


# --- next and schedule ------------------------------------------------------------------------------------
def test_next_lists_the_coming_weeks_without_notifying_them(run):
    assert run("rotation", "next") == (
        0,
        "#### Community PM rotation, 2026-11-30 – 2026-12-27\n"
        "\n"
        "| Week of | Until | Community PM | Mention | Note |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"| 2026-11-30 | 2026-12-06 | Jason | @{ZWSP}jason |  |\n"
        f"| 2026-12-07 | 2026-12-13 | Lindsay | @{ZWSP}lindsay |  |\n"
        f"| 2026-12-14 | 2026-12-20 | Ada | @{ZWSP}ada |  |\n"
        f"| 2026-12-21 | 2026-12-27 | Eric | @{ZWSP}eric.s |  |\n",
        "",
    )


def test_next_before_a_new_rotation_starts_lists_its_first_weeks(run):
    code, out, _ = run("rotation", "next", "--weeks", "2", "-f", "csv", now="2025-12-01T12:00:00Z")
    assert (code, out) == (0, "week_start,week_end,who,mention,scheduled,reason\n"
                              "2026-01-12,2026-01-18,Eric,'@eric.s,Eric,\n"
                              "2026-01-19,2026-01-25,Jason,'@jason,Jason,\n")


def test_schedule_json(run):
    code, out, err = run("rotation", "schedule", "--from", "2026-11-18", "--weeks", "3", "-f", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "report": "rotation",
        "generated_at": "2026-11-24T15:00:00Z",
        "items": [
            {"who": "Lindsay", "mention": "@lindsay", "week_start": "2026-11-16", "week_end": "2026-11-22",
             "override": None},
            {"who": "Lindsay", "mention": "@lindsay", "week_start": "2026-11-23", "week_end": "2026-11-29",
             "override": {"scheduled": "Eric", "reason": "Eric at a conference"}},
            {"who": "Jason", "mention": "@jason", "week_start": "2026-11-30", "week_end": "2026-12-06",
             "override": None},
        ],
        "errors": [],
    }


def test_schedule_csv_and_markdown_show_the_override(run):
    args = ("rotation", "schedule", "--from", "2026-11-23", "--weeks", "2")
    assert run(*args, "-f", "csv")[1] == (
        "week_start,week_end,who,mention,scheduled,reason\n"
        "2026-11-23,2026-11-29,Lindsay,'@lindsay,Eric,Eric at a conference\n"
        "2026-11-30,2026-12-06,Jason,'@jason,Jason,\n"
    )
    assert run(*args)[1].splitlines()[4] == (
        f"| 2026-11-23 | 2026-11-29 | Lindsay | @{ZWSP}lindsay | covering for Eric: Eric at a conference |")


def test_schedule_table_for_the_terminal(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    lines = run("rotation", "schedule", "--weeks", "2", "-f", "table")[1].splitlines()
    assert lines[0] == "Community PM rotation, 2026-11-23 – 2026-12-06"
    assert lines[2].split("┃")[1:-1] == [" Week of    ", " Until      ", " Community PM ", " Mention  ",
                                         " Note                                    "]
    assert [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines if line.startswith("│")] == [
        ["2026-11-23", "2026-11-29", "Lindsay", "@lindsay", "covering for Eric: Eric at a conference"],
        ["2026-11-30", "2026-12-06", "Jason", "@jason", ""],
    ]


def test_weeks_must_be_positive(run):
    code, out, err = run("rotation", "next", "--weeks", "0")
    assert (code, out) == (2, "")
    assert "--weeks" in err and "0" in err


# --- ics --------------------------------------------------------------------------------------------------
def events(text: str) -> list[tuple]:
    calendar = Calendar.from_ical(text)
    return [(str(e["UID"]), e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"]))
            for e in calendar.walk("VEVENT")]


UID = "community-pm-e95eee17-{}@cmtriage"  # e95eee17: America/Toronto, 2026-01-12, Eric, Jason, Lindsay


def test_ics_has_one_all_day_event_per_week(run):
    code, out, err = run("rotation", "ics", "--from", "2026-11-23", "--weeks", "3")
    assert (code, err) == (0, "")
    assert events(out) == [
        (UID.format("2026-11-23"), date(2026, 11, 23), date(2026, 11, 30), "Community PM: Lindsay"),
        (UID.format("2026-11-30"), date(2026, 11, 30), date(2026, 12, 7), "Community PM: Jason"),
        (UID.format("2026-12-07"), date(2026, 12, 7), date(2026, 12, 14), "Community PM: Lindsay"),
    ]
    # DATE values, not date-times: calendar apps show them as all-day events in any time zone.
    assert "DTSTART;VALUE=DATE:20261123\r\n" in out and "DTEND;VALUE=DATE:20261130\r\n" in out
    calendar = Calendar.from_ical(out)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//cmtriage//Community PM rotation//EN"
    # RFC 5545: CRLF line ends and lines folded at 75 octets, or strict importers reject the file.
    assert out.endswith("\r\n") and "\n" not in out.replace("\r\n", "")
    assert max(len(line.encode()) for line in out.split("\r\n")) <= 75
    first = calendar.walk("VEVENT")[0]
    assert first.decoded("DTSTAMP") == datetime.fromisoformat(NOW)
    assert first.decoded("SEQUENCE") == 29925540  # minutes since 1970 at NOW
    assert str(first["DESCRIPTION"]) == (
        "Community PM for the week 2026-11-23 – 2026-11-29: @lindsay (Lindsay), covering for Eric: "
        "Eric at a conference")
    assert str(first["TRANSP"]) == "TRANSPARENT"


def sequences(text: str) -> list[int]:
    return [e.decoded("SEQUENCE") for e in Calendar.from_ical(text).walk("VEVENT")]


def test_ics_uids_stay_when_the_file_is_made_again_so_reimports_update(run, config_dir):
    first = run("rotation", "ics", "--weeks", "3")[1]
    # The team changes: another override, a member leaves, another joins.
    yaml = ROTATION_YAML.replace("who: Lindsay", "who: Jason").replace(
        "  - name: Jason\n", "  - name: Jason\n    until: 2026-11-29\n").replace(
        "overrides:\n", "  - {name: Bea, from: 2026-11-30}\noverrides:\n  - {week: 2026-12-07, who: Eric}\n")
    (config_dir / "rotation.yaml").write_text(yaml, encoding="utf-8")
    second = run("rotation", "ics", "--weeks", "3", now="2026-11-26T09:00:00Z")[1]
    assert [e[0] for e in events(second)] == [e[0] for e in events(first)]
    assert [e[3] for e in events(second)] == [
        "Community PM: Jason", "Community PM: Lindsay", "Community PM: Eric"]
    # A newer file carries a higher SEQUENCE, so apps that compare it take the new events.
    assert sequences(first) == [29925540] * 3 and sequences(second) == [29928060] * 3


def test_two_teams_calendars_share_no_event(run, config_dir):
    ours = events(run("rotation", "ics", "--weeks", "2")[1])
    # Another team, with the same time zone and start.
    (config_dir / "rotation.yaml").write_text(
        "timezone: America/Toronto\nstart: 2026-01-12\nmembers: [{name: Hanna}, {name: Ivo}]\n",
        encoding="utf-8")
    theirs = events(run("rotation", "ics", "--weeks", "2")[1])
    assert [e[1] for e in theirs] == [e[1] for e in ours] == [date(2026, 11, 23), date(2026, 11, 30)]
    assert [e[0] for e in theirs] == ["community-pm-86ee5444-2026-11-23@cmtriage",
                                      "community-pm-86ee5444-2026-11-30@cmtriage"]
    assert not {e[0] for e in theirs} & {e[0] for e in ours}


def test_ics_to_a_file_defaults_to_52_weeks_from_this_week(run, config_dir):
    target = config_dir / "rota.ics"
    assert run("rotation", "ics", "-o", str(target)) == (0, "", "")
    found = events(target.read_text(encoding="utf-8"))
    assert len(found) == 52
    assert (found[0][1], found[-1][2]) == (date(2026, 11, 23), date(2027, 11, 22))


# --- help -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["who", "next", "schedule", "ics"])
def test_every_command_has_help_with_an_example(run, command):
    code, out, _ = run("rotation", command, "--help")
    assert code == 0
    assert "Example:" in out and f"cmtriage rotation {command}" in out
    assert "--config-dir" in out and "--now" in out


def test_ics_leaves_out_a_week_with_nobody_on_the_rotation(run, config_dir):
    yaml = ROTATION_YAML.replace("  - name: Lindsay\n", "  - name: Lindsay\n    until: 2026-01-18\n")
    yaml = yaml.replace("  - name: Jason\n", "  - name: Jason\n    until: 2026-01-18\n")
    yaml = yaml.replace("    mention: eric.s\n", "    mention: eric.s\n    until: 2026-01-18\n")
    yaml = yaml.replace("from: 2026-12-07", "from: 2026-02-02").split("overrides:")[0]
    (config_dir / "rotation.yaml").write_text(yaml, encoding="utf-8")
    found = events(run("rotation", "ics", "--from", "2026-01-12", "--weeks", "4")[1])
    assert [(e[1], e[3]) for e in found] == [(date(2026, 1, 12), "Community PM: Eric"),
                                              (date(2026, 2, 2), "Community PM: Ada")]
    assert run("rotation", "who", "--date", "2026-01-20") == (
        0,
        "Community PM for the week 2026-01-19 – 2026-01-25: nobody "
        "(no member is on the rotation that week)\n",
        "",
    )


# --- the examples in the help and the README are real runs ------------------------------------------------
PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_NOW = "2026-11-24T14:00:00Z"  # the README's samples and the help's examples run then


@pytest.fixture
def shipped(tmp_path, monkeypatch, capsys):
    """cmtriage on a copy of the shipped rotation.yaml at SAMPLE_NOW, from a scratch folder (where
    `-o FILE` examples write): `shipped(argv, rotation=None)` gives (exit code, stdout)."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("COLUMNS", "120")

    def run(argv: list[str], rotation: str | None = None) -> tuple[int, str]:
        text = rotation or (PROJECT / "rotation.yaml").read_text(encoding="utf-8")
        (folder / "rotation.yaml").write_text(text, encoding="utf-8")
        options = [] if "--help" in argv else ["--config-dir", str(folder), "--now", SAMPLE_NOW]
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, *options])
        out, err = capsys.readouterr()
        assert err == "", (argv, err)
        return exit_info.value.code, out.replace("\r\n", "\n")

    return run


def samples(text: str) -> list[tuple[list[str], list[str]]]:
    """Each `$ cmtriage ...` line (or plain `cmtriage ...` line) with the lines shown after it as its
    output, as (arguments, output lines)."""
    found: list[tuple[list[str], list[str]]] = []
    for line in text.splitlines():
        command = line.strip().removeprefix("$ ")
        if command.startswith("cmtriage "):
            found.append((shlex.split(command)[1:], []))
        elif found and line.strip():
            found[-1][1].append(line)
    return found


@pytest.mark.parametrize("command", [[], ["who"], ["next"], ["schedule"], ["ics"]],
                         ids=["rotation", "who", "next", "schedule", "ics"])
def test_every_help_example_runs_and_shows_what_the_shipped_rotation_gives(shipped, command):
    code, help_text = shipped(["rotation", *command, "--help"])
    block = re.split(r"\n  Examples?:\n", help_text)[1].split("\n\n")[0]
    examples = samples(block)
    assert examples and all(argv[:1] == ["rotation"] for argv, _ in examples)
    for argv, shown in examples:
        code, out = shipped(argv)
        assert code == 0, argv
        if shown:
            assert [line.strip() for line in out.splitlines()] == [line.strip() for line in shown], argv


def test_the_readme_rotation_samples_are_real_runs_of_the_shipped_rotation(shipped):
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### cmtriage rotation\n")[1].split("\n### ")[0]
    shipped_rotation = (PROJECT / "rotation.yaml").read_text(encoding="utf-8")
    rotation = None
    checked = 0
    for kind, block in re.findall(r"```(\w*)\n(.*?)```", section, flags=re.DOTALL):
        if kind == "yaml":  # the override the next samples add, as the README says
            assert "overrides: []\n" in shipped_rotation
            rotation = shipped_rotation.replace("overrides: []\n", block)
            continue
        for argv, shown in samples(block):
            if not shown:  # the synopsis
                continue
            table = any("┏" in line for line in shown)
            code, out = shipped([*argv, "-f", "table"] if table else argv, rotation)
            assert (code, out.splitlines()) == (0, shown), argv
            checked += 1
    assert checked == 4
