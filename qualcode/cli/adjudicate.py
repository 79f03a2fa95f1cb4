"""`qualcode adjudicate`: settle disagreements between coders into a consensus log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import ask, open_project, say

if TYPE_CHECKING:
    from qualcode.coding.adjudication import Disagreement
    from qualcode.project import Project


def adjudicate(
    ctx: typer.Context,
    coders: Annotated[str, typer.Option(help="The coders to compare, comma-separated: alice,bob.")],
    as_coder: Annotated[str, typer.Option("--as", help="The coder name the decisions are written as.")] = "consensus",
    list_file: Annotated[
        Path | None, typer.Option("--list", help="Write the disagreements to this CSV to decide offline.")
    ] = None,
    apply_file: Annotated[
        Path | None, typer.Option("--apply", help="Read decisions from a CSV written by --list.")
    ] = None,
) -> None:
    """Take the codes the coders agree on; decide each disagreement (here, or offline with --list/--apply).

    Compares the coders on the participant segments of documents all of them coded. Codes all of them applied go to the --as coder's log. Each disagreement is decided interactively (a apply, r reject, s skip, q stop; each decision is saved at once and the next run continues), or written by --list to a CSV with columns segment, code, label, one column per coder, decision, text: fill decision with apply or reject and read it back with --apply. Cells that a spreadsheet would run as formulas are written with a leading '. A list that both applies and rejects one row, or decides something not in dispute, is refused with its row numbers, and nothing is recorded.

    Events carry origin adjudicated; a rejection is recorded as a remove event so the decision is in the log. Re-running adds nothing already decided. See docs/coding.md.

    Example: qualcode adjudicate --coders alice,bob --as consensus --list to-decide.csv
    """
    from qualcode.coding.adjudication import read_decisions, write_list
    from qualcode.errors import QualcodeError

    project = open_project(ctx)
    names = [c.strip() for c in coders.split(",") if c.strip()]
    agreed, disagreements = project.adjudication.comparison(names)
    if list_file is not None:
        codebook = project.codebook()
        texts = {d.segment: project.require_segment(d.segment).text for d in disagreements}
        write_list(list_file, disagreements, {c.id: c.label for c in codebook.codes}, texts)
        say(
            f"{len(agreed)} agreed, {len(disagreements)} disagreements (one per segment and code, every code compared) written to {list_file}; "
            f"fill 'decision' with apply or reject, then: qualcode adjudicate --coders {coders} --as {as_coder} --apply {list_file}"
        )
        return
    source = None
    if apply_file is not None:
        source = read_decisions(apply_file)
        if source.problems:
            raise QualcodeError(source.problems)
        decisions = source.decisions
    else:
        decisions = _decide_interactively(project, disagreements, as_coder, names)
    events = project.adjudication.adjudicate(names, as_coder=as_coder, decisions=decisions, source=source)
    say(f"{as_coder}: {len(agreed)} agreed codings and {len(decisions)} decisions recorded ({len(events)} new events)")


def _decide_interactively(
    project: Project, disagreements: list[Disagreement], as_coder: str, coders: list[str]
) -> dict[tuple[str, str], bool]:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    done = project.adjudication.adjudicated(as_coder)
    todo = [d for d in disagreements if (d.segment, d.code) not in done]
    console.print(
        f"{len(todo)} disagreements to decide ({len(disagreements) - len(todo)} decided before). "
        "a = apply, r = reject, s = skip, q = stop (decisions so far are saved)."
    )
    labels = {c.id: c.label for c in project.codebook().codes}
    decisions: dict[tuple[str, str], bool] = {}
    for number, item in enumerate(todo, start=1):
        segment = project.require_segment(item.segment)
        console.rule(f"{item.segment}  [{number}/{len(todo)}]")
        console.print(escape(segment.text))
        votes = ", ".join(f"{coder}: {'yes' if vote else 'no'}" for coder, vote in item.votes)
        console.print(f"[bold]{escape(item.code)}[/] {escape(labels.get(item.code, ''))} — {escape(votes)}")
        answer = ask("a/r/s/q> ")
        if answer is None:
            break
        if answer in ("a", "r"):
            decisions[(item.segment, item.code)] = answer == "a"
            project.adjudication.adjudicate(
                coders, as_coder=as_coder, decisions={(item.segment, item.code): answer == "a"}
            )
    return decisions
