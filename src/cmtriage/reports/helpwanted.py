"""The Help Wanted report: the seed's channel 4, in three lists.

Help Wanted issues are opened from Jira tickets by a bot with only `Help Wanted` and `Up For Grabs`; the
triage team writes the difficulty and the technology into the description ("Difficulty: Easy",
"**Difficulty:** 2:Medium", "Language: Go, React", "Tech: TypeScript"), and the community PM puts them
on as labels, answers contributors' questions and follows up when things go quiet.

1. `labels`: issues opened since `since` that lack a difficulty or a technology label, or whose body
   lacks the Jira link or the contributors' block. `add_labels` is what the text names, mapped onto the
   labels the repo really has (its own spelling; current names before old ones such as
   `Difficulty: Introductory`; repos.yaml `helpwanted.label_map` first). A name the repo has no label
   for is a problem to report, never a label to make up.
2. `questions`: the last human comment is a community member's (not staff, not a bot): the team owes an
   answer. A bare thank-you after the team's answer is no question. Oldest first.
3. `follow_up`: someone from the community claimed the issue (a comment offering to take it, an assignee
   who is not staff, an open pull that mentions it) and it went quiet for more than `follow_up_days`:
   `waiting_on: author` when the team spoke last, `us` when the community did. An issue still carrying
   `Up For Grabs` although someone claimed it is listed too.

Days are exact durations back from `now`. Everything here is plain data in, a Report out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from cmtriage.models import Column, Comment, Issue, Item, Report, SourceError, counted
from cmtriage.reports._issues import DAY, NUMBER, REPO, TITLE, archived_notes, issue_item, repo_order
from cmtriage.sources.github import CrossReference, People

NAME = "helpwanted"
LABELS, QUESTIONS, FOLLOW_UP = "labels", "questions", "follow_up"
LISTS = (LABELS, QUESTIONS, FOLLOW_UP)
UP_FOR_GRABS = "up for grabs"
COLUMNS = (
    REPO,
    NUMBER,
    TITLE,
    Column("contributor", "Contributor"),
    Column("days_idle", "Days idle", numeric=True),
    Column("waiting_on", "Waiting on"),
    Column("reason", "Reason"),
)
Key = tuple[str, int]  # (canonical repo, issue number)

# --- what the triage team writes ------------------------------------------------------------------------
DIFFICULTY_WORDS = {
    "easy": 1, "introductory": 1, "beginner": 1, "beginners": 1, "simple": 1, "starter": 1, "trivial": 1,
    "medium": 2, "intermediate": 2, "moderate": 2, "average": 2,
    "hard": 3, "difficult": 3, "advanced": 3, "expert": 3, "complex": 3, "challenging": 3,
}
TECH_SYNONYMS = {  # lower-cased spelling -> one name per technology
    "go": "go", "golang": "go",
    "react": "reactjs", "reactjs": "reactjs", "react.js": "reactjs", "react js": "reactjs",
    "js": "javascript", "javascript": "javascript", "java script": "javascript", "ecmascript": "javascript",
    "ts": "typescript", "typescript": "typescript", "type script": "typescript",
    "redux": "redux",
}
OLD_TECH_LABELS = ("go", "reactjs", "redux")  # technology labels from before `Tech/...`
NOTHING = {"", "-", "--", "?", "n/a", "na", "none", "tbd", "tbc", "unknown", "any", "todo"}
_KEY = (r"(?P<key>difficulty(?:\s+level)?|level\s+of\s+difficulty|languages?|programming\s+languages?"
        r"|tech(?:nolog(?:y|ies))?(?:\s+stack)?|stack)")
_MARK = r"(?:\*\*|__|\*|_)?"
# The value is taken whole and trimmed by _strip: a lazy match before a trailing class would backtrack
# quadratically over a long hostile line.
_LINE = re.compile(rf"^[\s>*_#|+-]*(?:h\d\.\s*)?{_MARK}\s*{_KEY}\s*{_MARK}(?:\s*[:=|]|\s+[-–—])\s*{_MARK}\s*"
                   r"(?P<value>.*)$", re.IGNORECASE)
_HEADING = re.compile(rf"^[\s>*_#]*(?:h\d\.\s*)?{_MARK}\s*{_KEY}\s*{_MARK}\s*:?\s*{_MARK}\s*$", re.IGNORECASE)
_JIRA_LINK = re.compile(r"https?://[^\s)\]>]+/browse/[A-Z][A-Z0-9]+-\d+", re.IGNORECASE)
_CONTRIBUTORS = re.compile(r"if you(?:'|’| a)?re interested,? please comment here|/core/channels/tickets"
                           r"|\"contributors\" community channel", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|/|&|;|\+|\||\band\b|\bor\b|\bwith\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Named:
    """What a description names, as written: each difficulty value and each technology."""

    difficulty: tuple[str, ...] = ()
    tech: tuple[str, ...] = ()


def _strip(text: str) -> str:
    return re.sub(r"[`*_\"]", "", text).strip(" \t.:-|")


def levels_in(text: str) -> list[int]:
    """The difficulty levels a phrase names ("2:Medium" -> [2]); a digit counts only without words."""
    found = [DIFFICULTY_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in DIFFICULTY_WORDS]
    if not found:
        found = [int(d) for d in re.findall(r"(?<![\d.])[123](?![\d.])", text)]
    return list(dict.fromkeys(found))


def _tech_parts(value: str) -> list[str]:
    """The technologies of a value: "Go, React" -> ["Go", "React"]; words in parentheses only when they
    are a technology cmtriage knows ("Go (server)" -> ["Go"], "JavaScript (React)" -> both)."""
    value = re.sub(r"\btech\s*/\s*", "", value, flags=re.IGNORECASE)
    inner = re.findall(r"\(([^)]*)\)", value)
    outer = re.sub(r"\([^)]*\)", ",", value)
    parts = [_strip(p) for p in _SPLIT.split(outer)]
    parts += [p for text in inner for p in map(_strip, _SPLIT.split(text)) if p.lower() in TECH_SYNONYMS]
    return [p for p in dict.fromkeys(parts) if p.lower() not in NOTHING]


def parse(body: str) -> Named:
    """The difficulty and technologies a description names, from lines like "Difficulty: Easy" or a
    heading ("### Difficulty") followed by its value, anywhere in the body."""
    difficulty: list[str] = []
    tech: list[str] = []
    lines = body.splitlines()
    for index, line in enumerate(lines):
        key, value = None, None
        match = _LINE.match(line)
        if match and _strip(match["value"]):
            key, value = match["key"], match["value"]
        elif _HEADING.match(line):
            following = next((n for n in lines[index + 1:] if n.strip()), "")
            if following and not _HEADING.match(following) and not _LINE.match(following) \
                    and not following.lstrip().startswith("#"):
                key, value = _HEADING.match(line)["key"], following
        if key is None or value is None:
            continue
        value = _strip(value)
        if value.lower() in NOTHING:
            continue
        if key.lower().startswith(("difficulty", "level")):
            difficulty.append(value)
        else:
            tech += _tech_parts(value)
    return Named(tuple(dict.fromkeys(difficulty)), tuple(dict.fromkeys(tech)))


def problems_in(body: str) -> list[str]:
    """What the body lacks of the bot's template."""
    found = []
    if not _JIRA_LINK.search(body):
        found.append("no Jira link")
    if not _CONTRIBUTORS.search(body):
        found.append("no contributors' block")
    return found


