"""`qualcode demo`: build synthetic projects (interviews, participants, ground truth, coders' logs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import say

demo_app = typer.Typer(
    help="Synthetic study projects with known answers, for trying qualcode and for tests.\n\n"
    "Example: qualcode demo generate demo-study"
)


@demo_app.command("generate")
def generate(
    folder: Annotated[Path, typer.Argument(help="Folder to create the project in (new or empty).")],
    interviews: Annotated[
        int,
        typer.Option(
            help="Interviews (the study had 143: 60 law enforcement, 23 prosecutors, 55 victim service providers, 5 other)."
        ),
    ] = 143,
    seed: Annotated[int, typer.Option(help="Random seed: the same arguments give byte-identical files.")] = 1,
    scale: Annotated[int, typer.Option(help="Make K times as many interviews (for scaling tests).")] = 1,
    words: Annotated[
        int, typer.Option(help="Median participant words per interview (8000 is a 60-90 minute interview).")
    ] = 8000,
    coders: Annotated[
        int, typer.Option(help="Simulated coders' logs to write: 2 (coder_a, coder_b) or 3 (+ coder_c).")
    ] = 2,
    error_rate: Annotated[
        float, typer.Option(help="Coders' base error rate; harder codes are missed and confused more often.")
    ] = 0.1,
    gold: Annotated[
        bool, typer.Option(help="Also write the ground truth as the coder 'gold' (for autocode evaluate --gold gold).")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Write into a folder that is not empty, replacing its transcripts and codings.")
    ] = False,
) -> None:
    """Write a synthetic ECM study: transcripts, participants, the codebook, ground truth and coders' logs.

    A complete project: interviews across 10 task forces with the study's role mix (60 law enforcement, 23 prosecutors, 55 victim service providers, 5 other at 143 interviews), participants.csv (role, task force, agency type, years on the task force), transcripts of realistic length (median --words participant words) in txt, md, vtt and docx, the ECM codebook, ground_truth.csv (the codes of every participant turn), and the logs of two or three simulated coders who follow the ground truth with per-code error rates (--gold also writes the ground truth as the coder gold).

    Content is composed from a bank of answer passages written for qualcode (qualcode/demo_bank/), following the study's topic guide, with theme prevalences that differ by role. The same arguments give byte-identical output; --scale K makes K times as many interviews. make demo uses it.

    Example: qualcode demo generate demo-study --interviews 143 --seed 1
    """
    from rich.console import Console
    from rich.progress import Progress

    from qualcode.demo.generator import generate_corpus

    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("Writing interviews", total=None)

        def progress(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=what)

        report = generate_corpus(
            folder,
            interviews=interviews,
            seed=seed,
            scale=scale,
            words=words,
            coders=coders,
            error_rate=error_rate,
            force=force,
            gold=gold,
            progress=progress,
        )
    say(report.summary())
