"""What kind of post a community issue is, and the reply the seed process gives each kind.

The community monitoring process sorts every new post into one of four types and answers each its own
way. `classify` guesses the type from the signals a person on duty would look at, strongest first:

1. Labels. A triage label (Type/Bug, enhancement, ...) settles the type. A label that fits two types
   (question, support) narrows the choice to those two; the signals below pick between them, and when
   they are silent the label's own lean wins (question -> Developer/Product Question, support ->
   Troubleshooting).
2. Issue-template headings in the body ("Steps to reproduce", "Feature idea", ...): 4 points each.
3. Words, matched case-insensitively as whole words: 3 points for each different phrase in the title,
   1 in the body, and 2 for a question mark in the title (Developer/Product Question). Symptoms ("crash",
   "error", "doesn't work") count for Bug, unless the post talks about the author's own setup ("nginx",
   "docker", "install") at least as much: then they count for Troubleshooting, which the seed sends to
   the forum.

The type with the most points wins. A tie goes to the first of TIE_ORDER: an explicit ask for something new
(Feature Proposal) beats a complaint; a product word ("regression", "bug") beats a setup word, since
symptoms in setup posts already count for Troubleshooting; a question is the fallback.
With no signal at all the post is a Developer/Product Question, "no strong signal".

Titles and bodies come from strangers: only the first TITLE_LIMIT / BODY_LIMIT characters are read, HTML
comments (the template's instructions) are skipped without a regex, and the word patterns are literal
alternations with possessive whitespace, so no input makes matching backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cmtriage.models import BUG, FEATURE, POST_TYPES, QUESTION, TROUBLESHOOTING

TIE_ORDER = (FEATURE, BUG, TROUBLESHOOTING, QUESTION)

TITLE_LIMIT = 1_000
BODY_LIMIT = 20_000

HEADING_POINTS = 4
TITLE_POINTS = 3
BODY_POINTS = 1
QUESTION_MARK_POINTS = 2


@dataclass(frozen=True)
class Classification:
    post_type: str
    reason: str


# Label names, lower-cased. The first type is the label's lean when nothing else decides.
_LABELS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("bug", "type/bug", "kind/bug", "type: bug"), (BUG,)),
    **dict.fromkeys(
        ("enhancement", "type/enhancement", "feature", "feature request", "feature proposal",
         "kind/feature", "type/feature"),
        (FEATURE,),
    ),
    **dict.fromkeys(("question", "type/question", "kind/question"), (QUESTION, TROUBLESHOOTING)),
    **dict.fromkeys(("support", "kind/support"), (TROUBLESHOOTING, QUESTION)),
    "troubleshooting": (TROUBLESHOOTING,),
}

# Headings of Mattermost's and GitHub's default issue templates, as shown in reasons.
_HEADINGS: tuple[tuple[str, str], ...] = (
    ("Summary", BUG),
    ("Steps to reproduce", BUG),
    ("To reproduce", BUG),
    ("Expected behavior", BUG),
    ("Expected behaviour", BUG),
    ("Observed behavior", BUG),
    ("Observed behaviour", BUG),
    ("Actual behavior", BUG),
    ("Possible fixes", BUG),
    ("Describe the bug", BUG),
    ("Feature idea", FEATURE),
    ("Is your feature request related to a problem", FEATURE),
    ("Describe the solution you'd like", FEATURE),
    ("Describe alternatives you've considered", FEATURE),
)

# Phrases as small regexes: a space matches any run of whitespace, an apostrophe is optional and may be
# typographic. SYMPTOM phrases count for Bug or Troubleshooting, see the module docstring.
SYMPTOM = "symptom"
_PHRASES: dict[str, tuple[str, ...]] = {
    # A mistake in the docs or the product's text is a bug to fix, however much it mentions installing.
    BUG: ("regressions?", "bugs?", "typos?", "misspell(?:ed|ing)?", "broken links?", "dead links?"),
    SYMPTOM: (
        "crash(?:es|ed|ing)?", "errors?", "exceptions?", "panics?", "broken", "doesn't work",
        "does not work", "not working", "stopped working",
    ),
    TROUBLESHOOTING: (
        "install(?:s|ed|ing|ation|er)?", "nginx", "apache", "docker", "kubernetes", "helm",
        "reverse proxy", "can't connect", "cannot connect", "unable to connect", "couldn't connect",
        "how do i configure", "how to configure", "upgrade failed", "failed to upgrade", "ssl",
        "certificates?", "config\\.json", "systemd", "mysql", "postgres(?:ql)?", "ldap", "smtp", "gitlab",
    ),
    QUESTION: (
        "how do i", "how can i", "how to", "is it possible", "is there a way", "where can i find",
        "apis?", "webhooks?", "slash commands?", "plugin development", "question",
    ),
    FEATURE: (
        "would be nice", "would be great", "would be (?:useful|helpful)", "please add", "support for",
        "add support", "feature request", "\\[feature\\]", "feature idea", "feature proposal",
        "enhancement", "ability to", "allow (?:users|admins) to", "option to",
    ),
}
# One alternation, longest phrase first so "how do i configure" wins over "how do i" where both match.
_PHRASE_KINDS = sorted(
    ((source, kind) for kind, sources in _PHRASES.items() for source in sources),
    key=lambda pair: -len(pair[0]),
)


def _pattern(source: str) -> str:
    return "(" + source.replace(" ", r"\s++").replace("'", "['’]?") + ")"


_WORDS = re.compile(
    r"(?<!\w)(?:" + "|".join(_pattern(source) for source, _ in _PHRASE_KINDS) + r")(?!\w)", re.IGNORECASE
)


@dataclass(frozen=True)
class _Signal:
    kind: str  # a post type or SYMPTOM
    place: str  # "heading", "title" or "body"
    text: str  # what the reason quotes
    points: int


def classify(title: str, body: str, labels: Iterable[str] = ()) -> Classification:
    """The post type of an issue from its labels, template headings and words (see the module doc)."""
    label_types = [(name, _LABELS[key]) for name in labels if (key := _label_key(name)) in _LABELS]
    candidates = {t for _, types in label_types for t in types} or set(POST_TYPES)
    if len(candidates) == 1:
        (post_type,) = candidates
        return Classification(post_type, _quote("label", [name for name, _ in label_types]))

    title = title[:TITLE_LIMIT]
    body = _without_html_comments(body[:BODY_LIMIT])
    signals = _headings(body) + _words(title, "title", TITLE_POINTS) + _words(body, "body", BODY_POINTS)
    if "?" in title:
        signals.append(_Signal(QUESTION, "title", "?", QUESTION_MARK_POINTS))
    signals = _route_symptoms(signals)

    scores = {t: sum(s.points for s in signals if s.kind == t) for t in candidates}
    leans = {types[0] for _, types in label_types}
    winner = max(candidates, key=lambda t: (scores[t], t in leans, -TIE_ORDER.index(t)))
    parts = []
    if label_types:
        parts.append(_quote("label", [name for name, types in label_types if winner in types]))
    elif not scores[winner]:
        return Classification(QUESTION, "no strong signal")
    parts += _evidence([s for s in signals if s.kind == winner])
    return Classification(winner, "; ".join(parts))


def _label_key(name: str) -> str:
    return " ".join(name.lower().split())


def _without_html_comments(text: str) -> str:
    """Text without <!-- --> comments, where templates keep their instructions; linear on any input."""
    parts, start = [], 0
    while (opened := text.find("<!--", start)) != -1:
        parts.append(text[start:opened])
        closed = text.find("-->", opened + 4)
        if closed == -1:  # GitHub hides the rest of an unclosed comment too
            return " ".join(parts)
        start = closed + 3
    parts.append(text[start:])
    return " ".join(parts)


def _headings(body: str) -> list[_Signal]:
    """Template headings: a line that starts with one, marked up (#, **, __) or followed by ":" or nothing."""
    found: dict[str, _Signal] = {}
    for line in body.splitlines():
        text = line.strip()
        marked = text.startswith(("#", "**", "__"))
        text = text.lstrip("#*_ \t").replace("’", "'").lower()
        for heading, post_type in _HEADINGS:
            if not text.startswith(heading.lower()):
                continue
            rest = text[len(heading):]
            ends = not rest.strip(" \t*_:") or rest.startswith(":")
            if ends or (marked and not (rest[0].isalnum() or rest[0] == "_")):
                found.setdefault(heading, _Signal(post_type, "heading", heading, HEADING_POINTS))
            break
    return list(found.values())


def _words(text: str, place: str, points: int) -> list[_Signal]:
    found: dict[int, _Signal] = {}  # one signal per phrase, quoting its first occurrence
    for match in _WORDS.finditer(text):
        index = match.lastindex or 0
        if index not in found:
            words = " ".join(match.group(index).replace("’", "'").lower().split())
            found[index] = _Signal(_PHRASE_KINDS[index - 1][1], place, words, points)
    return list(found.values())


def _route_symptoms(signals: list[_Signal]) -> list[_Signal]:
    """Symptoms are a Bug's, unless the setup words weigh at least as much: then it is Troubleshooting."""
    symptoms = sum(s.points for s in signals if s.kind == SYMPTOM)
    setup = sum(s.points for s in signals if s.kind == TROUBLESHOOTING)
    kind = TROUBLESHOOTING if setup and setup >= symptoms else BUG
    return [_Signal(kind, s.place, s.text, s.points) if s.kind == SYMPTOM else s for s in signals]


def _evidence(signals: list[_Signal]) -> list[str]:
    parts = []
    headings = [s.text for s in signals if s.place == "heading"]
    if headings:
        parts.append(_quote("template heading", headings))
    for place in ("title", "body"):
        words = [s.text for s in signals if s.place == place and s.text != "?"]
        mark = any(s.place == place and s.text == "?" for s in signals)
        if words:
            parts.append(_quote("words", words, plural=False) + (" and a question mark" if mark else "")
                         + f" in {place}")
        elif mark:
            parts.append(f"a question mark in {place}")
    return parts


def _quote(what: str, texts: list[str], *, plural: bool = True, shown: int = 3) -> str:
    """'label "bug"', 'template headings "Summary", "Steps to reproduce" and 2 more'."""
    quoted = ", ".join(f'"{text}"' for text in texts[:shown])
    more = f" and {len(texts) - shown} more" if len(texts) > shown else ""
    return f"{what}{'s' if plural and len(texts) > 1 else ''} {quoted}{more}"


# --- replies --------------------------------------------------------------------------------------------
DEFAULT_CONTEXT: Mapping[str, str] = {
    "forum_url": "https://forum.mattermost.com",
    "feature_ideas_url": "https://www.mattermost.org/feature-ideas/",
    "docs_url": "https://docs.mattermost.com",
}

DEFAULT_REPLIES: Mapping[str, str] = {
    BUG: (
        "Thanks for the report, @{author}! We'll try to reproduce this. Could you add the steps to "
        "reproduce it, your Mattermost version and what you expected to happen? Once we can reproduce it "
        "we'll open a Jira ticket and link it here."
    ),
    FEATURE: (
        "Thanks for the idea, @{author}! Could you create a feature proposal at {feature_ideas_url} and "
        "post the link back here? That way others can find it and vote for it. If you'd like to build it "
        "yourself, let us know."
    ),
    TROUBLESHOOTING: (
        "Thanks for reaching out, @{author}! This looks specific to your setup, so the forum is the best "
        "place for it: could you post it at {forum_url} with your Mattermost version and any errors from "
        "the logs? The community and the team answer there."
    ),
    QUESTION: (
        "Thanks for the question, @{author}! The documentation at {docs_url} may already cover it; if "
        "not, please ask at {forum_url}, where the team and the community can help."
    ),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

Templates = Mapping[str, str] | Iterable[tuple[str, str]]


def reply_for(post_type: str, templates: Templates | None = None, **context: str | None) -> str:
    """The reply for a post type: the `replies:` template from repos.yaml if it has one, else the default.

    Each `{name}` whose name is in `context` (or DEFAULT_CONTEXT; a None value falls back to the default)
    is filled in; any other text, `{typo}` and stray braces included, is left exactly as written, so a
    user's template can never make this fail.
    """
    if post_type not in POST_TYPES:
        raise ValueError(f"unknown post type {post_type!r}; expected one of {', '.join(POST_TYPES)}")
    template = dict(templates or {}).get(post_type, DEFAULT_REPLIES[post_type])
    values = {**DEFAULT_CONTEXT, **{k: v for k, v in context.items() if v is not None}}
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def unknown_reply_types(templates: Templates) -> tuple[str, ...]:
    """The keys of a `replies:` mapping that are not post types, in the order written."""
    return tuple(key for key in dict(templates) if key not in POST_TYPES)