# --- labels a repo has ------------------------------------------------------------------------------------
def canonical_tech(name: str) -> str:
    name = re.sub(r"\s+", " ", name.strip().lower())
    return TECH_SYNONYMS.get(name, name)


def label_level(label: str) -> int | None:
    """The level of a difficulty label (`Difficulty/1:Easy`, `Difficulty: Introductory`), else None."""
    if not label.lower().startswith("difficulty"):
        return None
    levels = levels_in(label[len("difficulty"):])
    return levels[0] if len(levels) == 1 else None


def label_tech(label: str) -> str | None:
    """The technology of a technology label (`Tech/ReactJS`, or an old one: `Go`, `ReactJS`, `Redux`)."""
    lower = label.lower()
    if lower.startswith("tech/") and label[5:].strip():
        return canonical_tech(label[5:])
    return canonical_tech(label) if lower in OLD_TECH_LABELS else None


@dataclass(frozen=True)
class LabelMap:
    """repos.yaml `helpwanted.label_map`: what a description may say (any case) -> a label name."""

    entries: tuple[tuple[str, str], ...] = ()

    def get(self, said: str) -> str | None:
        said = re.sub(r"\s+", " ", said.strip().lower())
        return next((label for key, label in self.entries if key.strip().lower() == said), None)

    def difficulty_labels(self) -> set[str]:
        return {label.lower() for key, label in self.entries if levels_in(key) or label_level(label)}

    def tech_labels(self) -> set[str]:
        return {label.lower() for label in (label for _, label in self.entries)} - self.difficulty_labels()


