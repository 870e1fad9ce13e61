"""The command line: a thin shell over reports, rotation and render.

Commands live one per module under `cmtriage.commands` and are imported only when run, so
`cmtriage rotation who` never pays for PyGithub, httpx or rich.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from cmtriage import __version__
from cmtriage.errors import EXIT_USAGE, CmtriageError, redact

# name -> (module:attribute, one-line help shown in `cmtriage --help` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "config": ("cmtriage.commands.config:config", "Check repos.yaml and rotation.yaml."),
    "rotation": ("cmtriage.commands.rotation:rotation", "Who is the community PM this week, next, and when."),
    "snooze": ("cmtriage.commands.snooze:snooze", "Hide an item from every report until a date."),
    "unsnooze": ("cmtriage.commands.snooze:unsnooze", "Put a snoozed item back on the reports."),
    "snoozed": ("cmtriage.commands.snooze:snoozed", "List the snoozed items, until when and why."),
    "share-snoozes": ("cmtriage.commands.snooze:share_snoozes", "Move local snoozes into snoozes.yaml."),
    "zendesk": ("cmtriage.commands.zendesk:zendesk", "Zendesk tickets sales flagged for the community PM."),
    "stale": ("cmtriage.commands.stale:stale", "Community GitHub issues and pulls nobody answered lately."),
    "new": ("cmtriage.commands.new:new", "New community GitHub issues, each with its type and a reply."),
    "helpwanted": ("cmtriage.commands.helpwanted:helpwanted",
                   "Help Wanted issues to label, answer, follow up."),
    "learn": ("cmtriage.commands.learn:learn", "Learn post types from the team's labelled issues, for new."),
    "metrics": ("cmtriage.commands.metrics:metrics", "Per rotation week: how fast the team answered."),
    "digest": ("cmtriage.commands.digest:digest", "The morning post: every report set up, in one."),
    "forum": ("cmtriage.commands.forum:forum", "Forum, Stack Overflow, GitLab and GitHub posts to answer."),
    "uservoice": ("cmtriage.commands.uservoice:uservoice", "Feature ideas to update, ask about, thank for."),
    "jira": ("cmtriage.commands.jira:jira", "Draft or create the Jira ticket of a reproducible bug."),
    "schedule": ("cmtriage.commands.schedule:schedule", "The morning job for Actions, cron or systemd."),
}


class SuggestingGroup(click.Group):
    """A group that answers a mistyped command with the closest one: "No such command 'stal'. Did you
    mean stale?"."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, ...]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.6)
            ctx.fail(f"No such command {name!r}." + (f" Did you mean {close[0]}?" if close else ""))
        return super().resolve_command(ctx, args)


class LazyGroup(SuggestingGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[name][0].partition(":")
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="cmtriage")
@click.option("--debug", is_flag=True,
              help="Show tracebacks for errors (also after the command; env: CMTRIAGE_DEBUG=1).")
@click.option("--verbose", is_flag=True,
              help="Say what a run cost, e.g. GitHub's requests (also after the command).")
def cli(debug: bool, verbose: bool) -> None:
    """Triage for the team that answers an open-source community.

    Lists what needs an answer (GitHub issues and pulls nobody answered, the day's new
    issues with a ready reply, unanswered forum and Stack Overflow questions, Help Wanted
    issues to label and follow up, feature ideas whose status is out of date, Zendesk tickets
    flagged for the community PM), posts it to Mattermost, says who is on community duty this
    week, and how fast the team answered.

    \b
    Examples:
      cmtriage rotation who
      cmtriage stale --days 7
      cmtriage digest --post --only-changes
      cmtriage stale --days 7 --format payload | while IFS= read -r body; do
        printf '%s' "$body" | curl -fsS -H 'Content-Type: application/json' --data-binary @- \\
          "$MATTERMOST_WEBHOOK_URL" >/dev/null || exit 1
      done
    """
    if verbose or "cmtriage.terminal" in sys.modules:  # `rotation who` need not import it at all
        from cmtriage.terminal import terminal

        terminal().verbose = verbose


GLOBAL_FLAGS = ("--debug", "--verbose")


def _hoisted(argv: list[str]) -> list[str]:
    """argv with the global flags moved before the command, so that `cmtriage stale --debug` works as
    `cmtriage --debug stale` does (nothing after a `--` is touched)."""
    end = argv.index("--") if "--" in argv else len(argv)
    flags = [arg for arg in argv[:end] if arg in GLOBAL_FLAGS]
    rest = [arg for arg in argv[:end] if arg not in GLOBAL_FLAGS]
    return [*flags, *rest, *argv[end:]]


def _debugging(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("CMTRIAGE_DEBUG") not in (None, "", "0")


def _report(argv: list[str], line: str) -> None:
    """The failure being handled, on stderr: one line, or with --debug its traceback; secrets replaced
    either way, and the line cleaned, since messages may quote what a server sent."""
    if _debugging(argv):
        import traceback

        click.echo(redact(traceback.format_exc()), err=True, nl=False)
        return
    from cmtriage.text import clean

    click.echo(clean(redact(line)), err=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every failure ends as one line on stderr and an exit code, never a traceback."""
    argv = _hoisted(list(sys.argv[1:] if argv is None else argv))
    try:
        code = cli.main(argv, prog_name="cmtriage", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        code = 130
    except CmtriageError as exc:
        _report(argv, f"cmtriage: error: {exc}")
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = 130
    except BrokenPipeError:
        # The reader (head, less) went away: not an error of ours.
        sys.stderr.close()
        code = 0
    except Exception as exc:
        _report(argv, f"cmtriage: internal error: {exc.__class__.__name__}: {exc} "
                      "(run with --debug for details)")
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["COMMANDS", "EXIT_USAGE", "cli", "main"]
