"""`cmtriage learn`: fit the post-type model `new` uses, from the watched repos' own labelled issues."""

from __future__ import annotations

import click

from cmtriage.commands._common import Env, cache_option, context_options, repo_option, wait_option
from cmtriage.errors import EXIT_OK


@click.command()
@click.option("--max", "limit", type=click.IntRange(1, 100_000), default=2000, show_default=True,
              metavar="N", help="Learn from at most the N newest issues of each post type.")
@repo_option
@wait_option
@cache_option
@context_options
def learn(limit: int, repos: tuple[str, ...], wait_text: str, env: Env) -> int:
    """Learn each post type's words from the issues the team has labelled, for `new`.

    Reads the issues, open and closed (never pulls), of the repos in repos.yaml that watch issues
    and carry a post type's labels: repos.yaml `types:` maps each post type to its label names,
    else Mattermost's own (Bug: Type/Bug, bug; Feature Proposal: Type/Enhancement, enhancement,
    Move to Feature Ideas forum; Developer/Product Question: Type/Question, question). One list
    call per label and repo, cached like every GitHub read. It fits a small linear text model
    (TF-IDF of words and word pairs, the title weighted up; complement naive Bayes), prints its
    cross-validated macro-F1, and saves it (0600) in the state folder. From then on `new` guesses
    with it; an issue's own type label still wins. Run it again now and then to learn anew.

    A post type needs 20 labelled issues to be learned; one with fewer is left to the rules, and
    with fewer than two such types nothing is saved (exit 2).

    \b
    Example:
      cmtriage learn
      cmtriage learn --max 500 --repo mattermost/mattermost
    """
    from cmtriage.collect import Run
    from cmtriage.collect.learn import learn as fit
    from cmtriage.learned import MIN_EXAMPLES
    from cmtriage.terminal import terminal

    screen = terminal()
    with Run(env, {"wait_text": wait_text}) as run:
        done = fit(env, repos, limit=limit, budget=run.budget())
    for label in done.unused_labels:
        screen.warn(f"no issue of the watched repos carries the label {label!r}")
    if done.conflicting:
        plural = "issue carries" if done.conflicting == 1 else "issues carry"
        screen.warn(f"{done.conflicting:,} {plural} the labels of two post types: left out")
    for post_type, count in done.too_few.items():
        screen.warn(f"{post_type}: only {count} labelled issues, fewer than {MIN_EXAMPLES}: not learned, "
                    "the rules decide it")
    counts = ", ".join(f"{t} {n:,}" for t, n in done.counts.items())
    click.echo(f"learned from {sum(done.counts.values()):,} issues ({counts}); cross-validated macro-F1 "
               f"{done.model.meta['macro_f1']:.2f}")
    size = max(1, round(done.size / 1024))
    click.echo(f"saved to {done.path} ({size:,} KB); cmtriage new uses it from now on")
    return EXIT_OK