def has_difficulty(labels: Sequence[str], label_map: LabelMap) -> bool:
    mapped = label_map.difficulty_labels()
    return any(label_level(label) is not None or label.lower() in mapped for label in labels)


def has_tech(labels: Sequence[str], label_map: LabelMap) -> bool:
    mapped = label_map.tech_labels()
    return any(label_tech(label) is not None or label.lower() in mapped for label in labels)


def _own(name: str, repo_labels: Sequence[str]) -> str | None:
    """The repo's own spelling of a label name, compared case-insensitively; None when it has none."""
    return next((label for label in repo_labels if label.lower() == name.lower()), None)


def _preferred(candidates: list[str], current: str) -> str | None:
    """Current names (`Difficulty/...`, `Tech/...`) before old ones, then alphabetical."""
    return min(candidates, key=lambda label: (not label.lower().startswith(current), label.lower()),
               default=None)


@dataclass(frozen=True)
class Mapped:
    add: tuple[str, ...]  # the repo's labels to add
    problems: tuple[str, ...]  # names it could not map, in words


def map_labels(named: Named, repo: str, repo_labels: Sequence[str], label_map: LabelMap, *,
               need_difficulty: bool = True, need_tech: bool = True) -> Mapped:
    """The repo's labels for what the description names (only the kinds still needed), and what could not
    be mapped: a name the repo has no label for is reported, never made up."""

    def own_or_problem(value: str, kind: str, candidates: list[str], current: str) -> str:
        """The repo's label for `value` or, starting with a space, the problem."""
        mapped = label_map.get(value)
        if mapped:
            return (_own(mapped, repo_labels)
                    or f' label_map gives "{mapped}" for "{value}": {repo} has no such label')
        return _preferred(candidates, current) or f' {kind} "{value}": {repo} has no label for it'

    add: list[str] = []
    problems: list[str] = []
    if need_difficulty and named.difficulty:
        found: list[str] = []
        for value in named.difficulty:
            levels = levels_in(value)
            if len(levels) != 1 and not label_map.get(value):
                what = "more than one level" if levels else "no level"
                problems.append(f'difficulty "{value}" names {what} (Easy, Medium, Hard)')
                continue
            level = levels[0] if levels else None
            answer = own_or_problem(value, "difficulty",
                                    [label for label in repo_labels if label_level(label) == level],
                                    "difficulty/")
            (problems if answer.startswith(" ") else found).append(answer.strip())
        found = list(dict.fromkeys(found))
        if len(found) > 1:
            problems.append(f"names more than one difficulty ({', '.join(named.difficulty)})")
        else:
            add += found
    if need_tech:
        for value in named.tech:
            tech = canonical_tech(value)
            answer = own_or_problem(value, "technology",
                                    [label for label in repo_labels if label_tech(label) == tech], "tech/")
            (problems if answer.startswith(" ") else add).append(answer.strip())
    return Mapped(tuple(dict.fromkeys(add)), tuple(problems))


