"""What kind of post a community issue is, and the reply the seed process gives each kind.

The community monitoring process sorts every new post into one of four types and answers each its own
way. `classify` guesses the type from the signals a person on duty would look at, strongest first:

1. Labels. A triage label (Type/Bug, enhancement, ..., and those repos.yaml `types:` maps) settles the
   type. A label that fits two types (question, support) narrows the choice to those two; the signals
   below pick between them, and when they are silent the label's own lean wins (question ->
   Developer/Product Question, support -> Troubleshooting).
2. A learned model (`cmtriage learn`), when one is given and knows any of the issue's words: it decides,
   naming the words that weighed most. When it knows only one of the two question types, the rules below
   split its answer between them.
3. The rules:
   - the template's own answer ("Issue type: Support", "... or report a bug? Feature", a ticked
     "- [x] Feature request"): 8 points;
   - issue-template headings in the body ("Steps to reproduce", "Feature idea", ...): 3 points for a
     type's headings, however many (one template is one signal: people file questions through the bug
     template when it is the only one);
   - the title's shape: a title that starts like a request ("Add ...", "Support ...", "Allow ...") is a
     Feature Proposal, one that starts like a question ("How ...", "Why ...", "Can ...", "Is ...") a
     Developer/Product Question: 3 points, unless a phrase of that type already starts the title;
   - words, matched case-insensitively as whole words: 3 points for each different phrase in the title,
     1 in the body ("api" only in the title), and 2 for a question mark in the title (Developer/Product
     Question) unless the title asks for a feature. Symptoms ("crash", "error", "doesn't work") count for
     Bug, unless the post talks about the author's own setup ("nginx", "docker", "install") at least as
     much: then they count for Troubleshooting, which the seed sends to the forum.
   Nothing matches inside URLs, paths, `inline code`, identifiers (`--crash-reporter-id`, `max_retries`)
   or the tail of a compound (`vscode-docker`), nor in template boilerplate: HTML comments (the
   template's instructions), checklists, `<details>` blocks and the line that asks for the type.

The type with the most points wins. A tie goes to the first of TIE_ORDER: an explicit ask for something new
(Feature Proposal) beats a complaint; a product word ("regression", "bug") beats a setup word, since
symptoms in setup posts already count for Troubleshooting; a question is the fallback.
With no signal at all the post is a Developer/Product Question, "no strong signal".

Titles and bodies come from strangers: only the first TITLE_LIMIT / BODY_LIMIT characters are read, HTML
comments and `<details>` blocks are skipped without a regex, the word patterns are literal alternations
with possessive whitespace, and the others look only within one token or a bounded span (a type-asking
key is read in its first 200 characters), so matching stays linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cmtriage.models import BUG, FEATURE, POST_TYPES, QUESTION, TROUBLESHOOTING

if TYPE_CHECKING:
    from cmtriage.learned import Guess, Model

TIE_ORDER = (FEATURE, BUG, TROUBLESHOOTING, QUESTION)

TITLE_LIMIT = 1_000
BODY_LIMIT = 20_000

ANSWER_POINTS = 8
HEADING_POINTS = 3
MORE_HEADING_POINTS = 0
TITLE_POINTS = 3
SHAPE_POINTS = 3
BODY_POINTS = 1
QUESTION_MARK_POINTS = 2

# Mattermost's own type labels (api-facts 6.2), for `learn` and `new` when repos.yaml has no `types:`.
# Troubleshooting has none: the rules split the question label's issues between the two question types.
DEFAULT_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (BUG, ("Type/Bug", "bug")),
    (FEATURE, ("Type/Enhancement", "enhancement", "Move to Feature Ideas forum")),
    (QUESTION, ("Type/Question", "question")),
)

Types = Sequence[tuple[str, Sequence[str]]]


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
_PAIRED = {QUESTION: TROUBLESHOOTING, TROUBLESHOOTING: QUESTION}  # the two types one label may leave open

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
        # asks phrased as questions: longer than the question phrases they start with, so they win
        "is it possible to (?:add|have|get|support)", "would it be possible to", "(?:could|can) (?:we|you) "
        "(?:please )?(?:add|have|get|support)", "are there (?:any )?plans", "any plans? (?:to|for)",
        "would love",
    ),
}
_TITLE_ONLY = frozenset({"apis?"})  # "api" names a part of the product in any bug's body
# One alternation, longest phrase first so "how do i configure" wins over "how do i" where both match.
_PHRASE_KINDS = sorted(
    ((source, kind) for kind, sources in _PHRASES.items() for source in sources),
    key=lambda pair: -len(pair[0]),
)


def _pattern(source: str) -> str:
    return "(" + source.replace(" ", r"\s++").replace("'", "['’]?") + ")"


# Whole words only, and not the tail of a compound: "vscode-docker" is no docker set-up.
_WORDS = re.compile(
    r"(?<!\w)(?<!\w-)(?:" + "|".join(_pattern(source) for source, _ in _PHRASE_KINDS) + r")(?!\w)",
    re.IGNORECASE,
)

# The title's first word (after any "[tag]" or "Tag:" prefix), for its shape.
_SHAPES: tuple[tuple[str, str, str], ...] = (
    (FEATURE, "request", "add|adding|support|allow|enable|implement|provide|introduce|expose|improve|"
                         "deprecate|extend|let|make|proposal|request|rfe"),
    (QUESTION, "question", "how|why|can|could|is|are|does|do|what|where|when|which|who|should|will|would"),
)
_SHAPE = re.compile(
    r"\s*+(?:\[[^\]\n]{0,40}\]\s*+|[a-z]{2,12}:\s++)?(" + "|".join(f"(?P<s{i}>{words})" for i, (_, _, words)
                                                             in enumerate(_SHAPES))
    + r")(?!\w|['’]|\s++not\b|n['’]?t\b)", re.IGNORECASE)

# The template's own answer: "Issue type: Support", "Do you want to request a feature or report a bug?
# Feature", a ticked "- [x] Feature request". The answer is one of these, alone.
_ANSWERS: dict[str, str] = {
    **dict.fromkeys(("bug", "bug report", "defect", "regression", "report a bug"), BUG),
    **dict.fromkeys(("feature", "feature request", "enhancement", "feature proposal", "proposal",
                     "improvement", "new feature", "request a feature", "idea"), FEATURE),
    **dict.fromkeys(("question", "developer question", "product question", "general question"), QUESTION),
    **dict.fromkeys(("support", "support request", "help", "troubleshooting", "setup help",
                     "installation", "configuration"), TROUBLESHOOTING),
}
_ASKS = re.compile(r"(?:(?:issue|post|request|report|ticket)\s++)?(?:type|kind|category)"  # the whole key
                   r"(?:\s++of\s++(?:issue|post|request|report|ticket))?$"
                   r"|.{0,60}\bbug\b.{0,60}\bfeature\b|.{0,60}\bfeature\b.{0,60}\bbug\b", re.IGNORECASE)
_CHECKBOX = re.compile(r"\s*+[-*+]\s*+\[([ xX])\]\s*+")
_MARKUP = " \t*_`'\"#>:.!()[]|-"

# Where words mean nothing of the writer's: URLs, paths, inline code, identifiers and options.
_OPAQUE = re.compile(
    r"`[^`\n]{1,200}+`"  # inline code
    r"|\b(?:https?|ftp)://\S++|\bwww\.\S++"  # URLs
    # a whole token that is an option (--crash-reporter-id) or holds a path's slash, an identifier's
    # underscore or a setting's "=" (only tokens' starts are tried, so this stays linear)
    r"|(?<!\S)(?:-|(?=[^\s/\\]*+[/\\])|(?=\S*?[^\W_]_[^\W_])|(?=\S*?\w=\S))\S++",
)


@dataclass(frozen=True)
class _Signal:
    kind: str  # a post type or SYMPTOM
    place: str  # "answer", "heading", "shape", "title" or "body"
    text: str  # what the reason quotes
    points: int


def classify(title: str, body: str, labels: Iterable[str] = (), *, types: Types | None = None,
             model: Model | None = None) -> Classification:
    """The post type of an issue from its labels, a learned model when given, else its template's answer,
    headings, title shape and words (see the module doc). `types`: repos.yaml's post type -> labels."""
    known = _label_map(types)
    label_types = [(name, known[key]) for name in labels if (key := _label_key(name)) in known]
    candidates = {t for _, types_ in label_types for t in types_} or set(POST_TYPES)
    if len(candidates) == 1:
        (post_type,) = candidates
        return Classification(post_type, _quote("label", [name for name, _ in label_types]))

    title = title[:TITLE_LIMIT]
    body = body[:BODY_LIMIT]
    if model is not None and not label_types and (guess := model.guess(title, body)).known:
        return _learned(model, guess, title, body)
    leans = {types_[0] for _, types_ in label_types}
    winner, signals, scores = _rules(title, body, candidates, leans)
    parts = []
    if label_types:
        parts.append(_quote("label", [name for name, types_ in label_types if winner in types_]))
    elif not scores[winner]:
        return Classification(QUESTION, "no strong signal")
    parts += _evidence([s for s in signals if s.kind == winner])
    return Classification(winner, "; ".join(parts))


