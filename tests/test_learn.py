"""`cmtriage learn` against the fake GitHub, the saved model, and `new` using it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from cmtriage import learned
from cmtriage.classify import BUG, FEATURE, QUESTION, TROUBLESHOOTING, classify
from fakes.github import TOKEN, FakeGitHub, serve

NOW = "2026-11-24T14:00:00Z"
MM = "mattermost/mattermost"
DESKTOP = "mattermost/desktop"
TYPES = """\
    github:
      - repo: mattermost/mattermost
      - repo: mattermost/desktop
    types:
      Bug: [Type/Bug, bug]
      Feature Proposal: [Type/Enhancement, feature]
      Developer/Product Question: [Type/Question]
      Troubleshooting: [Move to Troubleshooting]
    """
PARTS = ["sidebar", "thread view", "emoji picker", "file upload", "search", "channel header", "login page"]
WORDS = {
    BUG: ("{part} crashes with a stack trace", "Blank {part} after the update",
          "The {part} throws an exception on save", "{part} shows a wrong count"),
    FEATURE: ("Add a shortcut for the {part}", "Allow hiding the {part}", "Dark theme for the {part}",
              "Custom colours in the {part}"),
    QUESTION: ("How do I script the {part}?", "Which plugin hook fires for the {part}?",
               "Where does the {part} keep its settings?", "Can a bot read the {part}?"),
}
BODIES = {
    BUG: ("Stack trace:\n```\npanic: nil pointer in {part}\n```", "It crashed twice today.", ""),
    FEATURE: ("It would be useful for big teams.", "Slack has something like it.", ""),
    QUESTION: ("I read the developer docs and could not find it.", "Is it documented?", ""),
}


def labelled(post_type: str, index: int) -> tuple[str, str]:
    rng = random.Random(f"{post_type}{index}")
    part = rng.choice(PARTS)
    return rng.choice(WORDS[post_type]).format(part=part), rng.choice(BODIES[post_type]).format(part=part)


def add_labelled(fake: FakeGitHub, repo: str, numbers: range, post_type: str, label: str,
                 closed_every: int = 3) -> None:
    for number in numbers:
        title, body = labelled(post_type, number)
        fake.add_issue(repo, number, title, author=f"user{number}", body=body, labels=(label, "Tech/Go"),
                       created=f"2026-0{1 + number % 9}-1{number % 9}",
                       state="closed" if number % closed_every else "open")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, write_config) -> Iterator[FakeGitHub]:
    """25 bugs under two labels, 26 features under two labels in two repos, 24 questions; a pull and an
    issue with two types' labels that teach nothing; no issue labelled "Move to Troubleshooting"."""
    with serve(FakeGitHub()) as running:
        monkeypatch.setenv("GITHUB_API_URL", running.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("CMTRIAGE_NOW", NOW)
        write_config(repos=TYPES)
        seed(running)
        yield running


def seed(running: FakeGitHub) -> None:
    """The labelled issues of the `fake` fixture (the README's learn sample reads them too)."""
    running.add_repo(MM)
    running.add_repo(DESKTOP)
    add_labelled(running, MM, range(1, 16), BUG, "Type/Bug")
    add_labelled(running, MM, range(16, 26), BUG, "bug")
    add_labelled(running, MM, range(26, 46), FEATURE, "Type/Enhancement")
    add_labelled(running, DESKTOP, range(1, 7), FEATURE, "feature")
    add_labelled(running, DESKTOP, range(7, 31), QUESTION, "Type/Question")
    running.add_issue(MM, 90, "Bump a dependency", author="erin", created="2026-05-01", pull=True,
                      labels=("Type/Bug",))
    running.add_issue(MM, 91, "Crash or feature?", author="erin", created="2026-05-01",
                      labels=("bug", "Type/Enhancement"))


def model_file(isolated_env: Path) -> Path:
    return isolated_env / "state" / "cmtriage" / learned.MODEL_FILE


LEARNED = ("learned from 75 issues (Bug 25, Feature Proposal 26, Developer/Product Question 24); "
           "cross-validated macro-F1 1.00\n")
WARNINGS = (
    "cmtriage: warning: no issue of the watched repos carries the label 'Move to Troubleshooting'\n"
    "cmtriage: warning: 1 issue carries the labels of two post types: left out\n"
    "cmtriage: warning: Troubleshooting: only 0 labelled issues, fewer than 20: not learned, the rules "
    "decide it\n"
)


def test_learn_reads_each_label_of_each_repo_once_and_saves_a_private_model(fake, run_cli, isolated_env):
    code, out, err = run_cli("learn")
    path = model_file(isolated_env)
    assert (code, err) == (0, WARNINGS)
    assert out.splitlines(keepends=True)[0] == LEARNED
    assert out.splitlines()[1].startswith(f"saved to {path} (")
    lists = sorted((r.path, r.params["labels"]) for r in fake.requests if r.path.endswith("/issues"))
    labels = ["Move to Troubleshooting", "Type/Bug", "Type/Enhancement", "Type/Question", "bug", "feature"]
    assert lists == [(f"/repos/{repo}/issues", label) for repo in (DESKTOP, MM) for label in labels]
    assert {(r.params["state"], r.params["sort"], r.params["direction"], r.params["per_page"])
            for r in fake.requests if r.path.endswith("/issues")} == {("all", "created", "desc", "100")}

    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert path.stat().st_size < 1_000_000
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert {k: saved[k] for k in ("learned_at", "counts", "macro_f1", "repos", "types")} == {
        "learned_at": NOW, "counts": {BUG: 25, FEATURE: 26, QUESTION: 24}, "macro_f1": 1.0,
        "repos": [MM, DESKTOP], "types": [BUG, FEATURE, QUESTION]}
    assert saved["labels"][TROUBLESHOOTING] == ["Move to Troubleshooting"]

    fake.reset_log()  # the second time, every page is the cached one (304s cost no rate limit)
    assert run_cli("learn")[:2] == (0, out)
    assert {r.status for r in fake.requests} == {304}


def test_max_keeps_the_newest_of_each_type(fake, run_cli):
    code, out, _ = run_cli("learn", "--max", "20")
    assert (code, out.splitlines()[0]) == (
        0, "learned from 60 issues (Bug 20, Feature Proposal 20, Developer/Product Question 20); "
           "cross-validated macro-F1 0.98")


def test_a_label_with_more_than_a_page_is_read_page_by_page_up_to_max(fake, run_cli):
    add_labelled(fake, MM, range(100, 330), BUG, "Type/Bug")
    assert run_cli("learn", "--max", "150")[0] == 0
    pages = [r.params.get("page", "1") for r in fake.requests
             if r.path.endswith("/issues") and r.params["labels"] == "Type/Bug" and DESKTOP not in r.path]
    assert pages == ["1", "2"]  # 200 issues listed, the third page is not needed


def test_too_few_examples_is_a_clear_error_and_no_model(fake, run_cli, write_config, isolated_env):
    write_config(repos=TYPES.replace("[Type/Enhancement, feature]", "[feature]"))
    fake.repo(DESKTOP).issues = {n: i for n, i in fake.repo(DESKTOP).issues.items() if n <= 3}
    code, out, err = run_cli("learn")
    assert (code, out) == (2, "")
    assert err == ("cmtriage: error: cannot learn: at least two post types need 20 labelled issues each, and "
                   "the watched repos have Bug 26, Feature Proposal 3, Troubleshooting 0, "
                   "Developer/Product Question 0; label more issues, or map more labels to post types in "
                   "repos.yaml types:\n")
    assert not model_file(isolated_env).exists()


def test_a_failing_repo_saves_nothing_and_exits_1(fake, run_cli, isolated_env, monkeypatch):
    from cmtriage.sources import github as source

    monkeypatch.setattr(source, "sleep", lambda seconds: None)
    fake.fail(times=100, status=503, where=f"/repos/{DESKTOP}/issues")
    code, out, err = run_cli("learn")
    assert (code, out) == (1, "")
    assert err.startswith(f"cmtriage: error: github: {DESKTOP} (label '")
    assert err.endswith("'): GitHub answered 503 4 times; try again later\n")
    assert not model_file(isolated_env).exists()


def test_the_default_types_are_mattermosts_labels(fake, run_cli, write_config):
    write_config(repos=TYPES.split("    types:")[0])
    code, out, err = run_cli("learn")
    # Type/Bug 15 + bug 10 (+1 that also carries Type/Enhancement); "feature" is not a default label
    assert (code, out.splitlines()[0]) == (
        0, "learned from 69 issues (Bug 25, Feature Proposal 20, Developer/Product Question 24); "
           "cross-validated macro-F1 1.00")
    assert "'Move to Feature Ideas forum'" in err and "'question'" in err and "'enhancement'" in err


# --- new with the model -------------------------------------------------------------------------------------
def add_new(fake: FakeGitHub) -> None:
    add = fake.add_issue
    add(MM, 500, "Emoji picker crashes with a stack trace", author="zoe", created="2026-11-24T09:00:00Z")
    add(MM, 501, "Emoji picker crashes with a stack trace", author="zoe", created="2026-11-24T09:10:00Z",
        labels=("Type/Enhancement",))
    add(MM, 502, "Which plugin hook fires for the search?", author="zoe", created="2026-11-24T09:20:00Z")
    add(MM, 503, "Which plugin hook fires behind nginx and docker?", author="zoe",
        created="2026-11-24T09:30:00Z", body="Our nginx reverse proxy in docker.")


def types_of_new(run_cli) -> list[tuple[int, str, str]]:
    code, out, err = run_cli("new", "--format", "json", "--repo", MM)
    assert (code, err) == (0, "")
    return [(i["number"], i["post_type"], i["type_reason"]) for i in json.loads(out)["items"]]


def test_new_uses_the_model_and_a_type_label_still_wins(fake, run_cli):
    add_new(fake)
    before = types_of_new(run_cli)
    assert before[0] == (500, BUG, 'words "crashes" in title')  # the rules, before any learning
    assert run_cli("learn")[0] == 0
    assert types_of_new(run_cli) == [
        (500, BUG, "learned: 'stack trace', 'crashes with'"),
        (501, FEATURE, 'label "Type/Enhancement"'),
        (502, QUESTION, "learned: 'which plugin', 'plugin hook'"),
        # the model knows no Troubleshooting: the rules split its question
        (503, TROUBLESHOOTING, "learned: 'which plugin', 'plugin hook'; "
                               "words \"nginx\", \"docker\" in title; "
                               "words \"nginx\", \"reverse proxy\", \"docker\" in body"),
    ]


def test_a_damaged_model_is_no_model(fake, run_cli, isolated_env):
    add_new(fake)
    assert run_cli("learn")[0] == 0
    model_file(isolated_env).write_text('{"format": 1, "types": ["Bug"], "features": {}}', encoding="utf-8")
    assert types_of_new(run_cli)[0] == (500, BUG, 'words "crashes" in title')
    model_file(isolated_env).write_text("not json", encoding="utf-8")
    assert types_of_new(run_cli)[0] == (500, BUG, 'words "crashes" in title')


def test_the_saved_model_is_the_one_new_loads(fake, run_cli, isolated_env):
    assert run_cli("learn")[0] == 0
    model = learned.load(model_file(isolated_env))
    assert model is not None and model.types == (BUG, FEATURE, QUESTION)
    title, body = labelled(FEATURE, 7)
    assert classify(title, body, model=model).post_type == FEATURE
    assert learned.Model.from_json(json.loads(json.dumps(model.to_json()))) == model


# --- the model on its own ----------------------------------------------------------------------------------
def test_macro_f1():
    assert learned.macro_f1(["a", "a", "b", "b"], ["a", "a", "b", "b"]) == 1.0
    # a: P 1/2 R 1/2 -> 0.5; b: P 1/2 R 1/2 -> 0.5
    assert learned.macro_f1(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == 0.5
    assert learned.macro_f1(["a", "a"], ["b", "b"]) == 0.0


@pytest.mark.parametrize("data", [None, [], {"format": 2}, {"format": 1, "types": [BUG, FEATURE]},
                                  {"format": 1, "types": [BUG, FEATURE], "features": {"x": [1.0, 2.0]}}])
def test_what_is_not_a_model(data):
    assert learned.Model.from_json(data) is None


def test_words_and_pairs_of_title_and_body():
    assert learned.tokens("Doesn't <!-- the template --> WORK, 2 times!") == ["doesnt", "work", "times"]
    model = learned.fit([learned.Example(f"crash in {n}", "stack trace", BUG) for n in "abc"]
                        + [learned.Example(f"add {n}", "please", FEATURE) for n in "abc"])
    assert model.guess("A crash", "").post_type == BUG
    assert model.guess("Please add", "").words == ("add", "please")
    # words the model never saw: no opinion, and the rules decide
    assert model.guess("Sidebar", "").known == 0
    assert classify("Sidebar order?", "", model=model) == classify("Sidebar order?", "")


# --- repos.yaml types: -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("types", "message"), [
    ("types:\n  Feature: [enhancement]\n",
     "repos.yaml:2: types.Feature: unknown key "
     "(known keys: Bug, Feature Proposal, Troubleshooting, Developer/Product Question)"),
    ("types:\n  Bug: [bug]\n  Feature Proposal: [Enhancement, BUG]\n",
     "repos.yaml:3: types.Feature Proposal: label 'BUG' is already under Bug"),
    ("types:\n  Bug: ['bug,crash']\n",
     "repos.yaml:2: types.Bug: 'bug,crash': a label name with a comma cannot be listed by itself"),
    ("types:\n  Bug: []\n", "repos.yaml:2: types.Bug: expected a list of label names, got an empty list"),
    ("types: {}\n", "repos.yaml:1: types: expected a mapping of post types to label names, got a mapping"),
])
def test_types_mistakes(run_cli, write_config, types, message):
    folder = write_config(repos=types)
    assert run_cli("learn") == (2, "", f"cmtriage: error: {folder / message}\n")


def test_types_are_read_in_order(isolated_env):
    from cmtriage.config import load_repos

    folder = isolated_env / "config"
    folder.mkdir()
    text = "types:\n  Developer/Product Question: question\n  Bug: [bug, crash]\n"
    (folder / "repos.yaml").write_text(text, encoding="utf-8")
    assert load_repos(folder).types == ((QUESTION, ("question",)), (BUG, ("bug", "crash")))
