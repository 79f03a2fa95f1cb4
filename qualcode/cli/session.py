"""The interactive coding session: one participant segment at a time, every action saved at once.

Driven by lines of input (a terminal, or stdin in tests); shown with rich. Blind by default: only
the coder's own codings are shown.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from qualcode.cli.common import flag

if TYPE_CHECKING:
    from qualcode.models import Segment, StoredSuggestion
    from qualcode.project import Project

HELP = """Commands (then Enter):
  3 7        toggle codes by key (or type a code id: LABOR.DETECT)
  a          accept every suggestion shown for this segment
  Enter / n  done with this segment, next
  s          skip (leave it uncoded for now)      b   back to the previous segment
  m TEXT     memo on the code applied last       m 3 TEXT  memo on code key 3
  /WORDS     jump to the next segment containing WORDS
  g ID       go to a segment id                   k   show the code keys again
  ?          this help                            q   quit (everything is already saved)"""


class CodingSession:
    def __init__(
        self,
        project: Project,
        coder: str,
        doc: str | None = None,
        code_filter: str | None = None,
        blind: bool = True,
        suggestions: bool = True,
        console: Console | None = None,
        read: Callable[[str], str] = input,
    ):
        from qualcode.coding.events import validate_coder

        self.project = project
        self.coder = validate_coder(coder)
        self.blind = blind
        self.console = console or Console(highlight=False)
        self.read = read
        self.segments = project.segments(doc, speaker="participant")
        self.all_segments = {s.id: s for s in project.segments(doc, speaker="all")}
        self.people = {p.id: p for p in project.index.participants()}
        codebook = project.codebook()
        codes = [
            c
            for c in codebook.codes
            if not code_filter or fnmatch.fnmatch(c.id, code_filter) or fnmatch.fnmatch(c.id, f"{code_filter}.*")
        ]
        if not codes:
            from qualcode.errors import ProjectError

            raise ProjectError(f"no code matches --code-filter {code_filter!r}")
        self.keys = {str(n): c for n, c in enumerate(codes, start=1)}
        self.by_id = {c.id: c for c in codebook.codes}
        self.position = self._resume_position()
        self.last_code: str | None = None
        self.with_suggestions = suggestions

    def _suggested(self, segment_id: str) -> list[StoredSuggestion]:
        """Suggestions for this segment the coder has neither applied nor rejected (blind: no coder data)."""
        if not self.with_suggestions:
            return []
        return [
            s
            for s in self.project.autocode.pending(self.coder, doc=segment_id.split("#")[0])
            if s.segment == segment_id and s.code in {c.id for c in self.keys.values()}
        ]

    # state -------------------------------------------------------------------------------------
    def _done(self) -> set[str]:
        coded = {str(c["segment"]) for c in self.project.coding.codings(coder=self.coder)}
        return coded | self.project.coders.state(self.coder).seen(self.segments)

    def _resume_position(self) -> int:
        done = self._done()
        return next((i for i, s in enumerate(self.segments) if s.id not in done), len(self.segments))

    def _my_codes(self, segment_id: str) -> list[str]:
        return sorted(
            {str(c["code"]) for c in self.project.coding.codings(coder=self.coder) if c["segment"] == segment_id}
        )

    # loop --------------------------------------------------------------------------------------
    def run(self) -> None:
        if not self.segments:
            self.console.print("No participant segments to code.")
            return
        self.console.print(f"Coding as [bold]{self.coder}[/] — {len(self.segments)} participant segments; ? for help.")
        self.show_keys()
        shown = None
        while self.position < len(self.segments):
            current = self.segments[self.position].id
            if current != shown:
                self.show()
                shown = current
            else:
                self.show_codes(self.segments[self.position])
            try:
                line = self.read("> ").strip()
            except EOFError:
                break
            if not self.handle(line):
                break
        else:
            self.console.print("All segments are done. 'b' in a new session goes back; 'g ID' jumps.")
        self.console.print(f"Saved. {len(self._done())} of {len(self.segments)} segments done by {self.coder}.")

    def handle(self, line: str) -> bool:
        """Carry out one command; False to quit."""
        from qualcode.errors import QualcodeError

        segment = self.segments[self.position]
        try:
            if line in ("q", "quit"):
                return False
            if line in ("", "n"):
                self.project.coding.mark_seen(segment.id, coder=self.coder)
                self.position += 1
            elif line == "s":
                self.position += 1
            elif line == "a":
                for suggestion in self._suggested(segment.id):
                    self.project.autocode.accept(suggestion, coder=self.coder)
                    self.last_code = suggestion.code
                    self.console.print(f"  accepted {suggestion.code}")
            elif line == "b":
                self.position = max(0, self.position - 1)
            elif line == "?":
                self.console.print(HELP)
            elif line == "k":
                self.show_keys()
            elif line.startswith("/"):
                self.search(line[1:].strip())
            elif line.startswith("g "):
                self.go(line[2:].strip())
            elif line.startswith("m "):
                self.add_memo(segment, line[2:].strip())
            else:
                self.toggle(segment, line.replace(",", " ").split())
        except QualcodeError as exc:
            message = "\n".join(p.text(flag) for p in exc.problems)  # options worded as the CLI names them
            self.console.print(f"[red]{escape(message)}[/]")
        return True

    def toggle(self, segment: Segment, words: list[str]) -> None:
        codes = []
        for word in words:
            code = self.keys.get(word) or self.by_id.get(word) or self.by_id.get(word.upper())
            if code is None:
                self.console.print(f"[red]Unknown key or code {escape(word)!r}; 'k' lists the keys.[/]")
                return
            codes.append(code)
        mine = set(self._my_codes(segment.id))
        suggested = {s.code: s for s in self._suggested(segment.id)}
        for code in codes:
            if code.id in mine:
                self.project.coding.unapply(segment.id, code.id, coder=self.coder)
                self.console.print(f"  removed {code.id}")
            elif code.id in suggested:
                self.project.autocode.accept(suggested[code.id], coder=self.coder)
                self.last_code = code.id
                self.console.print(f"  accepted suggestion {code.id}")
            else:
                self.project.coding.apply(segment.id, code.id, coder=self.coder)
                self.last_code = code.id
                self.console.print(f"  applied {code.id}")

    def add_memo(self, segment: Segment, rest: str) -> None:
        first, _, text = rest.partition(" ")
        code = self.keys.get(first)
        target: str | None
        if code is not None and text:
            target = code.id
        else:
            target, text = self.last_code, rest
        if not target:
            self.console.print("[red]Apply a code first, or give its key: m 3 TEXT[/]")
            return
        self.project.coding.memo(segment.id, target, coder=self.coder, text=text)
        self.console.print(f"  memo on {target}")

    def search(self, words: str) -> None:
        order = self.segments[self.position + 1 :] + self.segments[: self.position + 1]
        hit = next((s for s in order if words.casefold() in s.text.casefold()), None)
        if hit is None:
            self.console.print(f"[red]No segment contains {escape(words)!r}.[/]")
        else:
            self.position = self.segments.index(hit)

    def go(self, segment_id: str) -> None:
        ids = [s.id for s in self.segments]
        if segment_id not in ids:
            self.console.print(f"[red]No participant segment {escape(segment_id)!r} here.[/]")
        else:
            self.position = ids.index(segment_id)

    # display -----------------------------------------------------------------------------------
    def show_keys(self) -> None:
        items = [f"[bold]{key}[/] {escape(code.id)}" for key, code in self.keys.items()]
        self.console.print("Codes: " + "  ".join(items))

    def show(self) -> None:
        segment = self.segments[self.position]
        person = self.people.get(segment.participant) if segment.participant is not None else None
        who = f"{segment.speaker or '(no label)'}"
        if person:
            who += f" — {person.id}, {person.role}" + (f", {person.task_force}" if person.task_force else "")
        self.console.rule(f"{segment.id}  [{self.position + 1}/{len(self.segments)}]")
        previous = self.all_segments.get(f"{segment.doc}#{segment.n - 1}")
        if previous is not None:
            self.console.print(f"[dim]{escape(previous.speaker or '')}: {escape(_clip(previous.text, 300))}[/]")
        self.console.print(f"[bold]{escape(who)}[/]")
        suggested = self._suggested(segment.id)
        if suggested:
            from qualcode.autocode.service import suggestion_row
            from qualcode.cli.autocode import highlight

            evidence = [e for s in suggested for e in s.evidence]
            self.console.print(highlight(segment.text, evidence))
            keyed = {code.id: key for key, code in self.keys.items()}
            self.console.print(
                "Suggested: "
                + escape(
                    ", ".join(f"{keyed.get(s.code, '-')}:{s.code} ({suggestion_row(s)['cues']})" for s in suggested)
                )
                + "  — 'a' accepts all"
            )
        else:
            self.console.print(escape(segment.text))
        self.show_codes(segment)

    def show_codes(self, segment: Segment) -> None:
        mine = self._my_codes(segment.id)
        keyed = {code.id: key for key, code in self.keys.items()}
        shown = ", ".join(f"{keyed.get(c, '-')}:{c}" for c in mine) or "none"
        self.console.print(f"Your codes: [green]{escape(shown)}[/]")
        if not self.blind:
            others = sorted(
                {
                    (c["coder"], c["code"])
                    for c in self.project.coding.codings(doc=segment.doc)
                    if c["segment"] == segment.id and c["coder"] != self.coder
                }
            )
            if others:
                self.console.print("Others: " + escape(", ".join(f"{coder}:{code}" for coder, code in others)))


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
