"""Speaker labels: what a label looks like, and which label-like words are really speakers.

A line such as ``Note: the recorder is on`` looks like a label. A word is accepted as a speaker
when it is a known label (``Interviewer``, ``I``, ``R``, ``P3``, ``Speaker 2`` ...), or when it is
shaped like a name, is not a common prose word, and either comes with a transcript header
(a timestamp, bold Markdown) or labels two or more lines of the file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

TIME = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,-]\d+)?"

# A timestamp standing before a label or a paragraph: [00:01:23] (00:01:23) #00:01:23# \[00:01:23\] 00:01:23
LEADING_TIME = re.compile(
    rf"^(?:\\?\[(?P<a>{TIME})\\?\]|\((?P<b>{TIME})\)|#(?P<c>{TIME})#|(?P<d>\d{{1,2}}:\d\d:\d\d(?:[.,]\d+)?)(?=[\sA-Za-z]))\s*"
)

# Header lines that stand alone above the text they label.
HEADERS = (
    re.compile(rf"^(?P<name>\S(?:.*?\S)?) {{2,}}(?P<time>{TIME})\s*$"),  # Otter, Teams docx
    re.compile(rf"^(?P<name>[^()]*?)\s*\((?P<time>{TIME})\):\s*$"),  # Rev: Name (00:20:12):
    re.compile(rf"^\[(?P<name>[^\]]+)\] (?P<time>{TIME})\s*$"),  # Zoom saved transcript
    re.compile(
        rf"^(?P<name>[^:]+?): (?:\((?P<time>{TIME})\)|(?P<clock>\d{{1,2}}:\d\d:\d\d))\s*$"
    ),  # Name: (03:40)  Name: 00:04:21
)
BOLD_LABEL = re.compile(
    rf"^\*\*(?P<name>[^*]+?)(?:\s*\((?P<time>{TIME})\))?:\*\*\s*(?P<text>.*)$|^\*\*(?P<name2>[^*]+?)\*\*:\s*(?P<text2>.*)$"
)
BRACKET_LABEL = re.compile(r"^\[(?P<name>[^\]]{1,40})\]:?\s+(?P<text>\S.*)$")
COLON_LABEL = re.compile(r"^(?P<name>[^:\n]{1,40}?)\s*:(?:\s+(?P<text>\S.*))?\s*$")

GENERIC = re.compile(
    r"^(?:interviewee|respondent|participant|r|a|b|p\s?\d{1,3}|speaker[ _]?\d{1,3}|unknown speaker|id\d{1,4})$",
    re.IGNORECASE,
)
NAME_WORD = re.compile(r"^(?:[A-Z\u00C0-\u024F][\w'’\-.\u00C0-\u024F]*|de|da|del|la|le|van|von|bin|al)$")
PRONOUNS = re.compile(r"\s*\([a-z]+/[a-z]+\)$")
PROSE_WORDS = frozenset(
    """note notes nb example examples e.g i.e bottom line update edit summary warning tip important
    ps p.s fyi re subject date time location duration source reference definition step quote also
    and but so well yes no okay ok remember title transcript transcriber transcribed by""".split()
) | {"bottom line", "transcribed by", "for example", "in other words", "e.g.", "i.e."}


@dataclass(frozen=True)
class Label:
    name: str
    text: str | None  # None: a header line with the text below it
    time: str | None
    strong: bool  # a header or bold label: shaped like a transcript, not like prose


def split_leading_time(line: str) -> tuple[str | None, str]:
    if not line or not (line[0] in "\\[(#" or line[0].isdecimal()):  # what LEADING_TIME can start with
        return None, line
    match = LEADING_TIME.match(line)
    if not match:
        return None, line
    time = next(g for g in match.group("a", "b", "c", "d") if g)
    return time, line[match.end() :]


# A literal each HEADERS pattern needs (checked first: most lines are prose and need no regex).
HEADER_NEEDS = ("  ", "):", "[", ": ")


def find_label(line: str) -> Label | None:
    """The label a line starts with, if it has the shape of one (acceptance is decided later)."""
    for pattern, needed in zip(HEADERS, HEADER_NEEDS):
        match = pattern.match(line) if needed in line else None
        if match:
            time = match.groupdict().get("time") or match.groupdict().get("clock")
            return Label(match.group("name").strip(), None, time, True)
    time, rest = split_leading_time(line)
    if ":" not in rest:  # every label below needs a colon except a [generic] bracket label
        match = BRACKET_LABEL.match(rest) if rest.startswith("[") else None
        if match and GENERIC.match(match.group("name").strip()):
            return Label(match.group("name").strip(), match.group("text"), time, True)
        return None
    match = BOLD_LABEL.match(rest)
    if match:
        name = match.group("name") or match.group("name2")
        text = match.group("text") if match.group("name") else match.group("text2")
        spoken_time, text = split_leading_time(text)
        return Label(name.strip(), text, match.group("time") or time or spoken_time, True)
    match = BRACKET_LABEL.match(rest)
    if match and GENERIC.match(match.group("name").strip()):
        return Label(match.group("name").strip(), match.group("text"), time, True)
    match = COLON_LABEL.match(rest)
    if match:
        return Label(match.group("name").strip(), match.group("text"), time, time is not None)
    return None


def is_interviewer_label(name: str | None, interviewers: frozenset[str]) -> bool:
    """Exactly an interviewer label, or one as the first word (``Interviewer 2``, ``Moderator (Ana)``)."""
    if name is None:
        return False
    key = speaker_key(name)
    words = key.split()
    first = words[0] if words else key
    return key in interviewers or (len(first) > 1 and first in interviewers)


def is_known(name: str, interviewers: frozenset[str]) -> bool:
    key = speaker_key(name)
    return is_interviewer_label(name, interviewers) or bool(GENERIC.match(key))


def looks_like_name(name: str) -> bool:
    bare = PRONOUNS.sub("", name).strip()
    words = bare.split()
    if not words or len(bare) > 40 or len(words) > 5:
        return False
    if speaker_key(bare) in PROSE_WORDS or words[0].casefold().rstrip(".") in PROSE_WORDS:
        return False
    return all(NAME_WORD.match(word) for word in words) and words[0][0].isupper()


def accepted_speakers(labels: list[Label], interviewers: frozenset[str], non_speakers: frozenset[str]) -> set[str]:
    """The label names of one file that are speakers (compared case-insensitively)."""
    weak_counts = Counter(speaker_key(label.name) for label in labels if not label.strong)
    accepted = set()
    for name, strong in {(label.name, label.strong) for label in labels}:  # each spelling decided once
        key = speaker_key(name)
        if key in non_speakers or not key:
            continue
        if is_known(name, interviewers):
            accepted.add(key)
        elif looks_like_name(name) and (strong or weak_counts[key] >= 2):
            accepted.add(key)
    return accepted


def speaker_key(name: str) -> str:
    """How two spellings of a speaker label are compared: case-insensitive, trailing dot ignored."""
    return name.strip().rstrip(".").casefold()