# --- what people said ----------------------------------------------------------------------------------
_CLAIM = re.compile(
    r"\b(?:i['’]?d (?:like|love) to|i would (?:like|love) to|i want to|i['’]?m (?:happy|glad) to"
    r"|i (?:can|could|will)|i['’]?ll|can i|could i|may i|let me)\s+(?:please\s+)?"
    r"(?:work on|take|pick|grab|tackle|handle|give it a (?:try|shot|go)|try)\b"
    r"|\bi['’]?m (?:already )?working on (?:this|it)\b|\bi am (?:already )?working on (?:this|it)\b"
    r"|\bassign (?:this|it)? ?(?:issue )?to me\b|\bassign me\b"
    r"|\bi(?:['’]?m| am) interested in (?:working on|taking)\b",
    re.IGNORECASE)
_THANKS_START = ("thanks", "thank", "thx", "ty", "cheers", "great", "awesome", "perfect", "ok", "okay",
                 "got", "understood", "noted")


def is_claim(text: str) -> bool:
    """A community member's comment offering to take the issue ("I'd like to work on this", "can I take
    this?", "please assign me")."""
    return bool(_CLAIM.search(text))


def is_thanks(text: str) -> bool:
    """A bare thank-you ("Thanks @hanna!", "Got it, thank you 🙏"): no question, no claim."""
    words = re.findall(r"[a-z']+", re.sub(r"@[\w-]+", "", text.lower()))
    return bool(words) and len(words) <= 8 and words[0] in _THANKS_START and "?" not in text \
        and not is_claim(text)


@dataclass(frozen=True)
class Claim:
    who: str
    how: str  # "an open pull", "assigned", "a comment"
    at: datetime | None  # when, where known


def claims(issue: Issue, comments: Sequence[Comment], references: Sequence[CrossReference],
           people: People) -> list[Claim]:
    """The community's claims on an issue, strongest last: comments, then assignees, then open pulls."""
    found = [Claim(c.author, "a comment", c.created_at) for c in comments
             if people.is_human(c) and not people.is_staff(c.author, c.association) and is_claim(c.body)]
    found += [Claim(login, "assigned", None) for login in issue.assignees
              if login.lower() not in people.staff and not people.is_bot(login, "User")]
    found += [Claim(r.author, "an open pull", r.created_at) for r in references
              if r.state == "open" and not people.is_bot(r.author, r.author_type)
              and not people.is_staff(r.author, r.association)]
    return found


def _help_wanted(issue: Issue) -> bool:
    return issue.kind == "issue"


def _up_for_grabs(issue: Issue) -> bool:
    return any(label.lower() == UP_FOR_GRABS for label in issue.labels)


def _humans(comments: Sequence[Comment], people: People) -> list[Comment]:
    return [c for c in comments if people.is_human(c)]


def timeline_needed(issue: Issue, comments: Sequence[Comment], people: People, *, now: datetime,
                    follow_up_days: int) -> bool:
    """Whether an open pull mentioning the issue could change what is listed: it is not claimed otherwise,
    and it carries Up For Grabs or has been quiet past the threshold."""
    if not _help_wanted(issue) or claims(issue, comments, (), people):
        return False
    humans = _humans(comments, people)
    last = humans[-1].created_at if humans else issue.created_at
    return _up_for_grabs(issue) or now - last > timedelta(days=follow_up_days)


