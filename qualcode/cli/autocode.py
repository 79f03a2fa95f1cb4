"""Commands for rule-based suggestions: autocode (variants, evaluate), suggestions, review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import FormatOption, ask, at_least, emit, open_project, say, state
from qualcode.output import visible

if TYPE_CHECKING:
    from qualcode.autocode.evaluation import CodeScore, Evaluation
    from qualcode.models import Evidence
    from qualcode.project import Project

autocode_app = typer.Typer(
    help="Compute rule-based suggestions from the codebook's cues.\n\n"
    "Suggestions are computed for the segments of the speakers each code's cues.speakers names "
    "(participant segments by default) and stored in the index with their evidence. Re-running with an unchanged codebook, corpus and options does no work. --codes "
    "takes a pattern: 'LABOR*', or LABOR for the code and its sub-codes.\n\n"
    "--commit-as auto also writes every suggestion as the coder auto's codings (origin "
    "auto:<codebook sha>), so the rules can be compared with human coders like any other coder. "
    "How matching works: docs/autocode.md.\n\n"
    "Example: qualcode autocode --codes 'LABOR*'"
)
CodesOption = Annotated[str | None, typer.Option("--codes", help="Only codes matching this pattern, e.g. 'LABOR*'.")]


@autocode_app.callback(invoke_without_command=True)
def autocode(
    ctx: typer.Context,
    codes: CodesOption = None,
    doc: Annotated[str | None, typer.Option(help="Only this document.")] = None,
    fuzzy: Annotated[bool, typer.Option("--fuzzy/--no-fuzzy", help="Match misspelled variants of cue words.")] = True,
    commit_as: Annotated[
        str | None, typer.Option("--commit-as", help="Also write every suggestion as this coder's codings (e.g. auto).")
    ] = None,
) -> None:
    """Compute and store suggestions (the help shown is autocode_app's, above)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.progress import Progress

    project = open_project(ctx)
    console = _stderr()
    with Progress(transient=True, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task("Matching", total=None)
        report = project.autocode.run(
            codes=codes,
            doc=doc,
            fuzzy=fuzzy,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if report.reused:
        say(f"Suggestions are up to date: {report.suggestions} (codebook and corpus unchanged)")
    else:
        say(f"{report.suggestions} suggestions; {report.variants} fuzzy variants")
    if commit_as:
        added = project.autocode.commit(commit_as)
        say(f"{commit_as}: {added} codings written from the suggestions")


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


@autocode_app.command("variants")
def variants(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(help="Only this code (and sub-codes).")] = None,
    fmt: FormatOption = None,
) -> None:
    """List the misspelled variants fuzzy matching accepted (veto one with cues.not_variants).

    Columns: code, cue, word, variant, phrase, score. To veto a variant, list the word in the code's cues.not_variants.

    Example: qualcode autocode variants LABOR.PARTNERS
    """
    from dataclasses import asdict

    from qualcode.autocode.service import VARIANT_COLUMNS

    emit(ctx, [asdict(v) for v in open_project(ctx).autocode.variants(code)], VARIANT_COLUMNS, fmt)


@autocode_app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    gold: Annotated[str, typer.Option(help="The human coder whose codings are the reference.")],
    codes: CodesOption = None,
    top: Annotated[int, typer.Option(help="False positives / negatives to show per code.")] = 3,
    fmt: FormatOption = None,
) -> None:
    """Precision, recall, F1 and support per code, micro/macro averages, and the worst misses.

    Compares the stored suggestions with the --gold coder's codings over the participant segments of the documents that coder coded. Columns: code, precision, recall, f1, support, tp, fp, fn, then a (micro) row (pooled counts) and a (macro) row (the mean of the defined per-code values).

    In the table format it then lists up to --top false positives and false negatives per code with their text, on stderr.

    Example: qualcode autocode evaluate --gold alice --codes 'VCA*'
    """
    at_least(top, 0, "top")
    project = open_project(ctx)
    result = project.autocode.evaluate(gold, codes=codes)
    rows = [_score_row(s) for s in result.scores]
    rows.append(_score_row(result.micro))
    rows.append(
        {
            "code": "(macro)",
            "precision": _f(result.macro_precision),
            "recall": _f(result.macro_recall),
            "f1": _f(result.macro_f1),
            "support": result.micro.support,
            "tp": "",
            "fp": "",
            "fn": "",
        }
    )
    emit(ctx, rows, ["code", "precision", "recall", "f1", "support", "tp", "fp", "fn"], fmt)
    if (fmt or state(ctx).format) == "table" and top:
        _print_errors(project, result, top)


def _score_row(score: CodeScore) -> dict[str, object]:
    return {
        "code": score.code,
        "precision": _f(score.precision),
        "recall": _f(score.recall),
        "f1": _f(score.f1),
        "support": score.support,
        "tp": score.tp,
        "fp": score.fp,
        "fn": score.fn,
    }


def _f(value: float) -> str:
    return "" if value != value else f"{value:.3f}"


def _print_errors(project: Project, result: Evaluation, top: int) -> None:
    texts = {s.id: s.text for s in project.segments(speaker="participant")}
    for label, found in (("false positive", result.false_positives), ("false negative", result.false_negatives)):
        for code, segments in found.items():
            for segment in segments[:top]:
                excerpt = " ".join(texts.get(segment, "").split())[:100]
                say(f"{label}  {code}  {segment}  {excerpt}")


def suggestions(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Option(help="Only this code (and sub-codes).")] = None,
    doc: Annotated[str | None, typer.Option(help="Only this document.")] = None,
    explain: Annotated[bool, typer.Option(help="Show each segment with the matched words marked.")] = False,
    fmt: FormatOption = None,
) -> None:
    """List stored suggestions: segment, code, score, kinds, cues, matched words, text.

    Columns: segment, code, score, kinds, cues, matched, text. kinds are among phrase, pattern, regex and fuzzy; score is 1 for exact evidence and the similarity for fuzzy.

    --explain prints each segment with the matched words highlighted and every piece of evidence with its offsets in the segment text.

    Example: qualcode suggestions --code LABOR --explain
    """
    from qualcode.autocode.service import SUGGESTION_COLUMNS, suggestion_row

    found = open_project(ctx).autocode.suggestions(code=code, doc=doc)
    if not explain:
        emit(ctx, [suggestion_row(s) for s in found], SUGGESTION_COLUMNS, fmt)
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    for row in found:
        console.rule(escape(visible(f"{row.segment}  {row.code}  score {round(row.score, 2)}")))
        console.print(highlight(row.text, row.evidence))
        for e in row.evidence:
            console.print(visible(f"  {e.kind}: '{e.cue}' matched '{e.matched}' at {e.start}-{e.end}"), markup=False)