def _learned(model: Model, guess: Guess, title: str, body: str) -> Classification:
    reason = "learned: " + (", ".join(f"'{w}'" for w in guess.words) or "no word stood out")
    partner = _PAIRED.get(guess.post_type)
    if partner is None or partner in model.types:
        return Classification(guess.post_type, reason)
    # the model knows one question type: the rules choose between the two, leaning its way
    winner, signals, _ = _rules(title, body, {guess.post_type, partner}, {guess.post_type})
    if winner == guess.post_type:
        return Classification(winner, reason)
    return Classification(winner, "; ".join([reason, *_evidence([s for s in signals if s.kind == winner])]))


def _rules(title: str, body: str, candidates: set[str], leans: set[str]
           ) -> tuple[str, list[_Signal], dict[str, int]]:
    body = without_html_comments(body)  # the template's instructions: no answer, heading or word
    prose = _prose(body)
    title_prose = _opaque_out(title)
    signals = (_answers(body) + _headings(prose) + _words(title_prose, "title", TITLE_POINTS)
               + _words(prose, "body", BODY_POINTS))
    signals += _shape(title_prose, signals)
    asks_feature = any(s.kind == FEATURE and s.place in ("title", "shape") for s in signals)
    if "?" in title and not asks_feature:
        signals.append(_Signal(QUESTION, "title", "?", QUESTION_MARK_POINTS))
    signals = _route_symptoms(signals)
    scores = {t: sum(s.points for s in signals if s.kind == t) for t in candidates}
    winner = max(candidates, key=lambda t: (scores[t], t in leans, -TIE_ORDER.index(t)))
    return winner, signals, scores


