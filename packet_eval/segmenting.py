"""Split a packet into claims: headings become sections, bullets and sentences become claims.

Markdown markup (front matter, code blocks, tables, links, emphasis) is removed from the text
the pipeline sees, while a map from every kept character back to the original text keeps each
claim's line and column exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, cast

from pydantic import BaseModel, ConfigDict

from packet_eval.reading import Packet, split_front_matter

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.lexeme import Lexeme
    from spacy.lookups import Table
    from spacy.strings import StringStore
    from spacy.tokens import Doc, Span
    from thinc.types import Ints2d

ClaimKind = Literal["bullet", "sentence", "table-row"]

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_EMPHASIS_LINE = re.compile(r"^\s*(\*\*|__)(.+?)(\*\*|__)\s*:?\s*$")
_BULLET = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^\s*>\s?")
# A bold field label, "**Outcome:**" or "**Outcome**:". A labelled field is a claim of its own,
# read without its label: "**Proposed:** Staff (L4)" is packet metadata, not a proposal.
_FIELD = re.compile(r"(\*\*|__)([^*_\n]{1,60}?):\1[ \t]*|(\*\*|__)([^*_\n]{1,60}?)\3:[ \t]*")
_INLINE = re.compile(
    r"!\[[^\]]*\]\([^)]*\)"  # image: dropped
    r"|\[([^\]]+)\]\([^)]*\)"  # link: keep its text
    r"|<(?:https?://|mailto:)[^>]*>"  # autolink: dropped
    r"|</?[A-Za-z][^>]*>"  # inline HTML tag: dropped
    r"|\*\*|__|`"  # strong emphasis, code ticks
    r"|(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])"  # single emphasis at a word edge
)
_MIN_ALPHA_TOKENS = 2


class Claim(BaseModel):
    """One claim of a packet: its cleaned text and where it starts in the original."""

    model_config = ConfigDict(frozen=True)

    index: int
    text: str
    line: int
    col: int
    section: str = ""
    kind: ClaimKind = "sentence"


@dataclass
class Block:
    """A run of packet text that segments into claims, with a map back to the original."""

    kind: ClaimKind
    section: str
    chars: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chars)


@dataclass
class ClaimSpan:
    """A claim with the spaCy span it came from (stays inside the pipeline stages)."""

    claim: Claim
    span: Span


def clean_inline(line: str, start: int, block: Block) -> None:
    """Append a line to a block without Markdown inline markup, mapping every kept char."""
    pos = 0
    for match in _INLINE.finditer(line):
        _append(block, line[pos : match.start()], start + pos)
        if match.group(1) is not None:
            _append(block, match.group(1), start + match.start(1))
        pos = match.end()
    _append(block, line[pos:], start + pos)


def _append(block: Block, text: str, start: int) -> None:
    block.chars.extend(text)
    block.offsets.extend(range(start, start + len(text)))


def _join(block: Block, offset: int) -> None:
    if block.chars and not block.chars[-1].isspace():
        block.chars.append(" ")
        block.offsets.append(offset)


def _heading_text(text: str) -> str:
    scratch = Block(kind="sentence", section="")
    clean_inline(text, 0, scratch)
    return scratch.text.strip()


def _table_cells(line: str, start: int, section: str) -> Block:
    block = Block(kind="table-row", section=section)
    body_start = line.index("|") + 1
    body_end = line.rindex("|")
    pos = body_start
    for cell in line[body_start:body_end].split("|"):
        stripped = cell.strip()
        if stripped:
            if block.chars:
                _append(block, "; ", start + pos - 1)
            clean_inline(stripped, start + pos + cell.index(stripped), block)
        pos += len(cell) + 1
    if block.chars and block.chars[-1] not in ".!?":
        _append(block, ".", start + body_end)
    return block


class _Blocker:
    """Walk a packet line by line and collect its blocks."""

    def __init__(self, text: str, body_start: int) -> None:
        self.text = text
        self.body_start = body_start
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.section = ""
        self.fence: str | None = None

    def flush(self) -> None:
        if self.current is not None and self.current.text.strip():
            self.blocks.append(self.current)
        self.current = None

    def run(self) -> list[Block]:
        lines = self.text.split("\n")
        offset = 0
        for i, line in enumerate(lines):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if offset >= self.body_start:
                self.feed(line, offset, nxt)
            offset += len(line) + 1
        self.flush()
        return self.blocks

    def feed(self, line: str, start: int, nxt: str) -> None:
        fence = _FENCE.match(line)
        if self.fence is not None:
            if fence and fence.group(1)[0] == self.fence:
                self.fence = None
            return
        if fence:
            self.flush()
            self.fence = fence.group(1)[0]
            return
        if not line.strip() or _RULE.match(line):
            self.flush()
            return
        self.feed_markup(line, start, nxt)

    def feed_markup(self, line: str, start: int, nxt: str) -> None:
        heading = _HEADING.match(line) or _EMPHASIS_LINE.match(line)
        if heading:
            self.flush()
            self.section = _heading_text(heading.group(2))
            return
        if _TABLE_ROW.match(line):
            self.flush()
            if not _TABLE_SEP.match(line) and not _TABLE_SEP.match(nxt):
                self.blocks.append(_table_cells(line, start, self.section))
            return
        quote = _QUOTE.match(line)
        if quote:
            line, start = line[quote.end() :], start + quote.end()
        bullet = _BULLET.match(line)
        if bullet:
            self.flush()
            self.current = Block(kind="bullet", section=self.section)
            body, at = bullet.group(3), start + bullet.start(3)
            label = _FIELD.match(body)
            if label:
                body, at = body[label.end() :], at + label.end()
            clean_inline(body, at, self.current)
            return
        stripped = line.lstrip()
        at = start + len(line) - len(stripped)
        for n, (piece, piece_at) in enumerate(_fields(stripped, at)):
            if n > 0:  # a labelled field starts a claim of its own
                self.flush()
            if not piece.strip():
                continue
            if self.current is None:
                self.current = Block(kind="sentence", section=self.section)
            else:  # only the text before any label continues a paragraph
                _join(self.current, start - 1)
            clean_inline(piece, piece_at, self.current)


def _fields(line: str, start: int) -> list[tuple[str, int]]:
    """Split a line at bold field labels, dropping the labels: [(text, offset), ...]. The
    first piece is the text before any label (offset `start`); each later piece is a field."""
    pieces, pos = [], 0
    for label in _FIELD.finditer(line):
        pieces.append((line[pos : label.start()], start + pos))
        pos = label.end()
    pieces.append((line[pos:], start + pos))
    return pieces


def blocks_of(packet: Packet) -> list[Block]:
    """Return the packet's blocks of prose, bullets and table rows, markup removed."""
    _, body_start = split_front_matter(packet.text)
    return _Blocker(packet.text, body_start).run()


