"""The learned reader at run time: load plain arrays safely, predict, combine with the rules.

A model is two files written by `packet-eval train`: `reader.npz` (numpy arrays only, loaded
with allow_pickle=False, so loading cannot run code) and `reader.json` (vocabulary, labels,
combination settings, provenance and the npz's SHA-256). scikit-learn is not needed here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from packet_eval.criteria import Rubric
from packet_eval.detecting import ClaimEvidence
from packet_eval.errors import ModelError
from packet_eval.featurizing import describe, featurize
from packet_eval.scoring import Blend, Blends, ClaimScore
from packet_eval.segmenting import ClaimSpan

MODEL_FORMAT = 2
ARRAYS = {"level_coef", "level_intercept", "crit_coef", "crit_intercept"}
RETRAIN = "rebuild it with `packet-eval train`"
MAX_REASONS = 3


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Model:
    """A loaded learned reader: vocabulary, weights, labels and how to combine with rules."""

    name: str
    digest: str
    meta: dict[str, Any]
    vocab: dict[str, int]
    levels: np.ndarray
    level_coef: np.ndarray
    level_intercept: np.ndarray
    crit_ids: list[str]
    crit_coef: np.ndarray
    crit_intercept: np.ndarray
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_arrays(
        cls,
        arrays: dict[str, np.ndarray],
        meta: dict[str, Any],
        name: str,
        warnings: list[str] | None = None,
    ) -> Model:
        """A reader from its weight arrays and metadata (vocabulary, levels, criteria, combine):
        a loaded model file, or a fit still in memory during training."""
        return cls(
            name=name,
            digest=str(meta.get("weights_sha256", ""))[:16],
            meta=meta,
            vocab={f: i for i, f in enumerate(meta["vocabulary"])},
            levels=np.array(meta["levels"], dtype=float),
            level_coef=arrays["level_coef"],
            level_intercept=arrays["level_intercept"],
            crit_ids=list(meta["criteria"]),
            crit_coef=arrays["crit_coef"],
            crit_intercept=arrays["crit_intercept"],
            warnings=warnings or [],
        )

    @property
    def learned_weight(self) -> float:
        return float(self.meta["combine"]["learned_weight"])

    @property
    def threshold(self) -> float:
        return float(self.meta["combine"]["criterion_threshold"])

    def _rows(self, features: list[list[str]]) -> list[np.ndarray]:
        return [
            np.array(sorted({self.vocab[f] for f in fs if f in self.vocab}), dtype=np.int64)
            for fs in features
        ]

    def predict(self, features: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Return each claim's learned level (1..5, continuous) and criterion probabilities."""
        levels = np.zeros(len(features))
        crits = np.zeros((len(features), len(self.crit_ids)))
        for i, idx in enumerate(self._rows(features)):
            scale = 1.0 / np.sqrt(len(idx)) if len(idx) else 0.0
            levels[i] = self.level_coef[0, idx].sum() * scale + self.level_intercept[0]
            c = self.crit_coef[:, idx].sum(axis=1) * scale + self.crit_intercept
            crits[i] = 1.0 / (1.0 + np.exp(-c))
        return np.clip(levels, 1.0, 5.0), crits

    def reasons(self, features: list[str], crit: int | None = None) -> tuple[str, ...]:
        """Return the features that pushed a claim's level (or a criterion) up the most."""
        idx = [self.vocab[f] for f in features if f in self.vocab]
        if not idx:
            return ()
        weights = self.level_coef[0, idx] if crit is None else self.crit_coef[crit, idx]
        names = self.meta["vocabulary"]
        order = sorted(range(len(idx)), key=lambda k: (-weights[k], names[idx[k]]))
        cues = self.meta.get("cues", {})
        said = [describe(names[idx[k]], cues) for k in order if weights[k] > 0]
        return tuple(dict.fromkeys(s for s in said if s))[:MAX_REASONS]

    @property
    def blends(self) -> Blends:
        """How a text's level mixes the committee reading with the learned one, by size."""
        packet, short = (self.meta["combine"].get(k) for k in ("packet", "short"))
        return Blends(
            packet=Blend(**packet) if packet else None, short=Blend(**short) if short else None
        )

    def combine(
        self,
        spans: list[ClaimSpan],
        found: list[ClaimEvidence],
        scores: list[ClaimScore],
        rubric: Rubric,
    ) -> list[ClaimScore]:
        """Give each claim a learned level and credit criteria the rules missed."""
        if not spans:
            return scores
        features = [featurize(cs.span, ce) for cs, ce in zip(spans, found, strict=True)]
        expected, crit_p = self.predict(features)
        return credit(
            scores,
            expected,
            crit_p,
            self.crit_ids,
            threshold=self.threshold,
            weight=self.learned_weight,
            reasons=lambda i, j: self.reasons(features[i], j),
        )


