"""Train the learned reader from the project's own labelled corpus (scikit-learn lives here).

Reproducible: fixed seeds, sorted vocabulary, deterministic solvers; the same corpus and
criteria give the same arrays and the same metadata, apart from `trained_at`.
"""

from __future__ import annotations

import hashlib
import platform
import time
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from packet_eval.classifying import Model, credit, save_model
from packet_eval.criteria import Rubric
from packet_eval.detecting import detector_for
from packet_eval.errors import InputError
from packet_eval.evaluating import qwk
from packet_eval.featurizing import featurize
from packet_eval.scoring import Blend, ClaimScore, score_claims, score_committee
from packet_eval.segmenting import Claim, ClaimSpan, make_nlp

SEED = 20261123
FOLDS = 5
MIN_COUNT = 2
LEVEL_ALPHA = 1.0
CRIT_C = 4.0
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
THRESHOLDS = (0.4, 0.5, 0.6, 0.7)
STRETCHES = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6)
QUANTILES = (0.5, 0.75, 0.9, 0.95)
BLEND_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
PACKET_REGISTERS = ("bullet", "prose", "self-review")


class CorpusClaim(BaseModel):
    """One labelled claim of the training corpus (see corpus/GUIDE.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    text: str = Field(min_length=1)
    level: int = Field(ge=1, le=5)
    role: str
    style: str = Field(alias="register", description="bullet, prose, self-review or expectation")
    signals: list[str]
    anti: list[str]
    hard: str | None


def load_corpus(directory: str | Path) -> tuple[list[CorpusClaim], str, int]:
    """Read every corpus/*.jsonl file; return claims, their digest and their byte size."""
    root = Path(directory)
    files = sorted(root.glob("*.jsonl"))
    if not files:
        raise InputError(f"{root}: no *.jsonl corpus files")
    digest, size, claims, seen = hashlib.sha256(), 0, [], set()
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        size += len(data)
        for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                claim = CorpusClaim.model_validate_json(line)
            except ValidationError as exc:
                err = exc.errors()[0]
                raise InputError(
                    f"{path}:{number}: {'.'.join(map(str, err['loc']))}: {err['msg']}"
                ) from exc
            if claim.id in seen:
                raise InputError(f"{path}:{number}: duplicate id {claim.id!r}")
            seen.add(claim.id)
            claims.append(claim)
    return claims, digest.hexdigest(), size


def corpus_features(
    claims: list[CorpusClaim], rubric: Rubric
) -> tuple[list[list[str]], list[ClaimScore]]:
    """Featurize each corpus claim as one whole claim, and return its rule-only reading too."""
    nlp = make_nlp()
    detector = detector_for(rubric)
    feats, rule_scores = [], []
    for claim, doc in zip(claims, nlp.pipe(c.text for c in claims), strict=True):
        span = ClaimSpan(claim=Claim(index=0, text=claim.text, line=1, col=1), span=doc[:])
        found = detector.detect([span])
        feats.append(featurize(span.span, found[0]))
        rule_scores.append(score_claims(rubric, found)[0])
    return feats, rule_scores


def _vocabulary(features: list[list[str]]) -> list[str]:
    counts = Counter(f for fs in features for f in fs)
    return sorted(f for f, n in counts.items() if n >= MIN_COUNT)


def _matrix(features: list[list[str]], vocab: list[str]) -> Any:
    from scipy.sparse import csr_matrix

    index = {f: i for i, f in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for r, fs in enumerate(features):
        idx = sorted({index[f] for f in fs if f in index})
        for c in idx:
            rows.append(r)
            cols.append(c)
            vals.append(1.0 / np.sqrt(len(idx)))
    return csr_matrix((vals, (rows, cols)), shape=(len(features), len(vocab)))


def _fit(x: Any, levels: np.ndarray, crit_y: np.ndarray) -> dict[str, np.ndarray]:
    from sklearn.linear_model import LogisticRegression, Ridge

    # Ridge on the level as a number: ordinal, spreads better than a class vote on unseen
    # text, and its weights read in level units ("adopted" adds +0.3 of a level).
    lv = Ridge(alpha=LEVEL_ALPHA, random_state=SEED).fit(x, levels.astype(float))
    crit_coef, crit_int = [], []
    for j in range(crit_y.shape[1]):
        y = crit_y[:, j]
        if y.min() == y.max():  # a criterion nobody labelled: a constant, never credited
            crit_coef.append(np.zeros(x.shape[1]))
            crit_int.append(np.array([-10.0 if y.max() == 0 else 10.0]))
            continue
        m = LogisticRegression(
            C=CRIT_C, max_iter=3000, class_weight="balanced", random_state=SEED
        ).fit(x, y)
        crit_coef.append(m.coef_[0])
        crit_int.append(m.intercept_)
    return {
        "level_coef": np.asarray(lv.coef_, dtype=np.float64).reshape(1, -1),
        "level_intercept": np.asarray([lv.intercept_], dtype=np.float64),
        "crit_coef": np.vstack(crit_coef).astype(np.float64),
        "crit_intercept": np.concatenate(crit_int).astype(np.float64),
    }


def _predict(arrays: dict[str, np.ndarray], x: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return the raw (unclipped) learned levels and the criterion probabilities."""
    level = x @ arrays["level_coef"][0] + arrays["level_intercept"][0]
    c = 1.0 / (1.0 + np.exp(-(x @ arrays["crit_coef"].T + arrays["crit_intercept"])))
    return level, c


def _f1(truth: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum(truth & pred))
    denom = float(np.sum(truth) + np.sum(pred))
    return round(2 * tp / denom, 3) if denom else 0.0


def _labels(claims: list[CorpusClaim], rubric: Rubric) -> tuple[np.ndarray, np.ndarray, list[str]]:
    crit_ids = [c.id for c in rubric.active]
    codes = [c.code for c in rubric.active]
    y = np.array([c.level for c in claims])
    crit_y = np.array([[int(code in c.signals) for code in codes] for c in claims])
    return y, crit_y, crit_ids


def cross_validate(
    claims: list[CorpusClaim], feats: list[list[str]], scores: list[ClaimScore], rubric: Rubric
) -> dict[str, Any]:
    """Out-of-fold metrics, and the settings that agree best on held-out folds: the stretch of
    learned levels, the rule/learned weight per claim and the criterion threshold; also the
    held-out claims' credited readings, on which `train` chooses the packet blend."""
    from sklearn.model_selection import StratifiedKFold

    rule = [s.level for s in scores]
    y, crit_y, crit_ids = _labels(claims, rubric)
    expected = np.zeros(len(claims))
    crit_p = np.zeros(crit_y.shape)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_idx, test_idx in folds.split(np.zeros(len(y)), y):
        vocab = _vocabulary([feats[i] for i in train_idx])
        arrays = _fit(
            _matrix([feats[i] for i in train_idx], vocab), y[train_idx], crit_y[train_idx]
        )
        level, c = _predict(arrays, _matrix([feats[i] for i in test_idx], vocab))
        expected[test_idx] = level
        crit_p[test_idx] = c
    # Ridge pulls its readings toward the middle of the ladder; stretch them back around the
    # corpus mean by the factor that agrees best on held-out folds (ties: the smaller one).
    center = float(np.mean(y))
    stretch = max(STRETCHES, key=lambda s: (_stretched_qwk(expected, y, center, s), -s))
    expected = np.clip(center + stretch * (expected - center), 1.0, 5.0)
    best_w = max(WEIGHTS, key=lambda w: (_mixed_qwk(expected, rule, y, w), w))
    best_t = max(THRESHOLDS, key=lambda t: (_mean_f1(crit_y, crit_p, t), -t))
    pred = np.clip(np.rint(expected), 1, 5).astype(int)
    codes = [c.code for c in rubric.active]
    credited = credit(scores, expected, crit_p, crit_ids, threshold=best_t, weight=best_w)
    return {
        "folds": FOLDS,
        "learned_qwk": round(float(qwk(list(y), list(pred)) or 0), 3),
        "combined_qwk": round(_mixed_qwk(expected, rule, y, best_w), 3),
        "rule_only_qwk": round(_mixed_qwk(expected, rule, y, 0.0), 3),
        "exact": round(float(np.mean(pred == y)), 3),
        "adjacent": round(float(np.mean(np.abs(pred - y) <= 1)), 3),
        "level_f1": {f"L{k}": _f1(y == k, pred == k) for k in range(1, 6)},
        "criterion_f1": {
            codes[j]: _f1(crit_y[:, j] == 1, crit_p[:, j] >= best_t) for j in range(len(crit_ids))
        },
        "learned_weight": best_w,
        "criterion_threshold": best_t,
        "stretch": {"center": round(center, 4), "factor": stretch},
        "credited": credited,
    }


def _stretched_qwk(raw: np.ndarray, y: np.ndarray, center: float, factor: float) -> float:
    pred = np.clip(np.rint(center + factor * (raw - center)), 1, 5).astype(int)
    return float(qwk(list(y), list(pred)) or 0)


def stretch_levels(arrays: dict[str, np.ndarray], center: float, factor: float) -> None:
    """Fold the stretch into the level weights, so the model file reads in stretched levels."""
    arrays["level_coef"] = arrays["level_coef"] * factor
    arrays["level_intercept"] = center + factor * (arrays["level_intercept"] - center)


def _mixed_qwk(expected: np.ndarray, rule: list[int | None], y: np.ndarray, w: float) -> float:
    mixed = [e if r is None else w * e + (1 - w) * r for e, r in zip(expected, rule, strict=True)]
    if w == 0.0:  # rule-only: a claim with no rule evidence reads at the floor
        mixed = [1 if r is None else r for r in rule]
    pred = [int(np.clip(round(m), 1, 5)) for m in mixed]
    return float(qwk(list(y), pred) or 0)


def _mean_f1(crit_y: np.ndarray, crit_p: np.ndarray, t: float) -> float:
    return float(
        np.mean([_f1(crit_y[:, j] == 1, crit_p[:, j] >= t) for j in range(crit_y.shape[1])])
    )


def _versions() -> dict[str, str]:
    import sklearn
    import spacy

    from packet_eval.api import package_version

    return {
        "packet_eval": package_version(),
        "scikit_learn": sklearn.__version__,
        "spacy": spacy.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def train(
    corpus_dir: str | Path,
    out_dir: str | Path,
    rubric: Rubric,
    packets_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Fit the reader on the whole corpus, cross-validate it, choose the packet blend (on
    practice documents and, when given, real packets with a known level), write the model."""
    claims, corpus_digest, corpus_size = load_corpus(corpus_dir)
    feats, scores = corpus_features(claims, rubric)
    metrics = cross_validate(claims, feats, scores, rubric)
    y, crit_y, crit_ids = _labels(claims, rubric)
    vocab = _vocabulary(feats)
    arrays = _fit(_matrix(feats, vocab), y, crit_y)
    stretch_levels(arrays, **metrics["stretch"])
    known = (
        packet_readings(packets_dir, arrays, vocab, rubric, metrics)
        if packets_dir is not None
        else []
    )
    credited = metrics.pop("credited")
    docs = practice_documents(claims)
    long_docs = {k: docs[k] for k in ("ladder", "packet")}
    metrics["packet"] = choose_blend(claims, credited, rubric, long_docs, known)
    metrics["short"] = choose_blend(claims, credited, rubric, {"short": docs["short"]})
    meta = {
        "criteria_digest": rubric.digest,
        "corpus": {
            "sha256": corpus_digest,
            "bytes": corpus_size,
            "claims": len(claims),
            "by_level": dict(sorted(Counter(f"L{c.level}" for c in claims).items())),
            "by_role": dict(sorted(Counter(c.role for c in claims).items())),
            "by_register": dict(sorted(Counter(c.style for c in claims).items())),
        },
        "versions": _versions(),
        "seed": SEED,
        "features": {
            "count": len(vocab),
            "min_count": MIN_COUNT,
            "kinds": sorted({f.split(":")[0] for f in vocab}),
        },
        "cues": {name: cue.describe for name, cue in rubric.cues.classes.items()},
        "levels": [1, 2, 3, 4, 5],
        "criteria": crit_ids,
        "combine": {
            "learned_weight": metrics["learned_weight"],
            "criterion_threshold": metrics["criterion_threshold"],
            "packet": metrics["packet"]["blend"],
            "short": metrics["short"]["blend"],
        },
        "cross_validation": metrics,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "vocabulary": vocab,
    }
    return save_model(out_dir, arrays, meta)


def _line(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """Least-squares line through (xs, ys); with no spread in xs, the identity's slope."""
    spread = float(np.var(xs))
    slope = float(np.cov(xs, ys, bias=True)[0, 1]) / spread if spread > 1e-9 else 1.0
    return slope, float(np.mean(ys) - slope * np.mean(xs))


def _split(
    rng: np.random.Generator, groups: dict[tuple[int, str], list[int]], low: int, high: int
) -> list[list[int]]:
    """Cut each group, shuffled, into documents of `low` to `high` claims."""
    docs = []
    for key in sorted(groups):
        members = list(rng.permutation(groups[key]))
        while len(members) >= low:
            size = int(rng.integers(low, high + 1))
            docs.append([int(i) for i in members[:size]])
            members = members[size:]
    return docs


def practice_documents(claims: list[CorpusClaim]) -> dict[str, list[list[int]]]:
    """Build documents from corpus claims to choose the packet blend on, deterministically.

    `ladder`: 4-8 claims of one level and register, like a ladder's expectations for a level.
    `short`: 2-3 claims of one level and register, like two or three bullets (a short text has
    a blend of its own: one claim may set its committee reading).
    `packet`: 10-30 bullets or prose claims of one role, a fifth to two fifths of them at the
    packet's level and the rest at any level below, like a packet with its context.
    """
    rng = np.random.default_rng(SEED)
    groups: dict[tuple[int, str], list[int]] = {}
    for i, c in enumerate(claims):
        groups.setdefault((c.level, c.style), []).append(i)
    ladder = _split(rng, groups, 4, 8)
    short = _split(rng, groups, 2, 3)
    packet = []
    roles = sorted({c.role for c in claims})
    for role in roles:
        pool: dict[int, list[int]] = {}
        for i, c in enumerate(claims):
            if c.role == role and c.style in PACKET_REGISTERS:
                pool.setdefault(c.level, []).append(i)
        for level in range(1, 6):
            below = [i for lv in range(1, level) for i in pool.get(lv, [])]
            top = pool.get(level, [])
            for _ in range(6):
                size = int(rng.integers(10, 31))
                n_top = size if level == 1 else max(2, round(size * rng.uniform(1 / 5, 2 / 5)))
                if len(top) < n_top or (level > 1 and len(below) < size - n_top):
                    continue
                picked = list(rng.choice(top, n_top, replace=False))
                if level > 1:
                    picked += list(rng.choice(below, size - n_top, replace=False))
                packet.append([int(i) for i in rng.permutation(picked)])
    return {"ladder": ladder, "packet": packet, "short": short}


def packet_readings(
    directory: str | Path,
    arrays: dict[str, np.ndarray],
    vocab: list[str],
    rubric: Rubric,
    metrics: dict[str, Any],
) -> list[tuple[list[ClaimScore], int]]:
    """Read the packets of a directory that state their level (front matter `level:`) with
    the fitted reader, as `score` would: each packet's credited claims and its level. They
    are not training data; they keep the packet blend honest about real packets, which
    practice documents built from single claims do not fully resemble."""
    from packet_eval.api import _expected
    from packet_eval.reading import read_path
    from packet_eval.segmenting import segment

    fitted = {
        "vocabulary": vocab,
        "levels": [1, 2, 3, 4, 5],
        "criteria": [c.id for c in rubric.active],
        "combine": {k: metrics[k] for k in ("learned_weight", "criterion_threshold")},
    }
    model = Model.from_arrays(arrays, fitted, name="in training")
    detector = detector_for(rubric)
    out = []
    for path in sorted(Path(directory).glob("*.md")):
        packet = read_path(path)
        level = _expected(packet)
        spans = segment(packet)
        if level is None or not spans:
            continue
        found = detector.detect(spans)
        out.append((model.combine(spans, found, score_claims(rubric, found), rubric), level))
    return out


def _renumbered(credited: list[ClaimScore], members: list[int]) -> list[ClaimScore]:
    """The claims of a practice document, numbered as a packet's claims would be."""
    return [replace(credited[i], claim=k) for k, i in enumerate(members)]


def choose_blend(
    claims: list[CorpusClaim],
    credited: list[ClaimScore],
    rubric: Rubric,
    documents: dict[str, list[list[int]]],
    known: list[tuple[list[ClaimScore], int]] | None = None,
) -> dict[str, Any]:
    """Choose how a text's level mixes the committee reading with the learned reader, on
    practice `documents` of held-out claims (by kind) and on `known` packets (real packets
    with a stated level, read by the fitted model): for each quantile of the claims' learned
    levels, fit the line that maps it to the document's level, then the weight that agrees
    best (mean QWK over the kinds of document; ties go to the committee)."""
    docs = {k: v for k, v in documents.items() if v}
    if not docs:  # a corpus too small to build documents from: the committee reads alone
        return {"blend": None, "qwk": {}, "committee_qwk": {}, "documents": {}}
    truth, committee, learned = {}, {}, {}
    for kind, members in docs.items():
        truth[kind] = np.array([max(claims[i].level for i in d) for d in members])
        committee[kind] = np.array(
            [score_committee(rubric, _renumbered(credited, d)).level for d in members]
        )
        learned[kind] = [np.array([credited[i].learned or 1.0 for i in d]) for d in members]
    if known:
        truth["examples"] = np.array([level for _, level in known])
        committee["examples"] = np.array([score_committee(rubric, cs).level for cs, _ in known])
        learned["examples"] = [np.array([c.learned or 1.0 for c in cs]) for cs, _ in known]
    best: tuple[float, float, dict[str, Any]] | None = None
    for q in QUANTILES:
        stat = {k: np.array([np.quantile(v, q) for v in learned[k]]) for k in truth}
        xs = np.concatenate([stat[k] for k in truth])
        ys = np.concatenate(list(truth.values())).astype(float)
        slope, intercept = _line(xs, ys)
        for w in BLEND_WEIGHTS:
            blend = Blend(
                quantile=q,
                slope=round(float(slope), 4),
                intercept=round(float(intercept), 4),
                weight=w,
            )
            per_kind = {}
            for k in truth:
                pred = blend.mix(blend.reading(stat[k]), committee[k], rubric.ladder.scoring.floor)
                per_kind[k] = round(float(qwk(list(truth[k]), list(pred)) or 0), 3)
            agree = float(np.mean(list(per_kind.values())))
            if best is None or (agree, -w) > (best[0], -best[1]):
                best = (agree, w, {"blend": asdict(blend), "qwk": per_kind})
    assert best is not None
    committee_qwk = {
        k: round(float(qwk(list(t), list(committee[k])) or 0), 3) for k, t in truth.items()
    }
    return {
        **best[2],
        "committee_qwk": committee_qwk,
        "documents": {k: len(v) for k, v in truth.items()},
    }