LEMMA_MEMO_LIMIT = 500_000  # words whose lemma is remembered before the memo starts afresh


def _lookup_lemmas(table: Table) -> Callable[[Doc], Doc]:
    """Return a component that sets each token's lemma from the lookup table, reading
    capitalised words ("Led") by their lowercase form. A word's lemma depends only on the
    word, so it is looked up once and remembered."""
    import numpy
    from spacy.attrs import LEMMA, ORTH

    memo: dict[int, int] = {}

    def lookup_lemmas(doc: Doc) -> Doc:
        if len(memo) > LEMMA_MEMO_LIMIT:
            memo.clear()
        lemmas = []
        for orth in doc.to_array(ORTH).tolist():
            lemma = memo.get(orth)
            if lemma is None:
                lemma = memo[orth] = _lemma_of(doc.vocab[orth], table, doc.vocab.strings)
            lemmas.append(lemma)
        values = numpy.asarray(lemmas, dtype="uint64").reshape(-1, 1)
        doc.from_array([LEMMA], cast("Ints2d", values))
        return doc

    return lookup_lemmas


def _lemma_of(lex: Lexeme, table: Table, strings: StringStore) -> int:
    word = lex.lower_ if lex.is_title or lex.is_upper else lex.orth_
    return int(strings.add(table.get(word, word)))


@lru_cache(maxsize=1)
def make_nlp() -> Language:
    """Build spaCy's blank English pipeline with a sentencizer and lookup lemmas (no download)."""
    import spacy
    from spacy.language import Language
    from spacy.lookups import load_lookups

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    if "packet_eval_lookup_lemmas" not in Language.factories:
        Language.component("packet_eval_lookup_lemmas", func=_lookup_lemmas(table))
    nlp.add_pipe("packet_eval_lookup_lemmas")
    return nlp


class LineIndex:
    """Turn character offsets of a text into 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]

    def line_col(self, offset: int) -> tuple[int, int]:
        from bisect import bisect_right

        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _sentences(block: Block, doc_sents: Iterator[Span]) -> Iterator[Span]:
    for sent in doc_sents:
        if sum(1 for tok in sent if tok.is_alpha) >= _MIN_ALPHA_TOKENS:
            yield sent


def segment(packet: Packet, nlp: Language | None = None) -> list[ClaimSpan]:
    """Split a packet into claims, each with its spaCy span and original line and column."""
    nlp = nlp or make_nlp()
    blocks = blocks_of(packet)
    index = LineIndex(packet.text)
    claims: list[ClaimSpan] = []
    for block, doc in zip(blocks, nlp.pipe(b.text for b in blocks), strict=True):
        for sent in _sentences(block, iter(doc.sents)):
            first = sent[0].idx
            line, col = index.line_col(block.offsets[first])
            claim = Claim(
                index=len(claims),
                text=sent.text.strip(),
                line=line,
                col=col,
                section=block.section,
                kind=block.kind,
            )
            claims.append(ClaimSpan(claim=claim, span=sent))
    return claims