def credit(
    scores: list[ClaimScore],
    expected: np.ndarray,
    crit_p: np.ndarray,
    crit_ids: list[str],
    *,
    threshold: float,
    weight: float,
    reasons: Callable[[int, int], tuple[str, ...]] = lambda i, j: (),
) -> list[ClaimScore]:
    """Mix each claim's rule level with its learned level, and credit a criterion the rules
    missed when the learned reader's probability reaches `threshold` (at the learned level,
    under any anti-signal cap). Used at run time and, on held-out folds, in training."""
    out = []
    for i, score in enumerate(scores):
        learned = float(expected[i])
        readings = dict(score.readings)
        for j, crit_id in enumerate(crit_ids):
            current = readings.get(crit_id)
            if current is None or current.tier is not None or crit_p[i, j] < threshold:
                continue
            tier = int(np.clip(round(learned), 1, 5))
            readings[crit_id] = replace(
                current,
                tier=tier if current.cap is None else min(tier, current.cap),
                learned=round(float(crit_p[i, j]), 3),
                reasons=reasons(i, j),
            )
        rule = score.level
        mixed = learned if rule is None else weight * learned + (1 - weight) * rule
        out.append(
            replace(
                score,
                readings=readings,
                level=int(np.clip(round(mixed), 1, 5)),
                learned=round(learned, 2),
            )
        )
    return out


def save_model(
    out_dir: str | Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]
) -> dict[str, Any]:
    """Write weights (plain arrays) and metadata (with the weights' SHA-256) atomically."""
    from packet_eval.writing import write_atomic

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / "reader.npz"
    tmp = out / ".reader.tmp.npz"
    payload: dict[str, Any] = {name: arrays[name] for name in sorted(ARRAYS)}
    np.savez_compressed(tmp, allow_pickle=False, **payload)
    tmp.replace(weights)
    meta = {
        **meta,
        "kind": "packet-eval-reader",
        "format": MODEL_FORMAT,
        "weights_sha256": sha256_of(weights),
    }
    write_atomic(out / "reader.json", json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return meta


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no model metadata here", hint=RETRAIN) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(
            f"{path}: unreadable model metadata ({exc.__class__.__name__})", hint=RETRAIN
        ) from exc
    if not isinstance(meta, dict) or meta.get("kind") != "packet-eval-reader":
        raise ModelError(f"{path}: not a packet-eval model", hint=RETRAIN)
    return meta


def _read_arrays(path: Path, expected_sha: str) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ModelError(f"{path}: model weights missing", hint=RETRAIN)
    if sha256_of(path) != expected_sha:
        raise ModelError(
            f"{path}: weights do not match their recorded digest (tampered or foreign)",
            hint=RETRAIN,
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (ValueError, OSError) as exc:
        raise ModelError(
            f"{path}: not a plain-array model file ({exc.__class__.__name__})", hint=RETRAIN
        ) from exc
    if set(arrays) != ARRAYS or any(a.dtype.kind != "f" for a in arrays.values()):
        raise ModelError(f"{path}: unexpected arrays {sorted(arrays)}", hint=RETRAIN)
    return arrays


def _check_shapes(meta: dict[str, Any], arrays: dict[str, np.ndarray], where: Path) -> None:
    n_feat, n_crit = len(meta["vocabulary"]), len(meta["criteria"])
    shapes = {
        "level_coef": (1, n_feat),
        "level_intercept": (1,),
        "crit_coef": (n_crit, n_feat),
        "crit_intercept": (n_crit,),
    }
    for name, shape in shapes.items():
        if arrays[name].shape != shape:
            raise ModelError(
                f"{where}: {name} has shape {arrays[name].shape}, expected {shape}", hint=RETRAIN
            )


def load_model(directory: str | Path, rubric: Rubric, *, strict: bool = False) -> Model:
    """Load a model directory, refusing anything foreign or tampered with; warn on drift."""
    root = Path(directory)
    meta = _read_meta(root / "reader.json")
    if meta.get("format") != MODEL_FORMAT:
        raise ModelError(
            f"{root}: model format {meta.get('format')!r}, this packet-eval reads {MODEL_FORMAT}",
            hint=RETRAIN,
        )
    arrays = _read_arrays(root / "reader.npz", str(meta.get("weights_sha256")))
    _check_shapes(meta, arrays, root)
    warnings = []
    if meta.get("criteria_digest") != rubric.digest:
        message = (
            f"model in {root} was trained with criteria {meta.get('criteria_digest')}, "
            f"these are {rubric.digest}"
        )
        if strict:
            raise ModelError(message, hint=RETRAIN)
        warnings.append(f"{message}; {RETRAIN}")
    return Model.from_arrays(arrays, meta, name=str(root.name), warnings=warnings)
