"""Readers for line-oriented transcripts: plain text, Markdown, and the paragraphs of a .docx."""

from __future__ import annotations

import re

from qualcode.errors import QualcodeError, TranscriptError, problem
from qualcode.transcripts.builder import Block
from qualcode.transcripts.labels import accepted_speakers, find_label, speaker_key, split_leading_time
from qualcode.transcripts.settings import ReaderSettings

FRONT_MATTER = re.compile(r"\A---\n(?P<body>.*?\n)---\n", re.DOTALL)
MD_SKIP = re.compile(r"^(?:#{1,6}\s|(?:-{3,}|\*{3,}|_{3,})\s*$)")


def split_front_matter(text: str, path: str) -> tuple[dict, str, int]:
    """YAML front matter of a Markdown file: (data, rest of the text, lines consumed). Held to the
    rules of the project's YAML files: no aliases (a few lines could expand to gigabytes), no tags,
    no deep nesting."""
    from qualcode.yamlfile import parse_yaml

    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 0
    try:
        data, _ = parse_yaml(match.group("body"), path, first_line=2)
    except QualcodeError as exc:
        first = exc.problems[0]
        syntax = first.message.removeprefix("invalid YAML: ")
        if syntax != first.message:
            message = f"front matter is not valid YAML: {syntax}"
        else:
            message = f"front matter: {first.message}"
        raise TranscriptError(problem(path, first.line, message)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise TranscriptError(problem(path, 2, "front matter must be a mapping of keys to values"))
    return {str(k): v for k, v in data.items()}, text[match.end() :], match.group(0).count("\n")


def parse_lines(lines: list[str], settings: ReaderSettings, markdown: bool = False) -> list[Block]:
    """Group lines into speaker blocks; label-like lines that are not speakers stay text."""
    lines = [line.rstrip() for line in lines]
    footer = [i for i, line in enumerate(lines) if settings.is_footer(line)]
    for i in footer:
        lines[i] = ""
    labels = {i: label for i, line in enumerate(lines) if line and (label := find_label(line))}
    speakers = accepted_speakers(list(labels.values()), settings.interviewers, settings.non_speakers)
    skipped = settings.non_speakers
    blocks: list[Block] = []
    current: Block | None = None
    paragraph: list[str] = []

    def close_paragraph() -> None:
        nonlocal paragraph
        if paragraph and current is not None:
            current.paragraphs.append("\n".join(paragraph))
        paragraph = []

    for i, line in enumerate(lines):
        if not line.strip() or (markdown and MD_SKIP.match(line)):
            close_paragraph()
            continue
        label = labels.get(i)
        key = speaker_key(label.name) if label else ""
        if label is not None and (
            key in speakers or key in skipped or (label.strong and not key and label.text is None)
        ):
            close_paragraph()
            if key in skipped:
                current = Block(None)  # "Break:" and other non-speech labels: not a speaker
                blocks.append(current)
                continue  # the label's own line ("Break: [00:20:24]") is not speech
            elif not key:
                pass  # "(00:22:42):": the same speaker goes on after a timestamp
            else:
                current = Block(label.name, [], label.time)
                blocks.append(current)
            if label.text:
                paragraph.append(label.text.strip())
            continue
        if current is None:
            current = Block(None)
            blocks.append(current)
        time, rest = split_leading_time(line.strip()) if not paragraph else (None, line)
        if rest.strip():
            paragraph.append(rest.strip() if not paragraph else rest)
        elif time:
            close_paragraph()
    close_paragraph()
    return _drop_preamble(blocks)


def _drop_preamble(blocks: list[Block]) -> list[Block]:
    """Unlabelled text before the first speaker (titles, notes) is not a turn when speakers exist."""
    if not any(b.speaker for b in blocks):
        return [Block(None, [p], b.time) for b in blocks for p in b.paragraphs]
    first = next(i for i, b in enumerate(blocks) if b.speaker)
    return blocks[first:]
