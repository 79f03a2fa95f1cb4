"""REFI-QDA codebook exchange (.qdc), the format NVivo, ATLAS.ti, MAXQDA and QualCoder read.

Export is deterministic: GUIDs are UUIDv5 of the code id, so two exports are byte-identical.
Descriptions carry the definition, when-to-use, when-not-to-use and examples as labelled
paragraphs plus a ``qualcode id:`` line, which import reads back. Cues have no place in QDC.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from qualcode import __version__
from qualcode.codebook import Codebook
from qualcode.errors import ParameterError, ProjectError, QualcodeError, problem
from qualcode.fileio import write_atomic
from qualcode.models import Code

NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://qualcode.invalid/refi-qda/code")
SECTIONS = (("definition", "Definition"), ("when_to_use", "When to use"), ("when_not_to_use", "When not to use"))
ID_LINE = "qualcode id: "
MAX_BYTES = 16 * 1024 * 1024
MAX_LEVELS = 20  # of nested codes; the codebook YAML allows about 24


def code_guid(code_id: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, code_id))


def codebook_to_qdc(codebook: Codebook) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}CodeBook", {"origin": f"qualcode {__version__}"})
    codes = ET.SubElement(root, f"{{{NS}}}Codes")
    elements: dict[str, ET.Element] = {}
    for code in codebook.codes:
        parent = elements[code.parent] if code.parent else codes
        attrs = {"guid": code_guid(code.id), "name": code.label, "isCodable": "true"}
        if code.color:
            attrs["color"] = code.color[:7].upper()
        element = ET.SubElement(parent, f"{{{NS}}}Code", attrs)
        ET.SubElement(element, f"{{{NS}}}Description").text = describe(code)
        elements[code.id] = element
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def describe(code: Code) -> str:
    parts = [f"{title}: {getattr(code, key)}" for key, title in SECTIONS if getattr(code, key)]
    parts += [f"Example: {example}" for example in code.examples]
    parts.append(f"{ID_LINE}{code.id}")
    return "\n\n".join(parts)


def qdc_to_yaml_data(path: Path) -> dict:
    """Read a .qdc file into the codebook YAML structure. DTDs and entities are refused."""
    root = _parse_safely(path)
    if root.tag != f"{{{NS}}}CodeBook":
        raise QualcodeError(problem(path, None, f"not a REFI-QDA codebook (root element {root.tag!r})"))
    codes_element = root.find(f"{{{NS}}}Codes")
    if codes_element is None:
        raise QualcodeError(problem(path, None, "no <Codes> element"))
    used: set[str] = set()
    codes = [_code(element, path, used, None) for element in codes_element.findall(f"{{{NS}}}Code")]
    if not codes:
        raise QualcodeError(problem(path, None, "the codebook has no codes"))
    return {"codebook": path.stem, "version": "1", "codes": codes}


def _parse_safely(path: Path) -> ET.Element:
    from qualcode.transcripts.decode import XmlRefused, parse_xml

    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise QualcodeError(problem(path, None, f"file is larger than {MAX_BYTES // 1048576} MB"))
    try:
        return parse_xml(data)
    except XmlRefused as exc:
        message = f"{exc} in a .qdc file" if exc.declarations else str(exc)
        raise QualcodeError(problem(path, exc.line, message)) from None


def _code(element: ET.Element, path: Path, used: set[str], parent: str | None, level: int = 1) -> dict:
    if level > MAX_LEVELS:
        raise QualcodeError(problem(path, None, f"codes are nested more than {MAX_LEVELS} levels deep"))
    name = (element.get("name") or "").strip()
    if not name:
        raise QualcodeError(problem(path, None, "a <Code> has no name"))
    description = element.findtext(f"{{{NS}}}Description") or ""
    fields = _read_description(description)
    code_id = _unique(fields.pop("id", None) or _slug(name, parent), used)
    code: dict = {"id": code_id, "label": name}
    code.update({k: v for k, v in fields.items() if v})
    color = element.get("color")
    if color and re.fullmatch(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})", color):
        code["color"] = _normal_color(color)
    children = [_code(child, path, used, code_id, level + 1) for child in element.findall(f"{{{NS}}}Code")]
    if children:
        code["children"] = children
    return code


def _read_description(text: str) -> dict:
    """Split a description written by ``describe`` back into fields; other text is the definition."""
    fields: dict = {}
    examples: list[str] = []
    loose: list[str] = []
    titles = {title.lower(): key for key, title in SECTIONS}
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text.strip())):
        if not paragraph:
            continue
        if paragraph.startswith(ID_LINE):
            fields["id"] = paragraph[len(ID_LINE) :].strip()
            continue
        head, _, rest = paragraph.partition(": ")
        if head.lower() in titles and rest:
            fields[titles[head.lower()]] = rest.strip()
        elif head.lower() == "example" and rest:
            examples.append(rest.strip())
        else:
            loose.append(paragraph)
    if loose:
        fields["definition"] = "\n\n".join(([fields["definition"]] if "definition" in fields else []) + loose)
    if examples:
        fields["examples"] = examples
    return fields


def _slug(name: str, parent: str | None) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    base = "_".join(words).upper()[:40] or "CODE"
    if not base[0].isalpha():
        base = f"C_{base}"
    return f"{parent}.{base}" if parent else base


def _unique(code_id: str, used: set[str]) -> str:
    candidate, n = code_id, 2
    while candidate in used:
        candidate, n = f"{code_id}_{n}", n + 1
    used.add(candidate)
    return candidate


def _normal_color(color: str) -> str:
    """#abc and #aabbcc become #AABBCC; an alpha channel (#AABBCCDD) is kept."""
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.upper()


def export_codebook(source: str | Path, output: str | Path, fmt: str = "qdc") -> None:
    """Write a codebook in an exchange format (REFI-QDA .qdc), atomically."""
    from qualcode.codebook import load_codebook

    if fmt != "qdc":
        raise ParameterError(f"unknown codebook export format {fmt!r}; use qdc", "fmt")
    write_atomic(Path(output), codebook_to_qdc(load_codebook(source)))


def import_codebook(source: str | Path, output: str | Path, *, force: bool = False) -> Codebook:
    """Convert a REFI-QDA .qdc codebook to qualcode YAML; the result is validated before it is written."""
    from qualcode.codebook import dump_codebook_data, load_codebook

    source, output = Path(source), Path(output)
    if not source.is_file():
        raise ProjectError(problem(source, None, "no such file"))
    if output.exists() and not force:
        raise ParameterError("exists; pass {force} to overwrite it", "force", path=output)
    text = dump_codebook_data(qdc_to_yaml_data(source))
    staging = output.with_name(f".{output.name}.check.yaml")
    write_atomic(staging, text)
    try:
        load_codebook(staging)
    finally:
        staging.unlink(missing_ok=True)
    write_atomic(output, text)
    return load_codebook(output)
