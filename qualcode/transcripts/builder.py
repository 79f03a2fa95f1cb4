"""Turn parsed blocks into a Transcript: merge same-speaker runs, render the canonical text."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.models import TextRange, Transcript, Turn


@dataclass
class Block:
    """A run of paragraphs attributed to one speaker label (None: no label)."""

    speaker: str | None
    paragraphs: list[str] = field(default_factory=list)
    time: str | None = None


def merge_blocks(blocks: list[Block]) -> list[Block]:
    """Merge consecutive blocks of the same named speaker; drop blocks with no text."""
    merged: list[Block] = []
    for block in blocks:
        paragraphs = [p for p in (p.strip() for p in block.paragraphs) if p]
        if not paragraphs:
            continue
        last = merged[-1] if merged else None
        if last is not None and block.speaker is not None and _same(last.speaker, block.speaker):
            last.paragraphs.extend(paragraphs)
        else:
            merged.append(Block(block.speaker, paragraphs, block.time))
    return merged


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.casefold() == b.casefold()


def render(doc_id: str, path: str, fmt: str, blocks: list[Block], meta: dict | None = None) -> Transcript:
    """Render blocks as ``Speaker: paragraph\\n\\nparagraph\\n\\n...``, recording paragraph spans."""
    parts: list[str] = []
    length = 0
    turns: list[Turn] = []
    for block in merge_blocks(blocks):
        if parts:
            parts.append("\n\n")
            length += 2
        if block.speaker is not None:
            label = f"{block.speaker}: "
            parts.append(label)
            length += len(label)
        spans = []
        for i, paragraph in enumerate(block.paragraphs):
            if i:
                parts.append("\n\n")
                length += 2
            spans.append(TextRange(length, length + len(paragraph)))
            parts.append(paragraph)
            length += len(paragraph)
        turns.append(Turn(block.speaker, tuple(spans), block.time))
    parts.append("\n")
    return Transcript(doc_id, path, fmt, "".join(parts), tuple(turns), dict(meta or {}))
