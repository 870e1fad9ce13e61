"""The Jira ticket drafted from a report (a GitHub issue or a forum topic): pure, no HTTP.

The description quotes the report, with its address, as Atlassian Document Format for Jira Cloud's v3
API (text nodes are literal: nothing a stranger wrote becomes markup) or as wiki text for Data Center's
v2 API (the body inside {noformat}, which Jira shows as written).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cmtriage.sources.origin import Origin

MAX_SUMMARY = 255  # Jira refuses a longer summary
MAX_QUOTE = 5000  # the report's first characters: the ticket links to the rest


@dataclass(frozen=True)
class Draft:
    project: str
    summary: str
    intro: str  # "Reported by NAME in a GitHub issue: URL"
    quote: str
    labels: tuple[str, ...]
    link: str

    def description(self, cloud: bool) -> Any:
        if not cloud:
            body = self.quote.replace("{noformat}", "{ noformat}")
            return f"{self.intro}\n\n{{noformat}}\n{body}\n{{noformat}}" if body else self.intro
        intro_text = self.intro[: -len(self.link)]
        content: list[dict[str, Any]] = [{"type": "paragraph", "content": [
            {"type": "text", "text": intro_text},
            {"type": "text", "text": self.link, "marks": [{"type": "link", "attrs": {"href": self.link}}]},
        ]}]
        paragraphs = [p for p in self.quote.split("\n\n") if p.strip()]
        if paragraphs:
            content.append({"type": "blockquote", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": p.strip()}]} for p in paragraphs]})
        return {"type": "doc", "version": 1, "content": content}


def draft(origin: Origin, *, project: str, labels: tuple[str, ...]) -> Draft:
    from cmtriage.text import clean

    summary = clean(origin.title) or f"Report from {origin.url}"
    if len(summary) > MAX_SUMMARY:
        summary = summary[: MAX_SUMMARY - 1].rstrip() + "…"
    who = clean(origin.author)
    intro = f"Reported{f' by {who}' if who else ''} in a {origin.kind}: {origin.url}"
    quote = origin.body.strip()
    if len(quote) > MAX_QUOTE:
        quote = quote[: MAX_QUOTE - 1].rstrip() + "…"
    return Draft(project=project, summary=summary, intro=intro, quote=quote, labels=labels, link=origin.url)


def reply(origin: Origin, ticket_url: str, *, created: bool) -> str:
    """A ready reply for the reporter (plain text; they paste it where they reported)."""
    from cmtriage.text import clean

    who = clean(origin.author)
    thanks = f"Thanks @{who} for the report!" if who and origin.kind.startswith("GitHub") else (
        f"Thanks {who} for the report!" if who else "Thanks for the report!")
    if created:
        return f"{thanks} I reproduced it and opened {ticket_url} to track the fix."
    return f"{thanks} It is tracked in {ticket_url}."
