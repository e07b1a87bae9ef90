"""What `rewrite` knows about each bullet: the records its renderers format (JSON contract)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

REWRITE_SCHEMA_VERSION = 1


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Record):
    """A diagnosis tag on a bullet, with the words that triggered it."""

    tag: str
    label: str
    span: str | None = Field(description="the words that triggered the tag; null for an absence")
    start: int | None = None
    end: int | None = None
    why: str
    signal: str | None = Field(None, description="the criteria signal behind the tag, if any")


class Strength(_Record):
    """A signal that makes a bullet read as high as it does."""

    code: str
    signal: str
    tier: int = Field(ge=1, le=5)
    match: str
    message: str


class Rewrite(_Record):
    """A stronger version of a bullet, aimed at one criterion, with slots for the writer."""

    text: str
    level: int = Field(ge=1, le=5, description="the level it reads at once its slots are filled")
    level_name: str
    criterion: str
    code: str
    needs: list[str] = Field(description="the slots to fill, as shown in the text")


class Question(_Record):
    """A question whose answer fills one slot."""

    slot: str
    label: str
    ask: str


class Final(_Record):
    """The bullet composed from the writer's answers (--interactive)."""

    text: str
    level: int = Field(ge=1, le=5)
    level_name: str
    answers: dict[str, str]
    remaining: list[Finding] = Field(description="what the final bullet is still diagnosed with")
    complete: bool = Field(description="false when the session was interrupted")


class BulletReview(_Record):
    """One bullet: its level, what holds it back, and stronger versions (or why to keep it)."""

    index: int
    line: int
    text: str
    claim: bool = Field(description="false for a title, heading or fragment; see message")
    message: str | None = None
    level: int | None = Field(None, ge=1, le=5)
    level_name: str | None = None
    keep: bool = False
    strengths: list[Strength] = []
    diagnosis: list[Finding] = []
    rewrites: list[Rewrite] = []
    questions: list[Question] = []
    final: Final | None = None


class RewriteProvenance(_Record):
    criteria_digest: str
    rewrites_file: str
    model: str | None = None
    model_digest: str | None = None


class RewriteReport(_Record):
    """Every bullet of one input, in input order."""

    bullets: list[BulletReview]
    schema_version: int = REWRITE_SCHEMA_VERSION
    source: str
    provenance: RewriteProvenance
