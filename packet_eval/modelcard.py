"""Write the model card: what the reader was trained on and how well it agrees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packet_eval.writing import write_atomic


def _table(mapping: dict[str, Any]) -> str:
    head = "| " + " | ".join(mapping) + " |"
    rule = "|" + "---|" * len(mapping)
    row = "| " + " | ".join(str(v) for v in mapping.values()) + " |"
    return "\n".join([head, rule, row])


def _docs(packet: dict[str, Any]) -> str:
    return " and ".join(f"{n} `{kind}` documents" for kind, n in packet["documents"].items())


def _short_blend(short: dict[str, Any] | None) -> list[str]:
    """The blend of texts of two or three claims, where one claim may set the committee's level."""
    if not short or not short.get("blend"):
        return []
    return [
        "A text of two or three claims has a blend of its own, chosen the same way on "
        f"{_docs(short)} (2-3 held-out claims of one level and register): the committee reading "
        "of so short a text follows its best claim.",
        "",
        _table(short["blend"]),
        "",
        f"QWK: committee alone {_kinds(short['committee_qwk'])}; mixed {_kinds(short['qwk'])}.",
        "",
    ]


def _kinds(scores: dict[str, Any]) -> str:
    return ", ".join(f"{kind} {value}" for kind, value in scores.items())


def write_card(meta: dict[str, Any], out: str | Path) -> None:
    """Write MODEL_CARD.md beside the model from its metadata (no timestamp: reproducible)."""
    cv = meta["cross_validation"]
    corpus = meta["corpus"]
    lines = [
        "# Model card: packet-eval learned reader",
        "",
        "A ridge regression over claim features (lemmas, lemma bigrams, level-cue classes from",
        "`criteria/cues.yaml`, rule hits, agency, length) reads each claim's level on a continuous",
        "1..5 scale; one logistic regression per",
        "criterion reads whether a claim shows it. Weights are plain arrays (`reader.npz`,",
        "loaded without pickle);",
        "`reader.json` holds the vocabulary, provenance and the weights' SHA-256.",
        "",
        "Written by `packet-eval train`; do not edit by hand.",
        "",
        "## Training data",
        "",
        f"The project's own corpus (`corpus/`, see its DATACARD): {corpus['claims']} claims, "
        f"{corpus['bytes']:,} bytes, sha256 `{corpus['sha256'][:16]}…`. Criteria digest "
        f"`{meta['criteria_digest']}`. No record of `../shared/data/` is ever used for training.",
        "",
        _table(corpus["by_level"]),
        "",
        _table(corpus["by_role"]),
        "",
        _table(corpus["by_register"]),
        "",
        f"## Cross-validated on the corpus ({cv['folds']}-fold, stratified, seed {meta['seed']})",
        "",
        f"- QWK: combined {cv['combined_qwk']}, learned alone {cv['learned_qwk']}, "
        f"rules alone {cv['rule_only_qwk']}",
        f"- exact {cv['exact']}, adjacent {cv['adjacent']}",
        f"- combination: learned weight {cv['learned_weight']}, criterion threshold "
        f"{cv['criterion_threshold']} (chosen on held-out folds)",
        f"- stretch: ridge readings are pulled toward the middle; they are stretched by "
        f"{cv['stretch']['factor']} around the corpus mean {cv['stretch']['center']} "
        "(the factor that agrees best on held-out folds, folded into the weights)",
        "",
        "## Reading a whole packet",
        "",
        "A packet of 4+ claims is read twice: by the committee rules (enough claims and criteria",
        "must sustain a level) and by the learned reader, as a quantile of its claims' learned",
        "levels mapped by a line. The packet's level mixes the two. The quantile, line and weight",
        f"were chosen on {_docs(cv['packet'])} (`ladder`: 4-8 held-out claims of one level and",
        "register; `packet`: 10-30 held-out claims of one role, a fifth to two fifths at the",
        "packet's level and the rest below it; `examples`: the bundled example packets, which",
        "state their level and are never trained on):",
        "",
        _table(cv["packet"]["blend"]),
        "",
        f"QWK on those documents: committee alone {_kinds(cv['packet']['committee_qwk'])}; "
        f"mixed {_kinds(cv['packet']['qwk'])}.",
        "",
        *_short_blend(cv.get("short")),
        "Per-level F1:",
        "",
        _table(cv["level_f1"]),
        "",
        "Per-criterion F1:",
        "",
        _table(cv["criterion_f1"]),
        "",
        "## Versions",
        "",
        _table(meta["versions"]),
        "",
        "## Measured on text nobody on this project wrote",
        "",
        "See `models/EVALUATION.md`, written by `python benchmarks/ladders.py`.",
        "",
    ]
    write_atomic(Path(out) / "MODEL_CARD.md", "\n".join(lines))
