"""`metrics --chart`: the report's weeks drawn as an SVG or PNG file with matplotlib.

matplotlib is the optional extra `chart` (`pip install '.[chart]'` from a clone), imported only here,
only when a chart is asked for. Text in the chart (repo names, the rotation's names) is drawn as plain text:
mathtext (`$...$`) is off, and the SVG writer escapes what XML needs; SVG keeps it as text (searchable,
and a fraction of the size of glyph outlines).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cmtriage.errors import UsageError

FORMATS = (".svg", ".png")
INSTALL = "pip install 'matplotlib>=3.8' (cmtriage's extra 'chart')"


def check(path: Path) -> None:
    """Refuse a chart file that cannot be made, before anything is fetched: a format other than SVG or
    PNG, or no matplotlib."""
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--chart: expected a file ending in .svg or .png, got {path.name!r}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(f"--chart needs matplotlib, which is not installed: {INSTALL}") from None


def draw(items: Sequence[Any], path: Path, title: str) -> None:
    """Two panels over the weeks: each repo's median hours to the team's first response (all repos
    together in bold, with their 90th percentile dashed), and the items opened, answered and still
    waiting at each week's end (all repos). Written as -o writes (`files.write_file`): whole, a
    symlink followed, the old file's mode kept."""
    import matplotlib
    from matplotlib.figure import Figure

    rows = [item.extra for item in items]
    weeks = list(dict.fromkeys(row["week"] for row in rows))
    who = {row["week"]: row["on_duty"] for row in rows}
    labels = [f"{week:%b %d}\n{who[week] or ''}" for week in weeks]
    repos = list(dict.fromkeys(row["repo"] for row in rows))
    by = {(row["repo"], row["week"]): row for row in rows}
    positions = list(range(len(weeks)))

    def series(repo: str, key: str) -> list[float]:
        values = [by.get((repo, week), {}).get(key) for week in weeks]
        return [float("nan") if v is None else v for v in values]

    with matplotlib.rc_context({"text.parse_math": False, "svg.hashsalt": "cmtriage",
                              "svg.fonttype": "none", "font.size": 9}):
        figure = Figure(figsize=(max(6.0, 1.1 * len(weeks) + 2), 6.5), layout="constrained")
        top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
        for repo in repos:
            if repo == "all":
                continue
            top.plot(positions, series(repo, "first_response_median_hours"), marker=".", linewidth=1,
                     alpha=0.7, label=repo)
        if "all" in repos:
            top.plot(positions, series("all", "first_response_median_hours"), marker="o", linewidth=2.5,
                     color="black", label="all: median")
            top.plot(positions, series("all", "first_response_p90_hours"), linestyle="--", linewidth=1.5,
                     color="black", label="all: 90th percentile")
            width = 0.27
            for offset, key, name in ((-width, "opened", "opened"), (0, "answered", "answered"),
                                      (width, "waiting_at_end", "waiting at the week's end")):
                bottom.bar([p + offset for p in positions], series("all", key), width=width, label=name)
        figure.suptitle(title, fontsize=10)
        top.set_ylabel("hours to first response")
        top.set_ylim(bottom=0)
        top.grid(axis="y", alpha=0.3)
        top.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        bottom.set_ylabel("community items")
        bottom.grid(axis="y", alpha=0.3)
        bottom.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        bottom.set_xticks(positions, labels)
        _save(figure, path)


def _save(figure: Any, path: Path) -> None:
    import io

    from cmtriage.files import write_file

    fmt = path.suffix.lower().lstrip(".")
    drawn = io.BytesIO()
    figure.savefig(drawn, format=fmt, metadata={"Date": None} if fmt == "svg" else {})
    write_file(path, drawn.getvalue())
