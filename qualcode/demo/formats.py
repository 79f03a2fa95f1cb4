"""Write a composed interview as a transcript file: plain text, Markdown, Zoom-style WebVTT, or a
Teams-style Word document. Output depends only on the turns and the random generator passed in
(the .docx is written with fixed dates inside and on its zip entries), so it is byte-identical
from run to run."""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from qualcode.demo.compose import INTERVIEWER, SENTENCE_END, Turn

if TYPE_CHECKING:
    from docx.document import Document

FORMATS = ("txt", "md", "vtt", "docx")
FIXED_DATE = datetime(2026, 1, 1, 0, 0, 0)
CUE_WORDS = 16


@dataclass(frozen=True)
class Header:
    doc: str
    role: str
    task_force: str
    date: str  # ISO date of the interview
    interviewer: str  # the interviewer's (invented) name, shown in Zoom and Teams exports
    name: str  # the participant's display name
    label: str  # the participant's label in plain-text transcripts (may be shorter: Det. Ramos)


def render(fmt: str, turns: list[Turn], header: Header, rng: random.Random) -> bytes:
    times = _clock(turns, rng)
    if fmt == "txt":
        return _txt(turns, header, times, stamped=rng.random() < 0.4).encode("utf-8")
    if fmt == "md":
        return _md(turns, header).encode("utf-8")
    if fmt == "vtt":
        return _vtt(turns, header, times, rng).encode("utf-8")
    if fmt == "docx":
        return _docx(turns, header, times)
    raise ValueError(f"unknown format {fmt!r}")


def _clock(turns: list[Turn], rng: random.Random) -> list[tuple[float, float]]:
    """Start and end second of every turn: about 140 spoken words a minute, with pauses."""
    now, spans = rng.uniform(1.0, 4.0), []
    for turn in turns:
        length = turn.words / rng.uniform(2.1, 2.7) + 0.6
        spans.append((now, now + length))
        now += length + rng.uniform(0.4, 2.5)
    return spans


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _teams(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _txt(turns: list[Turn], header: Header, times: list[tuple[float, float]], stamped: bool) -> str:
    lines = [f"Interview {header.doc}", f"Recorded {header.date}, video call", ""]
    for turn, (start, _) in zip(turns, times):
        label = "Interviewer" if turn.speaker == INTERVIEWER else header.label
        stamp = f"[{_hms(start)}] " if stamped else ""
        lines.append(f"{stamp}{label}: {turn.paragraphs[0]}")
        for paragraph in turn.paragraphs[1:]:
            lines.extend(["", paragraph])
        lines.append("")
    return "\n".join(lines)


def _md(turns: list[Turn], header: Header) -> str:
    lines = [
        "---",
        f"participant: {header.doc}",
        f"role: {header.role}",
        f"task_force: {header.task_force}",
        f"interview_date: {header.date}",
        "---",
        "",
        f"# Interview {header.doc}",
        "",
    ]
    for turn in turns:
        label = "Interviewer" if turn.speaker == INTERVIEWER else header.name
        lines.append(f"**{label}:** {turn.paragraphs[0]}")
        for paragraph in turn.paragraphs[1:]:
            lines.extend(["", paragraph])
        lines.append("")
    return "\n".join(lines)


def _vtt(turns: list[Turn], header: Header, times: list[tuple[float, float]], rng: random.Random) -> str:
    """Zoom-style captions: every cue starts with ``Name:``; cues break at sentence ends."""
    out, number = ["WEBVTT", ""], 0
    for turn, (start, end) in zip(turns, times):
        name = header.interviewer if turn.speaker == INTERVIEWER else header.name
        cues = _cue_texts(" ".join(turn.paragraphs))
        total = sum(len(c.split()) for c in cues) or 1
        at = start
        for text in cues:
            length = (end - start) * len(text.split()) / total
            number += 1
            out.extend([str(number), f"{_vtt_time(at)} --> {_vtt_time(at + length)}", f"{name}: {text}", ""])
            at += length + rng.uniform(0.05, 0.4)
    return "\n".join(out)


def _cue_texts(text: str) -> list[str]:
    cues: list[str] = []
    current: list[str] = []
    for sentence in SENTENCE_END.split(text):
        if current and len(" ".join(current).split()) + len(sentence.split()) > CUE_WORDS:
            cues.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        cues.append(" ".join(current))
    return cues


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms % 3600000 // 60000:02d}:{ms % 60000 // 1000:02d}.{ms % 1000:03d}"


def _docx(turns: list[Turn], header: Header, times: list[tuple[float, float]]) -> bytes:
    """A Teams transcript: a ``Name   0:03`` paragraph above each turn's text paragraphs."""
    import docx  # python-docx (loads lxml): only when a .docx is written

    document = docx.Document()
    props = document.core_properties
    props.author = props.last_modified_by = "qualcode demo"
    props.title = f"Interview {header.doc}"
    props.created = props.modified = props.last_printed = FIXED_DATE
    props.revision = 1
    texts = []
    for turn, (start, _) in zip(turns, times):
        name = header.interviewer if turn.speaker == INTERVIEWER else header.name
        texts.append(f"{name}   {_teams(start)}")
        texts.extend(turn.paragraphs)
    _add_paragraphs(document, texts)
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip(buffer.getvalue())


def _add_paragraphs(document: Document, texts: list[str]) -> None:
    """What ``document.add_paragraph(text)`` does for each text, parsed as one XML fragment (30x faster)."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    runs = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(t)}</w:t></w:r></w:p>' for t in texts)
    fragment = parse_xml(f"<w:body {nsdecls('w')}>{runs}</w:body>")
    body = document.element.body
    anchor = body.sectPr
    for paragraph in list(fragment):
        if anchor is not None:
            anchor.addprevious(paragraph)
        else:
            body.append(paragraph)


def fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry dates and attributes, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