def _label_map(types: Types | None) -> dict[str, tuple[str, ...]]:
    """The built-in label names, with repos.yaml's `types:` over them. A label of one question type
    leaves the other open when `types:` names no label for that other."""
    if not types:
        return _LABELS
    known = dict(_LABELS)
    named = {post_type for post_type, labels in types if labels}
    for post_type, labels in types:
        partner = _PAIRED.get(post_type)
        lean = (post_type, partner) if partner and partner not in named else (post_type,)
        for label in labels:
            known[_label_key(label)] = lean
    return known


def _label_key(name: str) -> str:
    return " ".join(name.lower().split())


def _without(text: str, opening: str, closing: str) -> str:
    """Text without the spans from `opening` to `closing` (ASCII letters in any case), linear on any
    input; an unclosed span runs to the end, as GitHub hides the rest of an unclosed comment. Searched in
    `text` itself: a lower-cased copy is not always as long ("İ" becomes two characters), so its
    positions would cut `text` in the wrong places."""
    opening_at = re.compile(re.escape(opening), re.IGNORECASE | re.ASCII)
    closing_at = re.compile(re.escape(closing), re.IGNORECASE | re.ASCII)
    parts, start = [], 0
    while opened := opening_at.search(text, start):
        parts.append(text[start:opened.start()])
        closed = closing_at.search(text, opened.end())
        if closed is None:
            return " ".join(parts)
        start = closed.end()
    parts.append(text[start:])
    return " ".join(parts)


def without_html_comments(text: str) -> str:
    """Text without <!-- --> comments, where templates keep their instructions; linear on any input."""
    return _without(text, "<!--", "-->")


def _opaque_out(text: str) -> str:
    return _OPAQUE.sub(" ", text)


def _prose(body: str) -> str:
    """What the author wrote in words (of a body without HTML comments): no <details> blocks, checklist
    lines, lines that ask for the post type, URLs, paths, inline code or identifiers."""
    text = _without(body, "<details", "</details>")
    lines = [line for line in text.splitlines() if not _CHECKBOX.match(line) and _asks_type(line) is None]
    return _opaque_out("\n".join(lines))


def _asks_type(line: str) -> int | None:
    """Where the key ends in a template line that asks for the post type ("Issue type:", "... request a
    feature or report a bug?"), else None."""
    mark = max(line.find(":"), line.rfind("?"))
    return mark if 0 < mark <= 200 and _ASKS.match(line[:mark].strip(_MARKUP)) else None


