"""REFI-QDA project exchange (.qdpx): the whole project for NVivo, ATLAS.ti, MAXQDA and QualCoder.

A ``.qdpx`` file is a zip holding ``project.qde`` (QDA-XML, namespace ``urn:QDA-XML:project:1.0``,
valid against ``schemas/Project.xsd``) and ``sources/<guid>.txt``: each document's canonical text
(the LF text every qualcode offset refers to), UTF-8. It carries

- the codebook (code GUIDs as in the .qdc export, so the two agree);
- one ``User`` per coder;
- one ``Case`` per participant, with ``SourceRef`` to the documents they speak in;
- ``Variables`` (Text): role, task force and every participants.csv attribute, valued on Cases and
  on Sources (a group interview's value joins its participants' values with ``"; "``, in
  participant-id order, or is the one value they share);
- every coding as a ``PlainTextSelection`` whose ``startPosition``/``endPosition`` are code-point
  offsets into the source text, with one ``Coding`` whose ``CodeRef`` is the code and whose
  ``creatingUser`` is the coder. A coding memo is the selection's ``Description``.

Codings whose text was lost when a transcript changed, or whose code is not in the codebook, are
left out and counted. The export is deterministic: GUIDs are UUIDv5 of stable keys, everything is
sorted, the only dates are the codings' own ``at``, and zip entries have a fixed date, so two
exports of the same project are byte-identical. The file is written atomically.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from qualcode import __version__
from qualcode.coding.events import validate_coder
from qualcode.errors import ParameterError, ProjectError, QualcodeError, problem
from qualcode.export.refi_qda import ID_LINE, code_guid, describe
from qualcode.fileio import write_atomic
from qualcode.models import Coding, Participant

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.project import Project

NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
PROJECT_FILE = "project.qde"
SOURCES_DIR = "sources"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
MAX_BYTES = 64 * 1024 * 1024
STANDARD_VARIABLES = (
    ("role", "The participant's role (participants.csv column role)."),
    ("task_force", "The participant's task force (participants.csv column task_force)."),
)
DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
DESCRIPTION = (
    "Exported by qualcode. Sources are each transcript's canonical plain text (UTF-8, LF line "
    "endings); selection positions are offsets in Unicode code points into that text."
)


@dataclass(frozen=True)
class QdpxSummary:
    sources: int
    codings: int
    skipped: int  # codings left out: text lost on re-anchoring, or a code not in the codebook
    cases: int = 0
    users: int = 0


class QdpxCoding(NamedTuple):
    coder: str
    doc: str
    start: int
    end: int
    code: str


def guid(kind: str, *key: object) -> str:
    """UUIDv5 of ``key`` in a namespace of its own per kind (a case and a source may share an id)."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"https://qualcode.invalid/refi-qda/{kind}")
    return str(uuid.uuid5(namespace, json.dumps(list(key), ensure_ascii=False)))


