"""The morning digest: every report repos.yaml sets up, as one post headed by the community PM.

The seed has ops post the day's lists to the community channel and @mention the PM on duty; the digest
is that post. Each section is a report as its own command makes it, under its own title with its count;
a section whose source could not be asked at all keeps its place and shows the error there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cmtriage.models import Digest, Report

NAME = "digest"


def _counted(section: Report, short: Mapping[str, str]) -> str:
    short = short.get(section.name, section.name)
    if not section.listed:
        return f"{short} failed"
    count = len(section.items) if section.total is None else section.total  # --limit shows only some
    return f"{count} {short}" + (" (incomplete)" if section.errors else "")


def build(sections: Sequence[Report], *, now: datetime, local_day: str, mention: str | None = None,
          short: Mapping[str, str] | None = None) -> Digest:
    """`local_day` names the day as the team says it (the rotation's time zone), e.g. "Thu 2026-11-26";
    `short` how the title counts each section by name (else by its name: "3 stale")."""

    def titled(shown: Sequence[Report]) -> str:
        return f"Community triage for {local_day}: " + ", ".join(_counted(s, short or {}) for s in shown)

    return Digest(name=NAME, titled=titled, sections=tuple(sections), generated_at=now, mention=mention)
