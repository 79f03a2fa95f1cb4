"""Segmentation: a transcript's turns cut into the units that get coded (turn, paragraph, sentence)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from qualcode.errors import TranscriptError, problem
from qualcode.models import INTERVIEWER, PARTICIPANT, Segment, TextRange, Transcript
from qualcode.transcripts.settings import ReaderSettings

MAX_SENTENCE_PARAGRAPH = 10_000_000  # characters in one paragraph split into sentences


def segment_transcript(transcript: Transcript, unit: str, settings: ReaderSettings) -> list[Segment]:
    """Segments with ids ``<doc>#<n>`` (n from 1); each segment's text is ``text[start:end]``."""
    pieces = list(_pieces(transcript, unit))
    kinds: dict[str | None, str] = {}  # a speaker's kind is decided once, not per segment
    segments = []
    for n, (speaker, span) in enumerate(pieces, start=1):
        kind = kinds.get(speaker)
        if kind is None:
            kind = kinds[speaker] = INTERVIEWER if settings.is_interviewer(speaker) else PARTICIPANT
        text = transcript.text[span.start : span.end]
        segments.append(
            Segment(f"{transcript.doc_id}#{n}", transcript.doc_id, n, span.start, span.end, speaker, kind, text)
        )
    return segments


def _pieces(transcript: Transcript, unit: str) -> Iterator[tuple[str | None, TextRange]]:
    if unit == "turn":
        for turn in transcript.turns:
            yield turn.speaker, _trimmed(transcript.text, TextRange(turn.start, turn.end))
    elif unit == "paragraph":
        for turn in transcript.turns:
            for span in turn.paragraphs:
                yield turn.speaker, span
    elif unit == "sentence":
        yield from _sentences(transcript)
    else:
        raise ValueError(f"unknown segment unit {unit!r}")


def _sentences(transcript: Transcript) -> Iterator[tuple[str | None, TextRange]]:
    """spaCy's rule-based sentencizer on each paragraph; a sentence never spans two paragraphs."""
    nlp = sentence_pipeline()
    owners = [(turn.speaker, span) for turn in transcript.turns for span in turn.paragraphs]
    longest = max((span.end - span.start for _, span in owners), default=0)
    if longest > MAX_SENTENCE_PARAGRAPH:
        raise TranscriptError(
            problem(
                transcript.path,
                None,
                f"a paragraph of {longest:,} characters is too long to split into sentences "
                f"(limit {MAX_SENTENCE_PARAGRAPH:,}); break it into paragraphs or use segment_unit: paragraph",
            )
        )
    texts = (transcript.text[span.start : span.end] for _, span in owners)
    for (speaker, span), doc in zip(owners, nlp.pipe(texts, batch_size=256)):
        for sent in doc.sents:
            piece = _trimmed(transcript.text, TextRange(span.start + sent.start_char, span.start + sent.end_char))
            if piece.end > piece.start:
                yield speaker, piece


@lru_cache(maxsize=1)
def blank_english():
    """spaCy's rule-based English tokenizer, no model download."""
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def sentence_pipeline():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = MAX_SENTENCE_PARAGRAPH  # spaCy's 1,000,000 guards its parser's memory, not the sentencizer's
    return nlp


def _trimmed(text: str, span: TextRange) -> TextRange:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return TextRange(start, end)