def check_output(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        raise ProjectError(problem(path, None, "a REFI-QDA project file must end in .qdpx (e.g. -o study.qdpx)"))
    return path


# writing ------------------------------------------------------------------------------------------
def write_qdpx(project: Project, path: str | Path, coders: list[str] | None = None) -> QdpxSummary:
    """Write the project (all coders, or ``coders``) as a REFI-QDA .qdpx file, atomically."""
    path = check_output(path)
    users = _chosen_coders(project, coders)
    codebook = project.codebook()
    codings, skipped = _codings(project, codebook, users)
    documents = project.index.documents()
    participants = project.index.participants()
    variables = _variables(participants)
    people = {p.id: p for p in participants}
    doc_people = {d.id: sorted(set(d.participants) - {""}) for d in documents}

    ET.register_namespace("", NS)
    ET.register_namespace("xsi", XSI)
    root = _element(
        None,
        "Project",
        name=project.config.name,
        origin=f"qualcode {__version__}",
        **{f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION},
    )
    if users:
        users_element = _element(root, "Users")
        for coder in users:
            _element(users_element, "User", guid=guid("user", coder), name=coder, id=coder)
    _codebook(root, codebook)
    if variables:
        variables_element = _element(root, "Variables")
        for name, description in variables:
            variable = _element(
                variables_element, "Variable", guid=guid("variable", name), name=name, typeOfVariable="Text"
            )
            _element(variable, "Description", text=description)
    if participants:
        cases = _element(root, "Cases")
        for person in participants:
            case = _element(cases, "Case", guid=guid("case", person.id), name=person.id)
            _values(case, variables, [person])
            for doc_id in sorted(d for d, pids in doc_people.items() if person.id in pids):
                _element(case, "SourceRef", targetGUID=guid("source", doc_id))
    files: list[tuple[str, bytes]] = []
    if documents:
        sources = _element(root, "Sources")
        for doc in documents:
            source_guid = guid("source", doc.id)
            text = project.document_text(doc.id)
            files.append((f"{SOURCES_DIR}/{source_guid}.txt", text.encode("utf-8")))
            source = _element(
                sources, "TextSource", guid=source_guid, name=doc.id, plainTextPath=f"internal://{source_guid}.txt"
            )
            _element(source, "Description", text=f"Transcript {doc.path} ({doc.format}) as qualcode's canonical text.")
            for row in codings.get(doc.id, []):
                _selection(source, row)
            _values(source, variables, [people[p] for p in doc_people[doc.id] if p in people])
    _element(root, "Description", text=DESCRIPTION)
    ET.indent(root, space="  ")
    qde = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [(PROJECT_FILE, qde), *files]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    write_atomic(path, buffer.getvalue())
    return QdpxSummary(
        sources=len(documents),
        codings=sum(len(rows) for rows in codings.values()),
        skipped=skipped,
        cases=len(participants),
        users=len(users),
    )


def _chosen_coders(project: Project, coders: list[str] | None) -> list[str]:
    known = project.coders.names()
    if coders is None:
        return sorted(known)
    chosen = sorted({validate_coder(c) for c in coders})
    if not chosen:
        raise ParameterError("{coders} names no coder; give names such as {coders} alice,bob", "coders")
    for coder in chosen:
        if coder not in known:
            raise ProjectError(f"no codings by {coder} (known coders: {', '.join(known) or 'none'})")
    return chosen


def _codings(project: Project, codebook: Codebook, coders: list[str]) -> tuple[dict[str, list[Coding]], int]:
    """doc -> codings at their current segment, one per (coder, span, live code); and how many were left out."""
    found: dict[tuple[str, str, int, int, str], Coding] = {}
    skipped = 0
    for coder in coders:
        rows = sorted(project.index.codings(coder=coder), key=lambda c: (c.doc, c.start, c.end, c.code))
        for c in rows:
            segment = project.index.segment(c.segment) if c.segment and c.status != "lost" else None
            code = codebook.resolve(c.code)
            if segment is None or code is None:
                skipped += 1
                continue
            key = (coder, segment.doc, segment.start, segment.end, code)
            if key in found:  # re-anchoring brought two codings onto one segment: they are one coding now
                kept = found[key]
                found[key] = replace(kept, at=min(kept.at, c.at), memo=kept.memo or c.memo)
                continue
            found[key] = replace(c, coder=coder, doc=segment.doc, start=segment.start, end=segment.end, code=code)
    by_doc: dict[str, list[Coding]] = {}
    for key in sorted(found, key=lambda k: (k[1], k[2], k[3], k[4], k[0])):
        by_doc.setdefault(key[1], []).append(found[key])
    return by_doc, skipped


def _variables(participants: list[Participant]) -> list[tuple[str, str]]:
    names = dict(STANDARD_VARIABLES)
    for person in participants:
        for name, _ in person.attributes:
            names.setdefault(name, f"Participant attribute (participants.csv column {name}).")
    return list(names.items())


def _value(person: Participant, name: str) -> str:
    if name in ("role", "task_force"):
        return getattr(person, name) or ""
    return str(dict(person.attributes).get(name) or "")


def _values(parent: ET.Element, variables: list[tuple[str, str]], people: list[Participant]) -> None:
    for name, _ in variables:
        values = [_value(p, name) for p in people]
        if not any(values):
            continue
        text = values[0] if len(set(values)) == 1 else "; ".join(values)
        value = _element(parent, "VariableValue")
        _element(value, "VariableRef", targetGUID=guid("variable", name))
        _element(value, "TextValue", text=text)


def _codebook(root: ET.Element, codebook: Codebook) -> None:
    book = _element(root, "CodeBook")
    codes = _element(book, "Codes")
    elements: dict[str, ET.Element] = {}
    for code in codebook.codes:  # depth-first, parents before children
        attrs = {"guid": code_guid(code.id), "name": code.label, "isCodable": "true"}
        if code.color:
            attrs["color"] = code.color[:7].upper()
        element = _element(elements[code.parent] if code.parent else codes, "Code", **attrs)
        _element(element, "Description", text=describe(code))
        elements[code.id] = element


def _selection(source: ET.Element, row: Coding) -> None:
    user = guid("user", row.coder)
    key = (row.coder, row.doc, row.start, row.end, row.code)
    dated = {"creationDateTime": row.at} if DATETIME_RE.fullmatch(row.at or "") else {}
    selection = _element(
        source,
        "PlainTextSelection",
        guid=guid("selection", *key),
        name=row.code,
        startPosition=str(row.start),
        endPosition=str(row.end),
        creatingUser=user,
        **dated,
    )
    if row.memo:
        _element(selection, "Description", text=row.memo)
    coding = _element(selection, "Coding", guid=guid("coding", *key), creatingUser=user, **dated)
    _element(coding, "CodeRef", targetGUID=code_guid(row.code))


def _element(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    values = {k: _clean(v) for k, v in attrs.items()}
    element = (
        ET.Element(f"{{{NS}}}{tag}", values) if parent is None else ET.SubElement(parent, f"{{{NS}}}{tag}", values)
    )
    if text is not None:
        element.text = _clean(text)
    return element


def _clean(value: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters), so the file stays well-formed."""
    return NOT_XML_CHAR.sub("", str(value))


# reading ------------------------------------------------------------------------------------------
def read_qdpx(path: str | Path) -> list[QdpxCoding]:
    """Every coding of a .qdpx as (coder, document, start, end, code), sorted.

    The coder is the ``User`` name (else its id, else its GUID); the document is the source's name;
    the code is the qualcode id from the code's description (``qualcode id:`` line), else its name.
    DTDs and entity declarations are refused.
    """
    path = Path(path)
    root = _parse_safely(path, _read_project_file(path))
    if root.tag != f"{{{NS}}}Project":
        raise QualcodeError(problem(path, None, f"not a REFI-QDA project (root element {root.tag!r})"))
    users = {
        _norm(u.get("guid")): u.get("name") or u.get("id") or _norm(u.get("guid")) for u in root.iter(f"{{{NS}}}User")
    }
    codes: dict[str, str] = {}
    book = root.find(f"{{{NS}}}CodeBook")
    for code in book.iter(f"{{{NS}}}Code") if book is not None else []:
        description = code.findtext(f"{{{NS}}}Description") or ""
        ids = [line[len(ID_LINE) :].strip() for line in description.splitlines() if line.startswith(ID_LINE)]
        codes[_norm(code.get("guid"))] = ids[0] if ids else (code.get("name") or _norm(code.get("guid")))
    found: list[QdpxCoding] = []
    sources = root.find(f"{{{NS}}}Sources")
    for source in sources.findall(f"{{{NS}}}TextSource") if sources is not None else []:
        doc = source.get("name") or _norm(source.get("guid"))
        for selection in source.findall(f"{{{NS}}}PlainTextSelection"):
            try:
                start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
            except (TypeError, ValueError):
                raise QualcodeError(
                    problem(path, None, f"a PlainTextSelection in {doc} has no valid positions")
                ) from None
            for coding in selection.findall(f"{{{NS}}}Coding"):
                user = _norm(coding.get("creatingUser") or selection.get("creatingUser"))
                ref = coding.find(f"{{{NS}}}CodeRef")
                target = _norm(ref.get("targetGUID") if ref is not None else None)
                found.append(QdpxCoding(users.get(user, user), doc, start, end, codes.get(target, target)))
    return sorted(found)


def read_qdpx_sources(path: str | Path) -> dict[str, str]:
    """Source name -> its plain text, read from ``sources/`` by ``plainTextPath`` (or inline content)."""
    path = Path(path)
    root = _parse_safely(path, _read_project_file(path))
    texts: dict[str, str] = {}
    with _open_zip(path) as archive:
        members = {info.filename: info for info in archive.infolist()}
        for source in root.iter(f"{{{NS}}}TextSource"):
            name = source.get("name") or _norm(source.get("guid"))
            inline = source.find(f"{{{NS}}}PlainTextContent")
            if inline is not None:
                texts[name] = inline.text or ""
                continue
            location = source.get("plainTextPath") or ""
            member = f"{SOURCES_DIR}/{location[len('internal://') :]}" if location.startswith("internal://") else None
            if member not in members:
                raise QualcodeError(
                    problem(path, None, f"source {name}: {location or 'no plainTextPath'} is not in the file")
                )
            texts[name] = _read_member(path, archive, members[member]).decode("utf-8")
    return texts


def _read_project_file(path: Path) -> bytes:
    with _open_zip(path) as archive:
        entries = [info for info in archive.infolist() if info.filename.lower() == PROJECT_FILE]
        if not entries:
            raise QualcodeError(problem(path, None, f"no {PROJECT_FILE} in the file; is it a REFI-QDA project?"))
        return _read_member(path, archive, entries[0])


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise QualcodeError(problem(path, None, "no such file"))
    from qualcode.ziplimits import check_zip

    check_zip(path, path)
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise QualcodeError(problem(path, None, "not a .qdpx file (not a zip archive)")) from None


def _read_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_BYTES:
        raise QualcodeError(problem(path, None, f"{info.filename} is larger than {MAX_BYTES // 1048576} MB"))
    with archive.open(info) as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise QualcodeError(problem(path, None, f"{info.filename} is larger than {MAX_BYTES // 1048576} MB"))
    return data


def _parse_safely(path: Path, data: bytes) -> ET.Element:
    from qualcode.transcripts.decode import XmlRefused, parse_xml

    try:
        return parse_xml(data)
    except XmlRefused as exc:
        if exc.declarations:
            raise QualcodeError(problem(path, None, f"{exc} in {PROJECT_FILE}")) from None
        raise QualcodeError(problem(f"{path}!{PROJECT_FILE}", exc.line, str(exc))) from None


def _norm(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()
