"""Transcript readers: detect the format from the content, decode, parse into a Transcript."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import TranscriptError, problem
from qualcode.models import Transcript
from qualcode.transcripts import captions, docx, plain
from qualcode.transcripts.builder import Block, render
from qualcode.transcripts.decode import decode_bytes, normalise_text
from qualcode.transcripts.settings import ReaderSettings

SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".vtt", ".srt")
FORMATS = ("txt", "md", "docx", "vtt", "srt")

__all__ = ["FORMATS", "SUFFIXES", "ReaderSettings", "parse_transcript", "read_transcript"]


def read_transcript(path: str | Path, settings: ReaderSettings | None = None, doc_id: str | None = None) -> Transcript:
    """Read one transcript file. Raises TranscriptError naming the file on any problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranscriptError(problem(path, None, f"cannot read file: {exc.strerror or exc}")) from None
    return parse_transcript(data, str(path), settings or ReaderSettings(), doc_id or path.stem)


def parse_transcript(data: bytes, path: str, settings: ReaderSettings, doc_id: str) -> Transcript:
    suffix = Path(path).suffix.lower()
    meta: dict  # front matter of a text transcript
    if docx.is_docx(data):
        fmt, meta = "docx", {}
        blocks = plain.parse_lines(docx_text_lines(data, path), settings)
    elif suffix == ".docx":
        raise TranscriptError(problem(path, None, "not a Word .docx document"))
    else:
        text = decode_bytes(data, path)
        fmt, meta, blocks = _parse_text(text, path, suffix, settings)
    transcript = render(doc_id, path, fmt, blocks, meta)
    if not transcript.turns:
        raise TranscriptError(problem(path, None, "no spoken text found"))
    return transcript


def docx_text_lines(data: bytes, path: str) -> list[str]:
    return [normalise_text(line) for line in docx.docx_lines(data, path)]


def _parse_text(text: str, path: str, suffix: str, settings: ReaderSettings) -> tuple[str, dict, list[Block]]:
    if text.startswith("WEBVTT") or suffix == ".vtt":
        return "vtt", {}, captions.read_vtt(text, path, settings)
    if captions.is_srt(text) or suffix == ".srt":
        if not captions.is_srt(text):
            raise TranscriptError(
                problem(path, 1, "not an SRT file: it must start with a cue number and a timing line")
            )
        return "srt", {}, captions.read_srt(text, path, settings)
    meta, body, skipped = plain.split_front_matter(text, path)
    markdown = bool(meta) or suffix in (".md", ".markdown") or _has_bold_labels(body)
    lines = [""] * skipped + body.split("\n")
    return ("md" if markdown else "txt"), meta, plain.parse_lines(lines, settings, markdown=markdown)


def _has_bold_labels(text: str) -> bool:
    return any(line.startswith("**") and ":**" in line[:60] for line in text.split("\n", 200)[:200])
