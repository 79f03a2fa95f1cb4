"""Regenerate docs/cli.md from the commands' own --help, so the page and the help never disagree.

    python scripts/make_cli_doc.py [--check]

The help texts (docstrings and option help in qualcode/cli/) are the single source: edit them, then
run this script. The page is built from the Click command tree, so it does not depend on the
terminal's width. Only the general text at the top lives here. `--check` exits 1 if the page is stale.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from docgen import write_or_check  # noqa: E402

sys.path.insert(0, str(ROOT))

# The top-level commands in the order qualcode/cli/app.py registers them. Click keeps groups after
# plain commands, so the order is stated here; render() fails if it and the app disagree.
ORDER = [
    "init",
    "import",
    "docs",
    "show",
    "segments",
    "summary",
    "check",
    "index",
    "codebook",
    "apply",
    "unapply",
    "code",
    "codings",
    "adjudicate",
    "autocode",
    "suggestions",
    "review",
    "agree",
    "matrix",
    "cooccur",
    "quotes",
    "report",
    "export",
    "demo",
]

GENERAL = """\
Every command runs on one project (see [project.md](project.md#finding-the-project)). Options that
apply to all commands go before the command; listing commands also accept `-f` after it:

{options}

Data goes to stdout; messages go to stderr. A user mistake prints one line `Error: <message>` on
stderr (starting with `<file>:<line>:` when a file is at fault) and exits with status 1, writing
nothing. The column names below are stable: scripts may rely on them. `qualcode COMMAND --help` prints the same text as each section below."""


def escape(text: str) -> str:
    """Help text (plain, as the terminal shows it) as Markdown that renders the same characters."""
    text = re.sub(r"([\\`*\[<|$])", r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"^([#>]|[-+](?=\s)|\d+(?=[.)]\s))", r"\\\1", text)  # no heading, quote or list
    return re.sub(r"\bdocs/([\w-]+\.md)\b", r"[docs/\1](\1)", text)


def plain(text: str) -> str:
    """One paragraph as the terminal shows it: lines joined, Rich markup resolved."""
    from rich.text import Text

    return Text.from_markup(" ".join(line.strip() for line in text.splitlines())).plain


def paragraphs(command) -> list[str]:
    help_text = inspect.cleandoc(command.help or "").partition("\f")[0]
    out = []
    for paragraph in filter(None, (p.strip() for p in help_text.split("\n\n"))):
        text = plain(paragraph)
        if text.startswith("Example: "):
            out.append(f"Example: `{text.removeprefix('Example: ')}`")
        else:
            out.append(escape(text))
    return out


def summary(command) -> str:
    return paragraphs(command)[0]


def parameter_row(param, ctx) -> str:
    """| names | meaning | default |, from the same help record the terminal shows."""
    names, record = param.get_help_record(ctx)
    meaning = " ".join(plain(p) for p in (param.help or "").split("\n\n"))
    own = (param.help or "").replace("\n", " ").strip()
    extras = record[len(own) :].strip()
    if not record.startswith(own) or (extras and not (extras.startswith("[") and extras.endswith("]"))):
        raise SystemExit(f"{ctx.command_path} {names}: cannot read the help record {record!r}")
    notes = []
    for extra in filter(None, extras[1:-1].split("; ")):
        key, _, value = extra.partition(": ")
        notes.append(f"`{value}`" if key == "default" else escape(extra))
    return f"| `{names}` | {escape(meaning)} | {'; '.join(notes)} |"


def parameter_table(command, ctx, heading: str) -> list[str]:
    params = [p for p in command.params if p.get_help_record(ctx) is not None]
    params.sort(key=lambda p: p.param_type_name != "argument")
    if not params:
        return []
    return [f"| {heading} | meaning | default |", "|---|---|---|", *(parameter_row(p, ctx) for p in params), ""]


def anchor(path: str) -> str:
    return "#" + path.replace(" ", "-")


def walk(command, ctx):
    """(context, command) for every command below this group, depth first, in the group's order."""
    for name, sub in command.commands.items():
        sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
        yield sub_ctx, sub
        if hasattr(sub, "commands"):  # a group (Typer may vendor click, so no isinstance check)
            yield from walk(sub, sub_ctx)


def section(command, ctx) -> list[str]:
    path = ctx.command_path
    lines = [f"## {path}", "", f"`{path} {' '.join(command.collect_usage_pieces(ctx))}`", ""]
    for paragraph in paragraphs(command):
        lines += [paragraph, ""]
    lines += parameter_table(command, ctx, "argument / option")
    if hasattr(command, "commands"):
        subs = [f"[{path} {name}]({anchor(f'{path} {name}')})" for name in command.commands]
        lines += [f"Sub-commands: {', '.join(subs)}.", ""]
    return lines


def render() -> str:
    import typer

    from qualcode.cli.app import app

    root = typer.main.get_command(app)
    if sorted(ORDER) != sorted(root.commands):
        raise SystemExit(
            f"ORDER in {Path(__file__).name} does not match the commands of qualcode/cli/app.py: "
            f"{sorted(set(ORDER) ^ set(root.commands))}"
        )
    root.commands = {name: root.commands[name] for name in ORDER}
    root_ctx = root.context_class(root, info_name="qualcode")
    commands = list(walk(root, root_ctx))

    lines = [
        "# Command-line reference",
        "",
        "<!-- generated by scripts/make_cli_doc.py from the commands' --help; edit the help texts in "
        "qualcode/cli/, then run the script -->",
        "",
    ]
    for paragraph in paragraphs(root):
        lines += [paragraph, ""]
    options = "\n".join(parameter_table(root, root_ctx, "option")).rstrip("\n")
    lines += [GENERAL.format(options=options), ""]
    lines += ["| command | what it does |", "|---|---|"]
    lines += [f"| [{ctx.command_path}]({anchor(ctx.command_path)}) | {summary(command)} |" for ctx, command in commands]
    lines.append("")
    for ctx, command in commands:
        lines += section(command, ctx)
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    write_or_check("cli.md", render)


if __name__ == "__main__":
    main()
