"""Readers for caption files: WebVTT (Zoom, Teams) and SRT. Consecutive cues of one speaker form a turn."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qualcode.errors import TranscriptError, problem
from qualcode.transcripts.builder import Block
from qualcode.transcripts.labels import Label, accepted_speakers, find_label, speaker_key
from qualcode.transcripts.settings import ReaderSettings

# Lenient: Teams writes 0:0:13.540; SRT uses a comma.
CUE_TIME = r"(?:\d{1,6}:)?\d{1,2}:\d{1,2}[.,]\d{1,3}"
TIMING = re.compile(rf"^\s*(?P<start>{CUE_TIME})\s*-->\s*(?P<end>{CUE_TIME})")
VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+(?P<name>[^>]+)>")
TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
SRT_START = re.compile(rf"\A\s*\d+\n{CUE_TIME}\s*-->")


@dataclass
class Cue:
    line: int
    start: str
    text: str
    voice: str | None


def is_srt(text: str) -> bool:
    return bool(SRT_START.match(text))


def read_vtt(text: str, path: str, settings: ReaderSettings) -> list[Block]:
    if not re.match(r"\AWEBVTT(?:[ \t].*)?(?:\n|\Z)", text):
        raise TranscriptError(problem(path, 1, "not a WebVTT file: the first line must be WEBVTT"))
    cues = _read_cues(text, path)
    if not cues:
        raise TranscriptError(problem(path, None, "WebVTT file has no cues"))
    return _cues_to_blocks(cues, settings)


def read_srt(text: str, path: str, settings: ReaderSettings) -> list[Block]:
    cues = _read_cues(text, path)
    if not cues:
        raise TranscriptError(problem(path, None, "SRT file has no cues"))
    return _cues_to_blocks(cues, settings)


def _read_cues(text: str, path: str) -> list[Cue]:
    cues: list[Cue] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = TIMING.match(lines[i])
        if not match:
            if "-->" in lines[i]:
                raise TranscriptError(problem(path, i + 1, f"cannot read cue timing {_shown(lines[i].strip())!r}"))
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip():
            j += 1
        payload = " ".join(line.strip() for line in lines[i + 1 : j])
        voice = VOICE.search(payload)
        plain = html.unescape(TAG.sub("", payload)).strip()
        plain = re.sub(r"^(?:>>|-)\s*", "", plain)
        if plain:
            cues.append(Cue(i + 1, match.group("start"), plain, voice.group("name").strip() if voice else None))
        i = j
    return cues


def _cues_to_blocks(cues: list[Cue], settings: ReaderSettings) -> list[Block]:
    """Speaker from the voice tag first, else from a ``Name: text`` prefix that is a speaker."""
    labels = {id(cue): _cue_label(cue.text) for cue in cues if cue.voice is None}
    speakers = accepted_speakers([lab for lab in labels.values() if lab], settings.interviewers, settings.non_speakers)
    blocks: list[Block] = []
    for cue in cues:
        speaker, text = cue.voice, cue.text
        label = labels.get(id(cue))
        if label is not None and label.text and speaker_key(label.name) in speakers:
            speaker, text = label.name, label.text.strip()
        prev = blocks[-1] if blocks else None
        if prev is not None and (
            speaker is None or (prev.speaker and speaker_key(prev.speaker) == speaker_key(speaker))
        ):
            prev.paragraphs[-1] += " " + text
            continue
        blocks.append(Block(speaker, [text], _clock(cue.start)))
    return blocks


def _cue_label(text: str) -> Label | None:
    """A ``Name:`` at the start of a cue is where caption files put the speaker: a strong label."""
    label = find_label(text)
    return Label(label.name, label.text, label.time, True) if label is not None and label.text else label


def _shown(line: str, limit: int = 60) -> str:
    """A line as quoted in an error message: at most ``limit`` characters."""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _clock(time: str) -> str:
    """Cue start as H:MM:SS for display (Teams' 0:0:13.540 becomes 0:00:13)."""
    parts = [int(float(p.replace(",", "."))) for p in time.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return f"{h}:{m:02d}:{s:02d}"
