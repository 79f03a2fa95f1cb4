"""Bytes to normalised text: decoding, newlines, Unicode NFC. Nothing else is rewritten.

Also the one XML parser for files we are handed (``parse_xml``): no DTDs or entities, in any encoding."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import TranscriptError, problem

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes, path: str | Path) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16/32 with a BOM; refuse anything else."""
    if not data.strip():
        raise TranscriptError(problem(path, None, "empty file"))
    bom, encoding = next(((bom, enc) for bom, enc in _BOMS if data.startswith(bom)), (b"", None))
    if encoding is None:
        if b"\x00" in data:
            raise TranscriptError(problem(path, None, _nul_message(data)))
        encoding = "utf-8"
    body = data[len(bom) :]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        before = normalise_text(body[: exc.start].decode(encoding, errors="replace"))
        byte = body[exc.start : exc.start + 1].hex().upper()
        name = encoding.split("-le")[0].split("-be")[0].upper()
        raise TranscriptError(
            problem(path, before.count("\n") + 1, f"not valid {name} text (byte 0x{byte}); re-save the file as UTF-8")
        ) from None
    text = normalise_text(text)
    if not text.strip():
        raise TranscriptError(problem(path, None, "empty file"))
    if "\x00" in text:
        raise TranscriptError(problem(path, None, "binary file (contains NUL characters)"))
    return text


def normalise_text(text: str) -> str:
    """Newlines to ``\\n`` and Unicode NFC: the one normalisation all offsets rely on."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _nul_message(data: bytes) -> str:
    head = data[:200]
    if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
        return "looks like UTF-16 without a byte-order mark; re-save the file as UTF-8"
    return "binary file, not a transcript (contains NUL bytes)"


class XmlRefused(ValueError):
    """An XML document we will not read: a DTD or entity declaration, or not well-formed."""

    def __init__(self, message: str, line: int | None = None, *, declarations: bool = False):
        super().__init__(message)
        self.line = line
        self.declarations = declarations  # refused for a DTD or entity, not for its syntax


def parse_xml(data: bytes) -> Element:
    """Parse an XML document from a file we were handed (.docx part, .qdc, .qdpx project file).

    defusedxml refuses any DTD (so no entity can be declared, expanded or fetched) whatever the
    encoding; a document with a byte-order mark is decoded here first, so UTF-16 and UTF-32 (which
    the XML parser cannot read itself) are held to the same rule."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    bom, encoding = next(((bom, enc) for bom, enc in _BOMS if data.startswith(bom)), (b"", None))
    try:
        document: str | bytes = data[len(bom) :].decode(encoding) if encoding else data
    except UnicodeDecodeError as exc:
        raise XmlRefused(f"not valid {encoding.upper() if encoding else ''} text (byte {exc.start})") from None
    try:
        return fromstring(document, forbid_dtd=True)
    except DefusedXmlException:
        raise XmlRefused("DTDs and entity declarations are not allowed", declarations=True) from None
    except ParseError as exc:
        raise XmlRefused(f"not well-formed XML: {exc}", exc.position[0] if exc.position else None) from None
    except ValueError as exc:  # "multi-byte encodings are not supported": UTF-16/32 declared, no BOM
        raise XmlRefused(f"not well-formed XML: {exc}") from None
