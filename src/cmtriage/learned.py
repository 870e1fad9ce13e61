"""A post-type classifier learned from a team's own labelled issues, in plain Python.

`cmtriage learn` fits it, `new` loads it. Nothing here needs numpy or scikit-learn: the model is a small
linear one over sparse dicts, so loading and using it costs a JSON read and a few dict lookups.

- Features: TF-IDF of words and word pairs (lower-cased, apostrophes dropped, `doesn't` -> `doesnt`) of
  the title and the body, the title's counts weighted TITLE_WEIGHT times; template instructions in HTML
  comments are left out. Term frequency is sublinear (1 + log tf) and each vector has unit length.
- Classifier: complement naive Bayes (Rennie et al. 2003), which suits short texts and uneven classes:
  a type's weight for a feature is minus the log of how often the feature appears in the OTHER types.
  The weights are centred per feature (the same shift for every type, so no answer changes) and the
  features whose weights barely differ between types are dropped, which keeps the file small.
- Explanation: the features of the issue that pushed hardest towards the winning type ("learned: 'stack
  trace', 'crash'").

The file (`learned-types.json` in the state directory, 0600) holds the weights, the date, the labelled
issues counted per type, the repos and the cross-validated macro-F1 that `learn` printed.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

MODEL_FILE = "learned-types.json"
FORMAT = 1
TITLE_WEIGHT = 3
TEXT_LIMIT = 20_000  # characters of a body read, as classify reads
MIN_DF = 2  # a feature seen in fewer issues is noise
MAX_FEATURES = 12_000  # the most frequent ones, before pruning: keeps the file well under 1 MB
PRUNE_BELOW = 0.02  # centred weights all smaller than this decide nothing
ALPHA = 0.3  # smoothing
FOLDS = 5
MIN_EXAMPLES = 20  # of a type, to learn it

# Words that say nothing by themselves: an explanation never shows a feature made of these alone.
_QUIET = frozenset({"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "i", "in", "is", "it",
                    "its", "me", "my", "of", "on", "or", "our", "the", "this", "that", "to", "was", "we",
                    "were", "with", "you", "your"})
_TOKEN = re.compile(r"[a-z][a-z0-9']*[a-z0-9]|[a-z]")


@dataclass(frozen=True)
class Example:
    title: str
    body: str
    post_type: str


@dataclass(frozen=True)
class Guess:
    post_type: str
    words: tuple[str, ...]  # the features that weighed most for it, heaviest first
    margin: float  # the winner's score minus the runner-up's, in the model's units
    known: int = 0  # how many of the words and pairs the model knows (none: it has no opinion)


@dataclass(frozen=True)
class Model:
    types: tuple[str, ...]
    idf: Mapping[str, float]
    weights: Mapping[str, Sequence[float]]  # feature -> one centred weight per type
    meta: Mapping[str, Any] = field(default_factory=dict)  # date, counts, macro_f1, repos

    def guess(self, title: str, body: str, *, shown: int = 2) -> Guess:
        vector = _vector(_counts(title, body), self.idf)
        scores = [0.0] * len(self.types)
        for feature, value in vector.items():
            for index, weight in enumerate(self.weights[feature]):
                scores[index] += value * weight
        ranked = sorted(range(len(self.types)), key=lambda i: -scores[i])
        best = ranked[0]
        margin = scores[best] - scores[ranked[1]] if len(ranked) > 1 else math.inf
        pushes = sorted(((value * (self.weights[f][best] - max(w for i, w in enumerate(self.weights[f])
                                                                if i != best)), f)
                         for f, value in vector.items() if len(self.types) > 1), reverse=True)
        words = _distinct([f for push, f in pushes if push > 0], shown)
        return Guess(self.types[best], tuple(words), margin, len(vector))

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **self.meta, "types": list(self.types),
                "features": {f: [round(self.idf[f], 3), *(round(w, 3) for w in ws)]
                             for f, ws in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: Any) -> Model | None:
        """The model in a file's JSON, or None when it is not one this version can use."""
        try:
            if data.get("format") != FORMAT:
                return None
            types = tuple(str(t) for t in data["types"])
            idf, weights = {}, {}
            for feature, values in data["features"].items():
                if len(values) != len(types) + 1:
                    return None
                idf[feature] = float(values[0])
                weights[feature] = tuple(float(v) for v in values[1:])
            meta = {k: v for k, v in data.items() if k not in ("format", "types", "features")}
            return cls(types, idf, weights, meta) if len(types) >= 2 else None
        except (AttributeError, KeyError, TypeError, ValueError):
            return None


# --- features --------------------------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    from cmtriage.classify import without_html_comments

    return [t.replace("'", "") for t in _TOKEN.findall(without_html_comments(text).lower().replace("’", "'"))]


def _grams(text: str) -> Counter[str]:
    words = tokens(text)
    grams = Counter(words)
    grams.update(f"{a} {b}" for a, b in pairwise(words))
    return grams


