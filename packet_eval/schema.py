"""The report: the one data structure every renderer formats and the JSON contract others use."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EvidenceItem(_Record):
    """A claim that moved a criterion, with the words (or the model features) that did it."""

    text: str = Field(description="the claim, as cleaned of Markdown")
    line: int
    col: int
    signal: str = Field(description="signal id, or 'model' for the learned reader")
    polarity: Literal["signal", "anti"]
    tier: int = Field(ge=1, le=5)
    match: str = Field(description="the matched words, or the model's strongest features")
    message: str
    source: Literal["rule", "model"] = "rule"


class ClosestClaim(_Record):
    """A claim nearest the target on a criterion, and why it falls short."""

    text: str
    line: int
    reads: int | None
    short_of: list[str]


class CriterionReport(_Record):
    id: str
    code: str
    name: str
    core: bool
    level: int = Field(ge=1, le=5)
    level_name: str
    confidence: float = Field(ge=0, le=1)
    reason: str
    evidence: list[EvidenceItem]
    gap: str | None = None
    closest: list[ClosestClaim] = []
    questions: list[str] = []


class ClaimReport(_Record):
    index: int
    text: str
    line: int
    col: int
    section: str
    kind: str
    agency: str
    level: int | None
    learned_level: float | None = None
    criteria: dict[str, int] = Field(description="criterion code -> tier the claim reads at")


class Provenance(_Record):
    criteria_dir: str
    criteria_digest: str
    model: str | None = None
    model_digest: str | None = None
    packet_eval: str


class Report(_Record):
    """Everything `score` knows about one packet."""

    schema_version: int = SCHEMA_VERSION
    id: str
    source: str
    level: int = Field(ge=1, le=5)
    level_name: str
    confidence: float = Field(ge=0, le=1)
    reason: str
    target: int = Field(ge=1, le=5)
    target_name: str
    expected_level: int | None = None
    criteria: list[CriterionReport]
    gap_notes: list[str]
    claims: list[ClaimReport]
    provenance: Provenance


def report_json_schema() -> str:
    """Return the JSON Schema of the report, as published by `packet-eval schema`."""
    schema = Report.model_json_schema()
    schema["$id"] = f"packet-eval/report/v{SCHEMA_VERSION}"
    schema["description"] = "A packet-eval report (JSON Schema draft 2020-12)."
    return json.dumps(schema, indent=2, sort_keys=True)
