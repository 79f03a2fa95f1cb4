"""Word documents: the paragraph text, read like a plain-text transcript (Teams headers included)."""

from __future__ import annotations

import io
import zipfile

from qualcode.errors import TranscriptError, problem


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def docx_lines(data: bytes, path: str) -> list[str]:
    """Each Word paragraph becomes a paragraph (lines separated by a blank line)."""
    import docx  # python-docx; imported here, it loads lxml

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for broken files
        raise TranscriptError(problem(path, None, f"cannot read Word document: {exc}")) from None
    lines: list[str] = []
    for paragraph in document.paragraphs:
        for line in paragraph.text.replace("\r", "\n").split("\n"):
            lines.append(line.replace("\u000b", " "))
        lines.append("")
    return lines