def _counts(title: str, body: str) -> Counter[str]:
    counts = _grams(body[:TEXT_LIMIT])
    for gram, count in _grams(title[:1000]).items():
        counts[gram] += TITLE_WEIGHT * count
    return counts


def _vector(counts: Mapping[str, int], idf: Mapping[str, float]) -> dict[str, float]:
    vector = {f: (1 + math.log(c)) * idf[f] for f, c in counts.items() if f in idf}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items()}


def _distinct(features: Sequence[str], shown: int, looked_at: int = 10) -> list[str]:
    """The first `shown` of the `looked_at` heaviest features, a pair standing in for its own words: with
    "stack" and "trace" both heavy, "stack trace" is shown once."""
    chosen: list[str] = []
    for feature in features[:looked_at]:
        words = feature.split()
        if set(words) <= _QUIET or any(set(words) <= set(c.split()) for c in chosen):
            continue
        inside = [c for c in chosen if c in words]
        if len(words) > 1 and inside:
            chosen[chosen.index(inside[0])] = feature
            chosen = [c for c in chosen if c not in inside[1:]]
        elif len(chosen) < shown:
            chosen.append(feature)
    return chosen


# --- fitting ---------------------------------------------------------------------------------------------
def fit(examples: Sequence[Example], meta: Mapping[str, Any] | None = None) -> Model:
    """Complement naive Bayes over TF-IDF features of `examples` (see the module doc)."""
    types = tuple(sorted({e.post_type for e in examples}, key=_type_order))
    counted = [_counts(e.title, e.body) for e in examples]
    df: Counter[str] = Counter()
    for counts in counted:
        df.update(counts.keys())
    kept = [f for f, n in df.most_common() if n >= MIN_DF][:MAX_FEATURES]
    total = len(examples)
    idf = {f: math.log((1 + total) / (1 + df[f])) + 1 for f in kept}
    mass = {t: Counter() for t in types}
    for counts, example in zip(counted, examples, strict=True):
        mass[example.post_type].update(_vector(counts, idf))
    everything: Counter[str] = Counter()
    for per_type in mass.values():
        everything.update(per_type)
    weights: dict[str, tuple[float, ...]] = {}
    columns = []
    for t in types:  # the complement of t: every other type's mass
        complement_total = sum(everything.values()) - sum(mass[t].values()) + ALPHA * len(kept)
        columns.append({f: -math.log((everything[f] - mass[t][f] + ALPHA) / complement_total) for f in kept})
    for f in kept:
        row = [column[f] for column in columns]
        mean = sum(row) / len(row)
        centred = tuple(w - mean for w in row)
        if max(abs(w) for w in centred) >= PRUNE_BELOW:
            weights[f] = centred
    return Model(types, {f: idf[f] for f in weights}, weights, dict(meta or {}))


def _type_order(post_type: str) -> int:
    from cmtriage.models import POST_TYPES

    return POST_TYPES.index(post_type) if post_type in POST_TYPES else len(POST_TYPES)


def macro_f1(truth: Sequence[str], guessed: Sequence[str], types: Iterable[str] | None = None) -> float:
    """The mean over types of F1 (2PR / (P + R)); a type never true nor guessed is left out."""
    scores = []
    for t in types or sorted(set(truth)):
        hits = sum(1 for a, b in zip(truth, guessed, strict=True) if a == b == t)
        said, real = guessed.count(t), truth.count(t)
        if said + real:
            scores.append(2 * hits / (said + real))
    return sum(scores) / len(scores) if scores else 0.0


def cross_validate(examples: Sequence[Example], folds: int = FOLDS, seed: int = 13) -> float:
    """Macro-F1 of models fitted on all but one of `folds` stratified parts and tested on that part,
    over all parts together."""
    by_type: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_type.setdefault(example.post_type, []).append(index)
    fold_of = [0] * len(examples)
    rng = random.Random(seed)
    for indexes in by_type.values():
        rng.shuffle(indexes)
        for position, index in enumerate(indexes):
            fold_of[index] = position % folds
    truth, guessed = [], []
    for fold in range(folds):
        train = [e for e, f in zip(examples, fold_of, strict=True) if f != fold]
        test = [e for e, f in zip(examples, fold_of, strict=True) if f == fold]
        if not test:
            continue
        model = fit(train)
        truth += [e.post_type for e in test]
        guessed += [model.guess(e.title, e.body).post_type for e in test]
    return macro_f1(truth, guessed)


# --- the file --------------------------------------------------------------------------------------------
def model_path() -> Path:
    from cmtriage.state import state_dir

    return state_dir() / MODEL_FILE


def save(model: Model, path: Path | None = None) -> Path:
    import json

    from cmtriage.state import write_atomic

    path = path or model_path()
    write_atomic(path, json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True) + "\n")
    return path


def load(path: Path | None = None) -> Model | None:
    """The saved model, or None when there is none (or it is unreadable: `new` then uses the rules)."""
    from cmtriage.state import read_json

    return Model.from_json(read_json(path or model_path()))  # read_json: None for a missing file
