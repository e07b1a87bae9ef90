from __future__ import annotations

from pathlib import Path

import pytest

from packet_eval.errors import InputError
from packet_eval.reading import read_path, split_front_matter


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty input"),
        (b"   \n\t\n", "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"caf\xe9 au lait", "not valid UTF-8"),
    ],
)
def test_reading_refuses_bad_bytes_with_reason(write, content: bytes, reason: str) -> None:
    path = write("bad.md", content)
    with pytest.raises(InputError) as err:
        read_path(path)
    assert reason in str(err.value)
    assert str(path) in str(err.value)


def test_reading_refuses_oversized_input(write) -> None:
    path = write("big.md", "I led the migration. " * 100)
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        read_path(path, max_bytes=1000)


def test_reading_refuses_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "nope.md")
    with pytest.raises(InputError, match="is a directory"):
        read_path(tmp_path)


def test_reading_never_modifies_the_input(write) -> None:
    path = write("p.md", "- Led the migration.\r\n")
    before = path.read_bytes()
    packet = read_path(path)
    assert packet.text == "- Led the migration.\n"
    assert path.read_bytes() == before


def test_reading_docx_keeps_headings_and_bullets(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Impact", level=1)
    document.add_paragraph("Led the scheduler migration for three teams.", style="List Bullet")
    path = tmp_path / "packet.docx"
    document.save(str(path))
    text = read_path(path).text
    assert "# Impact" in text
    assert "- Led the scheduler migration for three teams." in text


def test_reading_rejects_corrupt_docx(write) -> None:
    with pytest.raises(InputError, match=r"not a readable \.docx"):
        read_path(write("broken.docx", b"PK\x03\x04 not really a zip"))


def test_reading_front_matter_gives_metadata_and_body_start() -> None:
    meta, start = split_front_matter("---\nlevel: 3\nrole: sre\n---\nBody here.\n")
    assert meta == {"level": 3, "role": "sre"}
    assert start == len("---\nlevel: 3\nrole: sre\n---\n")
