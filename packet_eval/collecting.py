"""Collect the packets a batch scores: folders (recursively), globs, files, and JSONL files
read one record at a time, each becoming a small item (a path or a text) with an id."""

from __future__ import annotations

import glob
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from packet_eval.errors import UsageError

PACKET_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".docx"})
JSONL_SUFFIX = ".jsonl"
_GLOB_MAGIC = re.compile(r"[*?[]")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Fields(_Frozen):
    """The JSONL fields that hold a record's text, id and expected level."""

    text: str = "text"
    id: str = "id"
    level: str = "level"


class Source(_Frozen):
    """One input after expanding the command line: a packet file, a JSONL file, or a miss."""

    kind: Literal["file", "jsonl", "missing"]
    path: str
    id: str


class Item(_Frozen):
    """One packet to score, small enough to send to a worker: a path, a text, or a problem."""

    id: str
    source: str
    path: str | None = None
    text: str | None = None
    expected: int | None = None
    problem: str | None = None


def expand(args: Sequence[str]) -> tuple[list[Source], list[str]]:
    """Expand folders (recursively), globs and files into sources, each file once; and warnings."""
    sources: list[Source] = []
    warnings: list[str] = []
    for arg in args:
        found = _expand_one(arg)
        if not found:
            kinds = ", ".join(sorted(PACKET_SUFFIXES))
            warnings.append(f"{arg}: no packet files ({kinds}) found")
        sources += found
    unique = _unique(sources)
    return unique, warnings + _shared_ids(unique)


def _expand_one(arg: str) -> list[Source]:
    path = Path(arg)
    if path.is_dir():
        return _walk(path, path)
    if path.exists() or not _GLOB_MAGIC.search(arg):
        return [_file_source(path, path.parent) if path.exists() else _missing(arg)]
    base = _glob_base(path)
    found: list[Source] = []
    for match in sorted(glob.glob(arg, recursive=True)):
        hit = Path(match)
        if hit.is_dir():
            found += _walk(hit, base)
        elif hit.suffix.lower() in PACKET_SUFFIXES | {JSONL_SUFFIX}:
            found.append(_file_source(hit, base))
    return found


def _walk(root: Path, base: Path) -> list[Source]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(folder) / name for name in files if _is_packet_name(name)]
    return [_file_source(path, base) for path in sorted(found, key=lambda p: p.parts)]


def _is_packet_name(name: str) -> bool:
    # dot files and Word's "~$name.docx" lock files are never packets
    hidden = name.startswith((".", "~$"))
    return not hidden and Path(name).suffix.lower() in PACKET_SUFFIXES


def _file_source(path: Path, base: Path) -> Source:
    kind: Literal["file", "jsonl"] = "jsonl" if path.suffix.lower() == JSONL_SUFFIX else "file"
    try:
        relative = path.relative_to(base)
    except ValueError:
        relative = Path(path.name)
    return Source(kind=kind, path=str(path), id=relative.with_suffix("").as_posix())


def _missing(arg: str) -> Source:
    return Source(kind="missing", path=arg, id=arg)


def _glob_base(pattern: Path) -> Path:
    parts = pattern.parts
    fixed = next(i for i, part in enumerate(parts) if _GLOB_MAGIC.search(part))
    return Path(*parts[:fixed]) if fixed else Path()


def _unique(sources: list[Source]) -> list[Source]:
    seen: set[str] = set()
    unique = []
    for src in sources:
        key = src.path if src.kind == "missing" else os.path.realpath(src.path)
        if key not in seen:
            seen.add(key)
            unique.append(src)
    return unique


def _shared_ids(sources: list[Source]) -> list[str]:
    counts = Counter(s.id for s in sources if s.kind == "file")
    return [
        f"{n} inputs share the id {packet_id!r}; use distinct file names"
        for packet_id, n in sorted(counts.items())
        if n > 1
    ]


def count_items(sources: Iterable[Source]) -> int:
    """Count the items the sources hold (one per file, one per non-blank JSONL line)."""
    return sum(_count_records(Path(s.path)) if s.kind == "jsonl" else 1 for s in sources)


def _count_records(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip()) or 1  # an empty file is one failure
    except OSError:
        return 1


def iter_items(sources: Iterable[Source], fields: Fields) -> Iterator[Item]:
    """Yield the items to score, reading JSONL files lazily, one record at a time."""
    for src in sources:
        if src.kind == "jsonl":
            yield from _jsonl_items(Path(src.path), fields)
        elif src.kind == "missing":
            yield Item(id=src.id, source=src.path, problem="no such file or folder")
        else:
            yield Item(id=src.id, source=str(Path(src.path)), path=src.path)


def _jsonl_items(path: Path, fields: Fields) -> Iterator[Item]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        yield Item(id=path.stem, source=str(path), problem=f"cannot read ({reason})")
        return
    with fh:
        records = 0
        for number, line in enumerate(fh, start=1):
            if line.strip():
                records += 1
                yield _record_item(path, number, line, fields)
    if not records:
        yield Item(id=path.stem, source=str(path), problem="no records")


def _record_item(path: Path, number: int, line: bytes, fields: Fields) -> Item:
    source, fallback = f"{path}:{number}", f"{path.stem}-{number}"
    try:
        row = json.loads(line)
    except UnicodeDecodeError:
        return Item(id=fallback, source=source, problem="not valid UTF-8")
    except ValueError as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return Item(id=fallback, source=source, problem=f"not valid JSON ({reason})")
    if not isinstance(row, dict):
        return Item(id=fallback, source=source, problem="not a JSON object")
    raw_id = row.get(fields.id)
    packet_id = str(raw_id) if raw_id not in (None, "") else fallback
    text = row.get(fields.text)
    if not isinstance(text, str):
        return Item(id=packet_id, source=source, problem=f"no string field {fields.text!r}")
    return Item(id=packet_id, source=source, text=text, expected=_level(row.get(fields.level)))


def _level(value: object) -> int | None:
    from packet_eval.criteria import parse_level

    if value is None or isinstance(value, bool | float | dict | list):
        return None
    try:
        return parse_level(str(value))
    except UsageError:
        return None
