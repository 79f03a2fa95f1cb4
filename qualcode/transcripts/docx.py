"""Word documents: the paragraph text, read like a plain-text transcript (Teams headers included).

The main document part is read directly with defusedxml's parser (no DTDs or entities), following the
text rules of python-docx's ``Paragraph.text`` exactly (a test compares the two): the body's
paragraphs; in each, the text of its runs and hyperlinks; in a run, ``w:t`` text, ``w:tab`` and
``w:ptab`` as a tab, ``w:br`` (line breaks only) and ``w:cr`` as a newline, ``w:noBreakHyphen`` as
"-". Building python-docx's whole object model cost ~30 ms per interview, ten times this.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError, TranscriptError, problem
from qualcode.transcripts.decode import XmlRefused, parse_xml

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RUN_TEXT = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


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
    lines: list[str] = []
    for text in docx_paragraphs(data, path):
        for line in text.replace("\r", "\n").split("\n"):
            lines.append(line.replace("\u000b", " "))
        lines.append("")
    return lines


def docx_paragraphs(data: bytes, path: str) -> list[str]:
    """The text of each paragraph of the document body, in order."""
    from qualcode.ziplimits import check_zip

    try:
        check_zip(io.BytesIO(data), path)
    except QualcodeError as exc:  # a zip bomb: refused before anything is inflated
        raise TranscriptError(exc.problems) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = parse_xml(archive.read(_main_part(archive)))
    except XmlRefused as exc:
        raise TranscriptError(problem(path, None, f"cannot read Word document: {exc}")) from None
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        EOFError,
        zlib.error,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:  # damaged, encrypted or oddly compressed archives
        raise TranscriptError(problem(path, None, f"cannot read Word document: {exc}")) from None
    body = root.find(f"{W}body")
    if root.tag != f"{W}document" or body is None:
        raise TranscriptError(problem(path, None, "cannot read Word document: no document body"))
    return [_paragraph_text(p) for p in body.iterfind(f"{W}p")]


def _main_part(archive: zipfile.ZipFile) -> str:
    """The main document part, as the package relationships name it (usually word/document.xml)."""
    try:
        rels = parse_xml(archive.read("_rels/.rels"))
    except KeyError:
        return "word/document.xml"
    for rel in rels.iter(f"{RELATIONSHIPS}Relationship"):
        if rel.get("Type") == OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
            return posixpath.normpath(rel.get("Target", "word/document.xml")).lstrip("/")
    return "word/document.xml"


def _paragraph_text(paragraph: Element) -> str:
    parts: list[str] = []
    for child in paragraph:
        if child.tag == f"{W}r":
            _run_text(child, parts)
        elif child.tag == f"{W}hyperlink":
            for run in child.iterfind(f"{W}r"):
                _run_text(run, parts)
    return "".join(parts)


def _run_text(run: Element, parts: list[str]) -> None:
    for item in run:
        tag = item.tag
        if tag == f"{W}t":
            parts.append(item.text or "")
        elif tag == f"{W}br":
            if item.get(f"{W}type", "textWrapping") == "textWrapping":
                parts.append("\n")
        elif tag in RUN_TEXT:
            parts.append(RUN_TEXT[tag])