def _answers(body: str) -> list[_Signal]:
    """The template's own answer to "what type is this" in a body without HTML comments: a "key:
    answer" line (or the answer on the next line) whose key asks for a type, or the one type ticked in a
    checklist."""
    lines = body.splitlines()
    found: list[tuple[str, str]] = []
    ticked: list[tuple[str, str]] = []
    for index, line in enumerate(lines):
        box = _CHECKBOX.match(line)
        if box:
            text = line[box.end():].split("(")[0].split(" - ")[0].split(":")[0]
            answer = _answer(text)
            if box.group(1) != " " and answer:
                ticked.append(answer)
            continue
        mark = _asks_type(line)
        if mark is None:
            continue
        rest = line[mark + 1:]
        if not rest.strip(_MARKUP):  # the answer on the next line that holds anything
            rest = next((later for later in lines[index + 1:index + 3] if later.strip()), "")
        answer = _answer(rest)
        if answer:
            found.append(answer)
    found += ticked if len({t for t, _ in ticked}) == 1 else []
    kinds = {t for t, _ in found}
    if len(kinds) != 1:  # none, or a template that contradicts itself
        return []
    (kind,) = kinds
    return [_Signal(kind, "answer", found[0][1], ANSWER_POINTS)]


def _answer(text: str) -> tuple[str, str] | None:
    words = " ".join(text.strip(_MARKUP).split())
    kind = _ANSWERS.get(words.lower())
    return (kind, words) if kind else None


def _headings(body: str) -> list[_Signal]:
    """Template headings: a line that starts with one, marked up (#, **, __) or followed by ":" or nothing.
    The first of a type counts HEADING_POINTS, each further one MORE_HEADING_POINTS (none: a template is
    one signal; the reason still names every heading found)."""
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
            if heading not in found and (ends or (marked and not (rest[0].isalnum() or rest[0] == "_"))):
                first = not any(s.kind == post_type for s in found.values())
                found[heading] = _Signal(post_type, "heading", heading,
                                         HEADING_POINTS if first else MORE_HEADING_POINTS)
            break
    return list(found.values())


def _words(text: str, place: str, points: int) -> list[_Signal]:
    found: dict[int, _Signal] = {}  # one signal per phrase, quoting its first occurrence
    for match in _WORDS.finditer(text):
        index = match.lastindex or 0
        source, kind = _PHRASE_KINDS[index - 1]
        if index not in found and (place == "title" or source not in _TITLE_ONLY):
            words = " ".join(match.group(index).replace("’", "'").lower().split())
            found[index] = _Signal(kind, place, words, points)
    return list(found.values())


def _shape(title: str, signals: list[_Signal]) -> list[_Signal]:
    """The title's first word, when it asks for something or asks a question and no phrase of that kind
    starts the title already."""
    match = _SHAPE.match(title)
    if not match:
        return []
    index = next(i for i in range(len(_SHAPES)) if match.group(f"s{i}"))
    kind = _SHAPES[index][0]
    start = title[match.start(1):].lower()
    if any(s.kind == kind and s.place == "title" and start.startswith(s.text.split()[0]) for s in signals):
        return []
    return [_Signal(kind, "shape", " ".join(match.group(1).split()), SHAPE_POINTS)]


def _route_symptoms(signals: list[_Signal]) -> list[_Signal]:
    """Symptoms are a Bug's, unless the setup words weigh at least as much: then it is Troubleshooting."""
    symptoms = sum(s.points for s in signals if s.kind == SYMPTOM)
    setup = sum(s.points for s in signals if s.kind == TROUBLESHOOTING)
    kind = TROUBLESHOOTING if setup and setup >= symptoms else BUG
    return [_Signal(kind, s.place, s.text, s.points) if s.kind == SYMPTOM else s for s in signals]


def _evidence(signals: list[_Signal]) -> list[str]:
    parts = []
    answers = [s.text for s in signals if s.place == "answer"]
    if answers:
        parts.append(_quote("template answer", answers, plural=False))
    headings = [s.text for s in signals if s.place == "heading"]
    if headings:
        parts.append(_quote("template heading", headings))
    for s in signals:
        if s.place == "shape":
            parts.append(f'title starts with "{s.text[:1].upper()}{s.text[1:].lower()}"')
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
