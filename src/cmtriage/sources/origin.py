"""The report a Jira ticket is drafted from: a GitHub issue (or pull) or a Discourse forum topic, read
in one request each, with its canonical address (the one the ticket quotes and is searched by)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from cmtriage.errors import UsageError

_GITHUB_PATH = re.compile(r"^/([^/]+)/([^/]+)/(issues|pull)/(\d+)(?:/.*)?$")
_TOPIC_PATH = re.compile(r"^/t/(?:([^/]+)/)?(\d+)(?:/\d+)?/?$")


@dataclass(frozen=True)
class Origin:
    url: str  # canonical: https://github.com/o/r/issues/12, {forum}/t/slug/123
    title: str
    body: str  # plain text
    author: str
    kind: str  # "GitHub issue" | "forum topic"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("p", "pre", "blockquote", "div", "ul", "ol"):
            self.parts.append("\n\n")  # a paragraph
        elif tag in ("br", "li"):
            self.parts.append("\n")


def _plain(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def github_host(api_root: str) -> str:
    """github.com, or a GitHub Enterprise host (its API root is https://HOST/api/v3)."""
    host = urlsplit(api_root).hostname or ""
    return "github.com" if host in ("api.github.com", "") else host


def read(url: str, *, forum: str | None) -> Origin:
    """The report at `url`; an address that is neither a GitHub issue nor a topic of repos.yaml's forum
    is a UsageError. Raises SourceFailure when the site fails."""
    from cmtriage.sources import github
    from cmtriage.sources.http import HttpClient
    from cmtriage.text import clean

    parts = urlsplit(url.strip())
    api_root = github.api_root()
    host = (parts.hostname or "").lower()
    match = _GITHUB_PATH.match(parts.path)
    if parts.scheme in ("http", "https") and match and host in ("github.com", github_host(api_root)):
        owner, repo, _, number = match.groups()
        token, _ = github.token()
        headers = {"Accept": "application/vnd.github+json", **({"Authorization": f"Bearer {token}"} if token
                                                              else {})}
        with HttpClient("github", api_root, headers=headers) as http:
            issue = http.get_json(f"{api_root}/repos/{owner}/{repo}/issues/{number}")
        if not isinstance(issue, dict):
            raise UsageError(f"{url}: GitHub's answer is not an issue")
        user = issue.get("user") if isinstance(issue.get("user"), dict) else {}
        return Origin(url=clean(str(issue.get("html_url") or f"https://github.com/{owner}/{repo}/issues/{number}")),
                      title=str(issue.get("title") or ""), body=str(issue.get("body") or ""),
                      author=str(user.get("login") or ""),
                      kind="GitHub pull request" if "pull_request" in issue else "GitHub issue")
    topic = _TOPIC_PATH.match(parts.path)
    if forum and topic and url.strip().startswith(forum.rstrip("/") + "/t/"):
        _, number = topic.groups()
        with HttpClient("forum", forum) as http:
            data = http.get_json(f"{forum.rstrip('/')}/t/{number}.json")
            if not isinstance(data, dict):
                raise http.fail(forum, "unexpected answer: the topic is not an object")
        posts = (data.get("post_stream") or {}).get("posts")
        first = posts[0] if isinstance(posts, list) and posts and isinstance(posts[0], dict) else {}
        slug = re.sub(r"[^0-9A-Za-z_-]", "", str(data.get("slug") or "")) or "topic"
        return Origin(url=f"{forum.rstrip('/')}/t/{slug}/{number}", title=str(data.get("title") or ""),
                      body=_plain(str(first.get("cooked") or "")), author=str(first.get("username") or ""),
                      kind="forum topic")
    where = f" or a topic of {forum}" if forum else " (or a forum topic, with forum.url in repos.yaml)"
    raise UsageError(f"expected a GitHub issue address like https://github.com/OWNER/REPO/issues/123{where}, "
                     f"got {url!r}")
