"""The learned reader: reproducible training, a trust check on load, and its combination."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from packet_eval.api import evaluate
from packet_eval.classifying import load_model, save_model
from packet_eval.errors import ModelError

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "claims"


def _tiny_model(out: Path, rubric, feature: str, crit_id: str) -> Path:
    """A hand-made model in which one word reads L5 and shows one criterion."""
    vocab = sorted({feature, "w:the", "agency:unstated"})
    levels = np.zeros((1, len(vocab)))
    levels[0, vocab.index(feature)] = 8.0
    crits = np.zeros((len(rubric.active), len(vocab)))
    j = [c.id for c in rubric.active].index(crit_id)
    crits[j, vocab.index(feature)] = 12.0
    arrays = {
        "level_coef": levels,
        "level_intercept": np.ones(1),
        "crit_coef": crits,
        "crit_intercept": np.full(len(rubric.active), -3.0),
    }
    meta = {
        "criteria_digest": rubric.digest,
        "levels": [1, 2, 3, 4, 5],
        "criteria": [c.id for c in rubric.active],
        "vocabulary": vocab,
        "combine": {"learned_weight": 1.0, "criterion_threshold": 0.5},
    }
    save_model(out, arrays, meta)
    return out


def test_classifying_credits_a_claim_the_rules_miss_with_its_reason(tmp_path: Path, rubric) -> None:
    model = load_model(
        _tiny_model(tmp_path / "m", rubric, "w:stewardship", "amplification"), rubric
    )
    text = "Stewardship of the interchange format."
    rules = evaluate("c.md", text=text, model=None)
    both = evaluate("c.md", text=text, model=model)
    amp = next(c for c in both.criteria if c.id == "amplification")
    credited = [e for e in amp.evidence if e.source == "model"]
    assert rules.claims[0].criteria.get("AMP") is None
    assert credited and credited[0].match == "stewardship"
    assert both.level > rules.level
    assert both.provenance.model_digest == model.digest


def test_classifying_refuses_tampered_weights(tmp_path: Path, rubric) -> None:
    root = _tiny_model(tmp_path / "m", rubric, "w:x", "amplification")
    data = bytearray((root / "reader.npz").read_bytes())
    data[-20] ^= 0xFF
    (root / "reader.npz").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="tampered or foreign"):
        load_model(root, rubric)


def test_classifying_refuses_object_arrays_even_with_matching_digest(
    tmp_path: Path, rubric
) -> None:
    from packet_eval.classifying import sha256_of

    root = _tiny_model(tmp_path / "m", rubric, "w:x", "amplification")
    np.savez(
        root / "reader.npz",
        level_coef=np.array([object()], dtype=object),
        level_intercept=np.zeros(5),
        crit_coef=np.zeros(1),
        crit_intercept=np.zeros(1),
    )
    meta = json.loads((root / "reader.json").read_text())
    meta["weights_sha256"] = sha256_of(root / "reader.npz")
    (root / "reader.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="not a plain-array model"):
        load_model(root, rubric)


def test_classifying_refuses_foreign_metadata(tmp_path: Path, rubric) -> None:
    root = _tiny_model(tmp_path / "m", rubric, "w:x", "amplification")
    (root / "reader.json").write_text('{"kind": "something-else"}')
    with pytest.raises(ModelError, match="not a packet-eval model"):
        load_model(root, rubric)


def test_classifying_criteria_drift_warns_or_fails_strict(
    tmp_path: Path, rubric, criteria_copy: Path
) -> None:
    from packet_eval.criteria import load_rubric

    root = _tiny_model(tmp_path / "m", rubric, "w:x", "amplification")
    path = criteria_copy / "ownership-over-participation.yaml"
    path.write_text(path.read_text().replace("weight: 1.0", "weight: 0.8", 1))
    other = load_rubric(criteria_copy)
    assert "packet-eval train" in load_model(root, other).warnings[0]
    with pytest.raises(ModelError, match="trained with criteria"):
        load_model(root, other, strict=True)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    for path in sorted(CORPUS.glob("*.jsonl"))[:2]:
        lines = path.read_text().splitlines()[:150]
        (out / path.name).write_text("\n".join(lines) + "\n")
    return out


def test_classifying_training_is_reproducible(small_corpus: Path, tmp_path: Path, rubric) -> None:
    pytest.importorskip("sklearn")
    from packet_eval.training import train
    from tests.conftest import EXAMPLES

    first = train(small_corpus, tmp_path / "a", rubric, EXAMPLES)
    second = train(small_corpus, tmp_path / "b", rubric, EXAMPLES)
    # the example packets (which state their level) take part in choosing the packet blend
    assert first["cross_validation"]["packet"]["documents"]["examples"] == len(
        list(EXAMPLES.glob("*.md"))
    )
    assert first["weights_sha256"] == second["weights_sha256"]
    strip = lambda p: {k: v for k, v in json.loads(p.read_text()).items() if k != "trained_at"}  # noqa: E731
    assert strip(tmp_path / "a" / "reader.json") == strip(tmp_path / "b" / "reader.json")
    text = "- Set the data contract that four downstream teams now build on."
    a = evaluate("x.md", text=text, model=load_model(tmp_path / "a", rubric))
    b = evaluate("x.md", text=text, model=load_model(tmp_path / "b", rubric))
    assert a.model_dump(exclude={"provenance"}) == b.model_dump(exclude={"provenance"})
    assert a.provenance.model_digest == b.provenance.model_digest


def test_classifying_bundled_model_loads_and_matches_criteria(rubric) -> None:
    from packet_eval.resources import default_model_dir

    model = load_model(default_model_dir(), rubric, strict=True)
    assert model.meta["corpus"]["claims"] >= 2500
    # Trained with the level cues it is scored with, and a blend for packets and short texts.
    assert set(model.meta["cues"]) == set(rubric.cues.classes)
    assert any(name.startswith("cue:") for name in model.meta["vocabulary"])
    assert model.blends.packet is not None and model.blends.short is not None


def test_classifying_practice_documents_are_deterministic_and_shaped_like_their_kind() -> None:
    pytest.importorskip("sklearn")
    from packet_eval.training import load_corpus, practice_documents

    claims, _, _ = load_corpus(CORPUS)
    docs = practice_documents(claims)
    assert docs == practice_documents(claims)
    assert len(docs["ladder"]) > 100 and len(docs["packet"]) > 100
    for doc in docs["ladder"]:
        assert 4 <= len(doc) <= 8
        assert len({(claims[i].level, claims[i].style) for i in doc}) == 1
    assert len(docs["short"]) > 100
    for doc in docs["short"]:
        assert 2 <= len(doc) <= 3
        assert len({(claims[i].level, claims[i].style) for i in doc}) == 1
    for doc in docs["packet"]:
        levels = [claims[i].level for i in doc]
        top = max(levels)
        assert 10 <= len(doc) <= 30 and len({claims[i].role for i in doc}) == 1
        assert len(doc) / 5 - 1 <= levels.count(top) <= 2 * len(doc) / 5 + 1 or top == 1
        assert all(claims[i].style != "expectation" for i in doc)


def test_classifying_stretch_is_folded_into_the_level_weights() -> None:
    from packet_eval.training import stretch_levels

    arrays = {"level_coef": np.array([[0.5, -1.0]]), "level_intercept": np.array([2.0])}
    x = np.array([1.0, 1.0])
    before = float(x @ arrays["level_coef"][0] + arrays["level_intercept"][0])
    stretch_levels(arrays, center=3.0, factor=1.5)
    after = float(x @ arrays["level_coef"][0] + arrays["level_intercept"][0])
    assert after == pytest.approx(3.0 + 1.5 * (before - 3.0))


def test_classifying_a_word_the_corpus_never_used_is_read_through_its_cue_class(rubric) -> None:
    from packet_eval import training as t

    def claim(i: int, text: str, level: int) -> t.CorpusClaim:
        return t.CorpusClaim(
            id=f"c{i}", text=text, level=level, role="software", register="bullet",
            signals=[], anti=[], hard=None,
        )  # fmt: skip

    # The corpus says "company-wide" and "organization" at L5 and "ticket" or "bug" at L1;
    # it never says "enterprise" or "chore".
    corpus = [
        claim(i, text, level)
        for i, (text, level) in enumerate(
            [
                ("Set the company-wide approach to releases.", 5),
                ("Changed how the organization plans releases.", 5),
                ("Set the company-wide approach to on-call.", 5),
                ("Changed how the organization plans on-call.", 5),
                ("Closed a ticket about releases.", 1),
                ("Fixed a bug in the release script.", 1),
                ("Closed a ticket about on-call.", 1),
                ("Fixed a bug in the on-call script.", 1),
            ]
        )
    ]
    feats, _ = t.corpus_features(corpus, rubric)
    vocab = t._vocabulary(feats)
    y = np.array([c.level for c in corpus])
    arrays = t._fit(t._matrix(feats, vocab), y, np.zeros((len(corpus), 1), dtype=int))
    unseen = [claim(0, "Enterprise plans.", 3), claim(1, "Chore plans.", 3)]
    assert "w:enterprise" not in vocab and "w:chore" not in vocab
    new, _ = t.corpus_features(unseen, rubric)
    assert "cue:reach-org" in new[0] and "cue:reach-task" in new[1]
    level, _ = t._predict(arrays, t._matrix(new, vocab))
    assert level[0] > level[1] + 0.5
    # Without the classes, the two read alike: the difference is the cue.
    bare = [[f for f in fs if not f.startswith("cue:")] for fs in new]
    plain, _ = t._predict(arrays, t._matrix(bare, vocab))
    assert abs(plain[0] - plain[1]) < 1e-9


def test_classifying_cue_reasons_say_what_the_words_have_in_common() -> None:
    from packet_eval.featurizing import describe

    cues = {"reach-org": "the organisation or company"}
    assert describe("cue:reach-org", cues) == "words for the organisation or company"
    assert describe("cue:horizon-long") == "words for horizon long"