def highlight(text: str, evidence: Iterable[Evidence]) -> str:
    """Rich markup with matched spans in bold yellow (overlapping spans merged); control characters
    of the text are shown as escapes (\\x1b), so they cannot drive the terminal."""
    from rich.markup import escape

    spans = sorted((e.start, e.end) for e in evidence)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])

    def shown(part: str) -> str:
        return escape(visible(part, keep="\n\t"))

    out, at = [], 0
    for start, end in merged:
        out.append(shown(text[at:start]))
        out.append(f"[bold yellow]{shown(text[start:end])}[/]")
        at = end
    out.append(shown(text[at:]))
    return "".join(out)


def review(
    ctx: typer.Context,
    coder: Annotated[str, typer.Option("--coder", "-c", help="Your coder name.")],
    code: Annotated[str | None, typer.Option(help="Only this code (and sub-codes).")] = None,
    doc: Annotated[str | None, typer.Option(help="Only this document.")] = None,
) -> None:
    """Walk the suggestions you have not decided: a accept, r reject, s skip, q quit (all saved at once).

    Accepting (a) writes an add event with origin auto:<codebook sha>; rejecting (r) writes a reject event, so the suggestion is not offered again. The interactive qualcode code session also shows a segment's suggestions, with the matched words highlighted.

    Example: qualcode review --coder alice --code 'LABOR*'
    """
    from rich.console import Console
    from rich.markup import escape

    from qualcode.autocode.service import suggestion_row

    project = open_project(ctx)
    pending = project.autocode.pending(coder, code=code, doc=doc)
    console = Console(highlight=False)
    console.print(f"{len(pending)} suggestions to review. a = accept, r = reject, s = skip, q = quit.")
    labels = {c.id: c.label for c in project.codebook().codes}
    accepted = rejected = 0
    for number, item in enumerate(pending, start=1):
        console.rule(escape(visible(item.segment)) + f"  [{number}/{len(pending)}]")
        console.print(highlight(item.text, item.evidence))
        label, cues = escape(visible(labels.get(item.code, ""))), escape(visible(str(suggestion_row(item)["cues"])))
        console.print(f"Suggest [bold]{escape(visible(item.code))}[/] {label} — cues: {cues}")
        answer = ask("a/r/s/q> ")
        if answer is None:
            break
        if answer == "a":
            project.autocode.accept(item, coder=coder)
            accepted += 1
        elif answer == "r":
            project.autocode.reject(item, coder=coder)
            rejected += 1
    console.print(f"Saved: {accepted} accepted, {rejected} rejected.")
