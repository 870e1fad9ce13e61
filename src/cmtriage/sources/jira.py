"""Jira: the tickets feature ideas link to, a search for the ticket of a report, and creating one.

Cloud (`jira.flavor: cloud`, the default) searches with `GET /rest/api/3/search/jql` (the old
`/rest/api/{2,3}/search` answer 410 since August 2025): one bounded JQL `key in (...)` per 50 keys, the
fields listed (the default is `id` only), pages chained by `nextPageToken`. Data Center
(`flavor: datacenter`) uses `GET /rest/api/2/search` with `startAt`. Auth: Basic
`JIRA_EMAIL:JIRA_API_TOKEN` on Cloud, `Authorization: Bearer JIRA_TOKEN` on Data Center.

The sprint field's id differs per site: it is the field whose `schema.custom` is
`com.pyxis.greenhopper.jira:gh-sprint`, looked up once and kept in the cache. A key that does not
exist makes Jira refuse the whole JQL (400, "An issue with key 'MM-9' does not exist for field
'key'."): such keys are taken out, reported as missing, and the search asked again without them.

Warm runs: each ticket is cached with its `updated`; the next run asks, for cached keys, only
`... AND updated >= <the day before the last search>` (JQL dates are in the searching user's time zone:
the day's margin covers any), and keeps the cached ticket when Jira sends nothing newer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cmtriage.errors import SourceFailure, required
from cmtriage.sources import shapes
from cmtriage.sources.shapes import Unexpected, shown, texts

if TYPE_CHECKING:
    import httpx

    from cmtriage.cache import Cache
    from cmtriage.config import Jira
    from cmtriage.sources.http import HttpClient

SOURCE = "jira"
BATCH = 50  # keys in one `key in (...)` JQL
PAGE_SIZE = 50
MAX_PAGES = 200
EMAIL_VARIABLE = "JIRA_EMAIL"
TOKEN_VARIABLE = "JIRA_API_TOKEN"
DC_TOKEN_VARIABLE = "JIRA_TOKEN"
SPRINT_SCHEMA = "com.pyxis.greenhopper.jira:gh-sprint"
TICKET_FIELDS = ("summary", "status", "resolution", "labels", "fixVersions", "updated")
_MISSING_KEY = re.compile(r"'([A-Za-z][A-Za-z0-9_]*-\d+)'")
_OLD_SPRINT_STATE = re.compile(r"state=([A-Za-z]+)")
_OLD_SPRINT_NAME = re.compile(r"name=([^,\]]*)")


@dataclass(frozen=True)
class Version:
    name: str
    released: bool
    release_date: date | None


@dataclass(frozen=True)
class Sprint:
    name: str
    state: str  # future | active | closed


@dataclass(frozen=True)
class Ticket:
    key: str
    summary: str
    status: str  # the workflow status's name
    category: str  # the status category: new | indeterminate | done
    resolution: str | None
    labels: tuple[str, ...]
    fix_versions: tuple[Version, ...]
    sprints: tuple[Sprint, ...]
    updated: datetime
    url: str  # {jira url}/browse/{key}

    @property
    def resolved(self) -> bool:
        return self.resolution is not None or self.category == "done"


@dataclass(frozen=True)
class Tickets:
    found: dict[str, Ticket] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()  # keys Jira says do not exist (or the user cannot see)
    searches: int = 0


@dataclass(frozen=True)
class Found:
    """A ticket a text search found, with what it says (to check it holds an exact link)."""

    key: str
    summary: str
    text: str  # summary and description as plain text, link targets included
    url: str


def credentials(config: Jira) -> tuple[str, str | None]:
    """(token, email or None for a Bearer token) from the environment; exit 2 naming what is missing."""
    if config.flavor == "datacenter":
        (token,) = required(DC_TOKEN_VARIABLE, why="Jira Data Center takes a personal access token "
                                                   "(Profile > Personal Access Tokens)")
        return token, None
    email, token = required(EMAIL_VARIABLE, TOKEN_VARIABLE,
                            why="Jira Cloud takes your email and an API token (id.atlassian.com > Security "
                                "> API tokens); for Data Center set jira.flavor: datacenter and "
                                f"{DC_TOKEN_VARIABLE}")
    return token, email


def _parsed(value: str) -> datetime:
    from dateutil import parser

    return parser.isoparse(value.strip())


def instant(value: Any, what: str) -> datetime:
    """A Jira time ("2026-11-20T10:00:00.000+0000"); without an offset, UTC."""
    return shapes.instant(value, what, _parsed)


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    from dateutil import parser

    try:
        return parser.parse(value.strip()).date()
    except (ValueError, OverflowError):
        return None


def _name(value: Any) -> str:
    return value.get("name", "") if isinstance(value, dict) and isinstance(value.get("name"), str) else ""


def _sprints(value: Any) -> tuple[Sprint, ...]:
    """Cloud's sprint objects, or Server's old strings `...Sprint@1a[id=1,state=ACTIVE,name=S 4,...]`."""
    sprints = []
    for sprint in value if isinstance(value, list) else ():
        if isinstance(sprint, dict):
            sprints.append(Sprint(_name(sprint), str(sprint.get("state") or "").lower()))
        elif isinstance(sprint, str):
            state, name = _OLD_SPRINT_STATE.search(sprint), _OLD_SPRINT_NAME.search(sprint)
            sprints.append(Sprint(name.group(1) if name else "", state.group(1).lower() if state else ""))
    return tuple(sprints)


def ticket(raw: dict[str, Any], base: str, sprint_field: str | None) -> Ticket:
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise Unexpected(f"an issue's key is not text: {shown(key)}")
    fields = raw.get("fields")
    if not isinstance(fields, dict):
        raise Unexpected(f"{key}: fields is not an object")
    status = fields.get("status") if isinstance(fields.get("status"), dict) else {}
    category = status.get("statusCategory") if isinstance(status.get("statusCategory"), dict) else {}
    labels = texts(fields.get("labels") or None, f"{key}: labels")
    versions = []
    for version in fields.get("fixVersions") or []:
        if isinstance(version, dict) and _name(version):
            versions.append(Version(_name(version), version.get("released") is True,
                                    _day(version.get("releaseDate"))))
    resolution = _name(fields.get("resolution")) or None
    return Ticket(
        key=key,
        summary=fields.get("summary") if isinstance(fields.get("summary"), str) else "",
        status=_name(status),
        category=str(category.get("key") or ""),
        resolution=resolution,
        labels=labels,
        fix_versions=tuple(versions),
        sprints=_sprints(fields.get(sprint_field)) if sprint_field else (),
        updated=instant(fields.get("updated"), f"{key}: updated"),
        url=f"{base}/browse/{key}",
    )


def _slim(raw: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """What the cache keeps of an issue: the key and the listed fields."""
    kept = raw.get("fields") if isinstance(raw.get("fields"), dict) else {}
    return {"key": raw.get("key"), "fields": {name: kept.get(name) for name in fields if name in kept}}


def _adf_text(node: Any) -> Iterable[str]:
    """The text of an Atlassian Document Format tree, with every link's address."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for child in node:
            yield from _adf_text(child)
    elif isinstance(node, dict):
        if isinstance(node.get("text"), str):
            yield node["text"]
        attrs = node.get("attrs")
        if isinstance(attrs, dict) and isinstance(attrs.get("url"), str):
            yield attrs["url"]
        for mark in node.get("marks") or ():
            href = mark.get("attrs", {}).get("href") if isinstance(mark, dict) else None
            if isinstance(href, str):
                yield href
        yield from _adf_text(node.get("content"))


