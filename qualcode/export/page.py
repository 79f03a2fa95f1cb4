"""A tiny document model (headings, paragraphs, lists, tables, images) rendered as Markdown or as
one self-contained HTML page. Reports are built once and written in either format.

Every text in a page may come from users (quotes, memos, labels, names), so both renderings escape
it: HTML with html.escape, Markdown with md_text (HTML escaped, control characters shown as escapes,
and no code span, link or image can be made from it)."""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field

from qualcode.output import visible

CSS = """body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1d1d1f;line-height:1.45}table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums}code{background:#f5f5f5;padding:0 .2em}
blockquote{border-left:3px solid #ccc;margin:.5em 0;padding:.2em .8em;color:#444}img{max-width:100%}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}"""


@dataclass
class Page:
    title: str
    blocks: list[tuple] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(("h", level, text))

    def paragraph(self, text: str) -> None:
        self.blocks.append(("p", text))

    def items(self, items: list[str]) -> None:
        self.blocks.append(("ul", items))

    def quote(self, text: str) -> None:
        self.blocks.append(("quote", text))

    def table(self, columns: list[str], rows: list[dict]) -> None:
        self.blocks.append(("table", columns, rows))

    def image(self, png: bytes, alt: str) -> None:
        self.blocks.append(("img", png, alt))

    def markdown(self) -> str:
        out = [f"# {md_text(self.title)}", ""]
        for block in self.blocks:
            kind = block[0]
            if kind == "h":
                out += ["#" * block[1] + " " + md_text(block[2]), ""]
            elif kind == "p":
                out += [md_text(block[1]), ""]
            elif kind == "ul":
                out += [f"- {md_text(item)}" for item in block[1]] + [""]
            elif kind == "quote":
                out += ["> " + md_text(line) for line in block[1].splitlines()] + [""]
            elif kind == "table":
                columns, rows = block[1], block[2]
                out.append("| " + " | ".join(_md_cell(c) for c in columns) + " |")
                out.append("|" + "|".join("---" for _ in columns) + "|")
                out += ["| " + " | ".join(_md_cell(row.get(c)) for c in columns) + " |" for row in rows]
                out.append("")
            elif kind == "img":
                out += [f"![{md_text(block[2])}](data:image/png;base64,{base64.b64encode(block[1]).decode()})", ""]
        return "\n".join(out).rstrip() + "\n"

    def html(self) -> str:
        out = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1>",
        ]
        for block in self.blocks:
            kind = block[0]
            if kind == "h":
                out.append(f"<h{block[1]}>{html.escape(block[2])}</h{block[1]}>")
            elif kind == "p":
                out.append(f"<p>{html.escape(block[1])}</p>")
            elif kind == "ul":
                out.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in block[1]) + "</ul>")
            elif kind == "quote":
                out.append(f"<blockquote>{html.escape(block[1])}</blockquote>")
            elif kind == "table":
                columns, rows = block[1], block[2]
                head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
                body = "".join("<tr>" + "".join(_html_cell(row.get(c)) for c in columns) + "</tr>" for row in rows)
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            elif kind == "img":
                data = base64.b64encode(block[1]).decode()
                out.append(f'<img alt="{html.escape(block[2])}" src="data:image/png;base64,{data}">')
        out.append("</body></html>")
        return "\n".join(out) + "\n"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


MD_SPECIAL = re.compile(r"([\\`\[\]])")


def md_text(value: object) -> str:
    """Text from users as literal Markdown on one line: HTML escaped (& < >), so no tag reaches
    the page, the characters of code spans, links and images (\\ ` [ ]) backslash-escaped, and
    control characters shown as escapes (\\x1b), so printing the file cannot drive a terminal."""
    text = visible(" ".join(_text(value).split()))
    return MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _md_cell(value: object) -> str:
    return md_text(value).replace("|", "\\|")


def _html_cell(value: object) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="num">{html.escape(_text(value))}</td>' if numeric else f"<td>{html.escape(_text(value))}</td>"