# --- the report ------------------------------------------------------------------------------------------
def _item(issue: Issue, *, now: datetime, list_name: str, reason: str, last: datetime, waiting_on: str,
          url: str | None = None, contributor: str | None = None, add_labels: Sequence[str] = (),
          problems: Sequence[str] = ()) -> Item:
    return issue_item(issue, last=last, days_idle=max(0, (now - last) // DAY), reason=reason,
                      waiting_on=waiting_on, url=url, list=list_name, add_labels=list(add_labels),
                      problems=list(problems), contributor=contributor)


def label_item(issue: Issue, repo_labels: Sequence[str] | None, label_map: LabelMap, *, now: datetime
               ) -> Item | None:
    """The issue's entry in `labels`, or None when it has both kinds of label and a whole body.
    `repo_labels` None: the repo's labels could not be read (nothing is proposed)."""
    need_difficulty = not has_difficulty(issue.labels, label_map)
    need_tech = not has_tech(issue.labels, label_map)
    problems = problems_in(issue.body)
    if not (need_difficulty or need_tech or problems):
        return None
    named = parse(issue.body)
    if need_difficulty and not named.difficulty:
        problems.append("names no difficulty")
    if need_tech and not named.tech:
        problems.append("names no technology")
    add: tuple[str, ...] = ()
    if repo_labels is not None:
        mapped = map_labels(named, issue.repo, repo_labels, label_map, need_difficulty=need_difficulty,
                            need_tech=need_tech)
        present = {label.lower() for label in issue.labels}
        add = tuple(label for label in mapped.add if label.lower() not in present)
        problems += mapped.problems
    lacking = " or ".join(kind for kind, lacks in (("difficulty", need_difficulty), ("technology", need_tech))
                          if lacks)
    parts = [f"no {lacking} label" + (f": add {', '.join(add)}" if add else "")] if lacking else []
    return _item(issue, now=now, list_name=LABELS, reason="; ".join([*parts, *problems]),
                 last=issue.created_at, waiting_on="us", add_labels=add, problems=problems)


def question_item(issue: Issue, comments: Sequence[Comment], people: People, *, now: datetime
                  ) -> tuple[datetime, Item] | None:
    """The issue's entry in `questions` and when it was first asked: community comments after the team's
    last word (or with no word from the team at all), unless they are only thank-yous after an answer."""
    humans = _humans(comments, people)
    staff_at = [i for i, c in enumerate(humans) if people.is_staff(c.author, c.association)]
    pending = humans[staff_at[-1] + 1:] if staff_at else humans
    if not pending or (staff_at and all(is_thanks(c.body) for c in pending)):
        return None
    first = pending[0]
    offered = any(is_claim(c.body) for c in pending)
    said = "offered to take it" if offered else "asked"
    more = f" ({len(pending)} comments)" if len(pending) > 1 else ""
    answer = "no staff reply since" if staff_at else "nobody from the team has replied"
    return first.created_at, _item(issue, now=now, list_name=QUESTIONS, url=first.url or None,
                                   contributor=first.author, last=pending[-1].created_at, waiting_on="us",
                                   reason=f"{first.author} {said}{more}; {answer}")


def follow_up_item(issue: Issue, comments: Sequence[Comment], references: Sequence[CrossReference],
                   people: People, *, now: datetime, follow_up_days: int) -> Item | None:
    """The issue's entry in `follow_up`: claimed and quiet past the threshold, or still Up For Grabs."""
    found = claims(issue, comments, references, people)
    if not found:
        return None
    claim = found[-1]
    humans = _humans(comments, people)
    last = humans[-1] if humans else None
    quiet_since = last.created_at if last else max([issue.created_at, *(c.at for c in found if c.at)])
    quiet = now - quiet_since > timedelta(days=follow_up_days)
    days = (now - quiet_since) // DAY
    reasons = []
    waiting_on = "us"
    if quiet and last and people.is_staff(last.author, last.association):
        waiting_on = "author"
        reasons.append(f"{claim.who} claimed it ({claim.how}); the team spoke last, {days} days ago")
    elif quiet and last:
        reasons.append(f"{last.author} spoke last, {days} days ago, and nobody from the team answered")
    elif quiet:
        waiting_on = "author"
        reasons.append(f"{claim.who} claimed it ({claim.how}); not a word on the issue for {days} days")
    if _up_for_grabs(issue):
        reasons.append(f"still Up For Grabs though {claim.who} claimed it ({claim.how})")
    if not reasons:
        return None
    return _item(issue, now=now, list_name=FOLLOW_UP, contributor=claim.who, last=quiet_since,
                 waiting_on=waiting_on, reason="; ".join(reasons))


def build(issues: Sequence[Issue], *, comments: Mapping[Key, Sequence[Comment]],
          references: Mapping[Key, Sequence[CrossReference]], repo_labels: Mapping[str, Sequence[str]],
          people: People, now: datetime, since: datetime, follow_up_days: int,
          label_map: LabelMap | None = None, mention: str | None = None, archived: Sequence[str] = (),
          errors: Sequence[SourceError] = ()) -> Report:
    """The three lists. `comments` holds every comment of each issue that has any (an issue with comments
    missing from it is left out of `questions` and `follow_up`: its comments could not be read);
    `references` the pulls that mention an issue, for those whose timeline was read; `repo_labels` each
    repo's labels (a repo missing from it gets no `add_labels`)."""
    label_map = label_map or LabelMap()
    lists: dict[str, list[Item]] = {name: [] for name in LISTS}
    asked: list[tuple[datetime, Item]] = []
    for issue in issues:
        if not _help_wanted(issue):
            continue
        key = (issue.repo, issue.number)
        if issue.created_at >= since:
            item = label_item(issue, repo_labels.get(issue.repo), label_map, now=now)
            if item:
                lists[LABELS].append(item)
        said = comments.get(key, () if issue.comments == 0 else None)
        if said is None:
            continue
        question = question_item(issue, said, people, now=now)
        if question:
            asked.append(question)
        item = follow_up_item(issue, said, references.get(key, ()), people, now=now,
                              follow_up_days=follow_up_days)
        if item:
            lists[FOLLOW_UP].append(item)
    lists[LABELS].sort(key=lambda i: (i.created_at, *repo_order(i)))
    asked.sort(key=lambda pair: (pair[0], *repo_order(pair[1])))
    lists[QUESTIONS] = [item for _, item in asked]
    lists[FOLLOW_UP].sort(key=lambda i: (i.last_activity_at, *repo_order(i)))
    items = tuple(item for name in LISTS for item in lists[name])
    start = since.astimezone(UTC)

    def titled(shown: Sequence[Item]) -> str:
        counts = {name: sum(1 for i in shown if i.extra["list"] == name) for name in LISTS}
        return (f"Help Wanted: {counts[LABELS]} to label (opened since {start.date().isoformat()}), "
                f"{counted(counts[QUESTIONS], 'question')}, "
                f"{counts[FOLLOW_UP]} to follow up")

    return Report(
        name=NAME, title=titled(items), titled=titled, columns=COLUMNS, items=items, generated_at=now,
        errors=tuple(errors), mention=mention, group_by="list", notes=archived_notes(archived),
        empty_message="Nothing to label, answer or follow up.",
    )


def applied(report: Report, results: Mapping[Key, Sequence[str] | None]) -> Report:
    """The report after --apply: every item gets `applied` (the labels added to its issue, or none), and
    the items of an issue that now carries them get its new labels."""
    def updated(item: Item) -> Item:
        key = (item.extra["repo"], item.extra["number"])
        now_carries = results.get(key)
        added = [label for label in item.extra["add_labels"]
                 if now_carries is not None and label.lower() in {n.lower() for n in now_carries}]
        extra = {**item.extra, "applied": added}
        if now_carries is not None:
            extra["labels"] = list(now_carries)
        return replace(item, extra=extra)

    return report.keeping([updated(item) for item in report.items])


def to_add(items: Sequence[Item], repo_labels: Mapping[str, Sequence[str]]
           ) -> list[tuple[str, int, list[str]]]:
    """What --apply sends: each `labels` item's `add_labels` that its repo has (in the repo's spelling) and
    its issue does not carry yet; issues with nothing left out. Nothing else is ever added."""
    changes = []
    for item in items:
        if item.extra["list"] != LABELS:
            continue
        repo = item.extra["repo"]
        carried = {label.lower() for label in item.extra["labels"]}
        names = [own for own in (_own(name, repo_labels.get(repo, ())) for name in item.extra["add_labels"])
                 if own and own.lower() not in carried]
        if names:
            changes.append((repo, item.extra["number"], list(dict.fromkeys(names))))
    return changes
