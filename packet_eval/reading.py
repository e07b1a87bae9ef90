"""Read a packet from a file, stdin or a .docx into text with a line index; refuse bad input."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from packet_eval.errors import InputError

DEFAULT_MAX_BYTES = 2_000_000
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text", ""})
DOCX_SUFFIX = ".docx"


class Packet(BaseModel):
    """A packet's text, where it came from, and its front matter."""

    model_config = ConfigDict(frozen=True)

    text: str
    source: str
    id: str
    meta: dict[str, Any] = {}


def _decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise InputError(f"{source}: empty input", hint="nothing to score")
    if b"\0" in data[:8192]:
        raise InputError(f"{source}: binary file, not text", hint="give a .md, .txt or .docx file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not valid UTF-8 (byte {exc.start})", hint="save the file as UTF-8"
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{source}: only whitespace", hint="nothing to score")
    return text


def _docx_text(data: bytes, source: str) -> str:
    try:
        import docx  # python-docx; imported here so plain-text reads stay fast
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise InputError(f"{source}: reading .docx needs python-docx") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{source}: not a readable .docx file") from exc
    lines: list[str] = []
    for para in document.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        text = para.text.strip()
        if style.startswith("Heading") and text:
            lines.append("#" * _heading_depth(style) + " " + text)
        elif style.startswith("List") and text:
            lines.append("- " + text)
        else:
            lines.append(text)
        lines.append("")
    text = "\n".join(lines)
    if not text.strip():
        raise InputError(f"{source}: the document has no text")
    return text


def _heading_depth(style: str) -> int:
    digits = "".join(ch for ch in style if ch.isdigit())
    return min(int(digits), 6) if digits else 1


def split_front_matter(text: str) -> tuple[dict[str, Any], int]:
    """Return front matter as a mapping and the offset where the body starts."""
    if not text.startswith("---\n"):
        return {}, 0
    end = text.find("\n---", 4)
    if end < 0:
        return {}, 0
    close = text.find("\n", end + 4)
    body_start = len(text) if close < 0 else close + 1
    try:
        meta = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return {}, body_start
    return (meta if isinstance(meta, dict) else {}), body_start


def packet_from_text(text: str, source: str, packet_id: str | None = None) -> Packet:
    """Make a packet from text already in memory (stdin, a JSONL record, the Python API)."""
    if not text.strip():
        raise InputError(f"{source}: empty input", hint="nothing to score")
    meta, _ = split_front_matter(text)
    return Packet(text=text, source=source, id=packet_id or Path(source).stem, meta=meta)


def read_bytes(
    data: bytes, source: str, *, suffix: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> Packet:
    """Decode a packet's raw bytes, checking size, emptiness and encoding."""
    if len(data) > max_bytes:
        raise InputError(
            f"{source}: {len(data):,} bytes is over the {max_bytes:,}-byte limit",
            hint="raise it with --max-bytes",
        )
    text = _docx_text(data, source) if suffix == DOCX_SUFFIX else _decode(data, source)
    return packet_from_text(text, source, Path(source).stem if source != "-" else "stdin")


def read_path(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Packet:
    """Read one packet from a path, or from stdin when the path is '-'."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        return read_bytes(data, "-", max_bytes=max_bytes)
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory", hint="use 'packet-eval batch' for folders")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{p}: {size:,} bytes is over the {max_bytes:,}-byte limit",
                hint="raise it with --max-bytes",
            )
        data = p.read_bytes()
    except PermissionError as exc:
        raise InputError(f"{p}: permission denied") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc.__class__.__name__})") from exc
    return read_bytes(data, str(p), suffix=p.suffix.lower(), max_bytes=max_bytes)