def jql_string(text: str) -> str:
    """`text` as a double-quoted JQL string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def holds_link(text: str, url: str) -> bool:
    """Whether `text` holds exactly `url` (with or without a trailing slash or a #fragment), not a
    longer address that starts the same (`.../issues/12` is not `.../issues/123`)."""
    bare = url.rstrip("/")
    return re.search(re.escape(bare) + r"/?(?![0-9A-Za-z_/%.-]*[0-9A-Za-z_/%-])", text) is not None


class JiraClient:
    """One site's client for a run: the HTTP client, the credentials, the cache."""

    def __init__(self, config: Jira, token: str, email: str | None, *, cache: Cache | None = None,
                 budget: Any = None, http: HttpClient | None = None, today: date | None = None):
        from cmtriage.sources.http import HttpClient

        self.config = config
        self.base = config.url.rstrip("/")
        self.cloud = config.flavor == "cloud"
        self.api = "/rest/api/3" if self.cloud else "/rest/api/2"
        headers = {} if email else {"Authorization": f"Bearer {token}"}
        self._own = http is None
        self.http = http or HttpClient(SOURCE, self.base, auth=(email, token) if email else None,
                                       headers={"Accept": "application/json", **headers}, budget=budget)
        self.cache = cache
        self.today = today
        self.requests = 0
        self._sprint_field: str | bool | None = False  # False: not looked up yet

    def __enter__(self) -> JiraClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._own:
            self.http.close()

    # --- HTTP --------------------------------------------------------------------------------------------
    def _failure(self, response: httpx.Response) -> SourceFailure:
        status = response.status_code
        messages = _error_messages(response)
        detail = f": {'; '.join(messages)}" if messages else ""
        if status == 401:
            check = f"{EMAIL_VARIABLE} and {TOKEN_VARIABLE}" if self.cloud else DC_TOKEN_VARIABLE
            return self.http.fail(response.request.url,
                                  f"HTTP 401: Jira refused the credentials; check {check}")
        if status == 410:
            return self.http.fail(response.request.url, "HTTP 410: this site has no /rest/api/2/search (Jira "
                                  "Cloud removed it in August 2025); set jira.flavor: cloud in repos.yaml")
        return self.http.fail(response.request.url, f"HTTP {status} {response.reason_phrase}{detail}")

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        self.requests += 1
        response = self.http.request(method, f"{self.base}{path}", **kwargs)
        if not response.is_success:
            raise self._failure(response)
        return shapes.decoded(self.http, response)

    # --- the sprint field ----------------------------------------------------------------------------------
    def sprint_field(self) -> str | None:
        """The id of the site's sprint field (None: the site has no Jira Software), asked once and cached."""
        if self._sprint_field is not False:
            return self._sprint_field  # type: ignore[return-value]
        cached = self.cache.get("field:sprint") if self.cache else None
        if isinstance(cached, dict) and "id" in cached:
            self._sprint_field = cached["id"]
            return cached["id"]
        fields = self._json("GET", f"{self.api}/field")
        if not isinstance(fields, list):
            raise self.http.fail(self.base, "unexpected answer: the field list is not a list")
        found = next((f.get("id") for f in fields if isinstance(f, dict) and isinstance(f.get("schema"), dict)
                      and f["schema"].get("custom") == SPRINT_SCHEMA and isinstance(f.get("id"), str)), None)
        self._sprint_field = found
        if self.cache:
            self.cache.put("field:sprint", {"id": found})
        return found

    # --- search ------------------------------------------------------------------------------------------
    def search(self, jql: str, fields: Sequence[str]) -> list[dict[str, Any]]:
        """Every issue the JQL finds, with the fields listed. Raises SourceFailure (a 400 included)."""
        issues, errors = self._search(jql, fields)
        if errors:
            raise self.http.fail(self.base, "HTTP 400 Bad Request: " + "; ".join(errors))
        return issues

    def _search(self, jql: str, fields: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """(issues, the error messages of a 400), so that missing keys can be taken out."""
        issues: list[dict[str, Any]] = []
        token: str | None = None
        start = 0
        for _ in range(MAX_PAGES):
            params = {"jql": jql, "fields": ",".join(fields), "maxResults": str(PAGE_SIZE)}
            if self.cloud:
                path = f"{self.api}/search/jql"
                if token:
                    params["nextPageToken"] = token
            else:
                path = f"{self.api}/search"
                params["startAt"] = str(start)
            self.requests += 1
            response = self.http.request("GET", f"{self.base}{path}", params=params)
            if response.status_code == 400:
                messages = _error_messages(response)
                if messages:
                    return issues, messages
            if not response.is_success:
                raise self._failure(response)
            body = shapes.body(response)
            page = body.get("issues")
            if not isinstance(page, list) or not all(isinstance(issue, dict) for issue in page):
                raise self.http.fail(response.request.url, "unexpected answer: no list of issues")
            issues.extend(page)
            if self.cloud:
                token = body.get("nextPageToken")
                if body.get("isLast") is True or not isinstance(token, str) or not token:
                    return issues, []
            else:
                start += len(page)
                total = body.get("total")
                if not page or not isinstance(total, int) or start >= total:
                    return issues, []
        raise self.http.fail(self.base, f"unexpected answer: more than {MAX_PAGES} pages")

    def tickets(self, keys: Iterable[str], now: datetime) -> Tickets:
        """The tickets of `keys` (those Jira does not know are `missing`), in one search per 50 keys."""
        wanted = list(dict.fromkeys(key.upper() for key in keys))
        if not wanted:
            return Tickets()
        sprint = self.sprint_field()
        fields = [*TICKET_FIELDS, *([sprint] if sprint else [])]
        cached: dict[str, dict[str, Any]] = {}
        checked = self.cache.get("searched") if self.cache else None
        since = None
        if isinstance(checked, str) and checked.endswith(f"|{sprint}"):
            try:
                since = (datetime.fromisoformat(checked.split("|")[0]) - timedelta(days=1)).date()
            except ValueError:
                since = None
        if since is not None and self.cache:
            for key in wanted:
                entry = self.cache.get(f"ticket:{key}")
                if isinstance(entry, dict) and isinstance(entry.get("fields"), dict):
                    cached[key] = entry
        raw: dict[str, dict[str, Any]] = {}
        missing: set[str] = set()
        searches = 0
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start:start + BATCH]
            while batch:
                jql = _batch_jql([k for k in batch if k not in cached], [k for k in batch if k in cached],
                                 since)
                searches += 1
                issues, errors = self._search(jql, fields)
                if not errors:
                    for issue in issues:
                        if isinstance(issue.get("key"), str):
                            raw[issue["key"].upper()] = _slim(issue, fields)
                    break
                gone = {key.upper() for message in errors for key in _MISSING_KEY.findall(message)}
                gone &= set(batch)
                if not gone:
                    raise self.http.fail(self.base, "HTTP 400 Bad Request: " + "; ".join(errors))
                missing |= gone
                batch = [key for key in batch if key not in gone]
        found: dict[str, Ticket] = {}
        try:
            for key in wanted:
                if key in missing:
                    if self.cache:
                        self.cache.put(f"ticket:{key}", None)
                    continue
                issue = raw.get(key) or cached.get(key)
                if issue is None:  # not sent back: moved, or hidden from this user
                    missing.add(key)
                    continue
                found[key] = ticket(issue, self.base, sprint)
                if self.cache and key in raw:
                    self.cache.put(f"ticket:{key}", raw[key])
        except Unexpected as exc:
            raise shapes.unexpected(self.http, self.base, exc) from None
        if self.cache:
            self.cache.put("searched", f"{now.isoformat()}|{sprint}")
        return Tickets(found=found, missing=frozenset(missing), searches=searches)

    # --- the ticket of a report ----------------------------------------------------------------------------
    def find_link(self, url: str, project: str) -> Found | None:
        """The ticket of `project` that holds exactly `url`, or None. Jira's text search matches words,
        so each hit is read to check that it holds the whole address, not just its words."""
        words = " ".join(re.findall(r"[0-9A-Za-z]+", url.split("://", 1)[-1]))
        jql = f"project = {project} AND text ~ {jql_string(jql_string(words))} ORDER BY created ASC"
        for issue in self.search(jql, ("summary", "description")):
            fields = issue.get("fields") if isinstance(issue.get("fields"), dict) else {}
            summary = fields.get("summary") if isinstance(fields.get("summary"), str) else ""
            text = " ".join([summary, *_adf_text(fields.get("description"))])
            key = issue.get("key")
            if isinstance(key, str) and holds_link(text, url):
                return Found(key=key, summary=summary, text=text, url=f"{self.base}/browse/{key}")
        return None

    def create(self, project: str, summary: str, description: Any, labels: Sequence[str],
               issue_type: str = "Bug") -> str:
        """Create the ticket; returns its key. Sent once: a failure after sending says to check first."""
        fields: dict[str, Any] = {"project": {"key": project}, "summary": summary,
                                  "issuetype": {"name": issue_type}, "description": description}
        if labels:
            fields["labels"] = [label.replace(" ", "-") for label in labels]  # Jira labels hold no spaces
        body = self._json("POST", f"{self.api}/issue", json={"fields": fields})
        key = body.get("key") if isinstance(body, dict) else None
        if not isinstance(key, str):
            raise self.http.fail(self.base, "unexpected answer: the created issue has no key "
                                 "(check Jira before trying again)", may_have_arrived=True)
        return key


def _batch_jql(fresh: Sequence[str], known: Sequence[str], since: date | None) -> str:
    """One bounded JQL: the keys not cached, and the cached ones only if updated since `since`."""
    fresh_part = f"key in ({', '.join(fresh)})"
    known_part = f"key in ({', '.join(known)}) AND updated >= \"{since:%Y-%m-%d}\"" if known else ""
    if fresh and known:
        return f"{fresh_part} OR ({known_part}) ORDER BY key"
    return f"{known_part or fresh_part} ORDER BY key"


def _error_messages(response: httpx.Response) -> list[str]:
    body = shapes.body(response)
    messages = [m for m in body.get("errorMessages") or () if isinstance(m, str)]
    errors = body.get("errors")
    if isinstance(errors, dict):
        messages += [f"{k}: {v}" for k, v in errors.items() if isinstance(v, str)]
    return messages


def keys_in(text: str, *, project: str | None, site: str | None) -> list[str]:
    """The Jira keys a text names: bare `MM-123` of the project, and any key in a link to the site
    (`https://mattermost.atlassian.net/browse/MM-123`), in order of appearance, each once."""
    patterns = []
    if site:
        host = re.escape(site.rstrip("/").split("://", 1)[-1])
        patterns.append(rf"(?i:https?://{host}/browse/)([A-Za-z][A-Za-z0-9_]+-\d+)\b")
    if project:
        patterns.append(rf"(?<![\w/-])({re.escape(project)}-\d+)\b")
    if not patterns:
        return []
    found = (match.group(match.lastindex or 0) for match in re.finditer("|".join(patterns), text))
    return list(dict.fromkeys(key.upper() for key in found))
