"""Hostile or broken input files (issue 14): each is one located line, exit 1, and nothing is lost.

Import of clashing names or a folder, symbolic links out of transcripts/, XML with DTDs in any
encoding, zip bombs, catastrophic regexes, YAML tags, a ';'-separated participants.csv and
caption garbage."""

from __future__ import annotations

import codecs
import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from qualcode.autocode.regex import regex_problem
from qualcode.errors import QualcodeError
from qualcode.export.qdpx import read_qdpx
from qualcode.export.refi_qda import import_codebook
from qualcode.project import Project
from qualcode.transcripts import ReaderSettings, parse_transcript
from tests.conftest import SAMPLES, run_cli

INTERVIEW = "Interviewer: How did it start?\n\nAna: After a training in 2019.\n"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "p"
    Project.init(root)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def docx_bytes(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def word_document(text: str, doctype: str = "") -> bytes:
    body = f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body>"
    return f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{W}">{body}</w:document>'.encode()


# 1, 2. import --------------------------------------------------------------------------------------
def test_the_same_file_name_twice_in_one_import_is_refused_and_nothing_is_imported(project, tmp_path):
    first = write(tmp_path / "a" / "x.txt", INTERVIEW)
    second = write(tmp_path / "b" / "x.txt", INTERVIEW.replace("Ana", "Bea"))
    result = run_cli("-p", project, "import", first, second, "--role", "other")
    assert (result.code, result.err) == (
        1,
        f"Error: {second}: has the same file name as {first}; rename one (only one can be transcripts/x.txt)\n",
    )
    assert list((project / "transcripts").iterdir()) == []


def test_the_same_document_id_twice_in_one_import_is_refused(project, tmp_path):
    first = write(tmp_path / "a" / "x.txt", INTERVIEW)
    second = write(tmp_path / "b" / "x.md", INTERVIEW)
    result = run_cli("-p", project, "import", first, second, "--role", "other")
    assert (result.code, result.err) == (
        1,
        f"Error: {second}: document id x is also the id of {first}; rename one of them\n",
    )
    assert list((project / "transcripts").iterdir()) == []


def test_importing_a_folder_says_to_import_its_files(project, tmp_path):
    folder = tmp_path / "interviews"
    write(folder / "x.txt", INTERVIEW)
    result = run_cli("-p", project, "import", folder, "--role", "other")
    assert (result.code, result.err) == (
        1,
        f"Error: {folder}: is a folder; import its files instead, e.g. qualcode import {folder / '*.txt'}\n",
    )


def test_an_unreadable_file_to_import_is_one_line(project, tmp_path, monkeypatch):
    source = write(tmp_path / "x.txt", INTERVIEW)
    refuse_reading(monkeypatch, source)
    result = run_cli("-p", project, "import", source, "--role", "other")
    assert (result.code, result.err) == (1, f"Error: {source}: cannot read file: Permission denied\n")


def refuse_reading(monkeypatch, refused: Path) -> None:
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == refused.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


# 3. symbolic links ---------------------------------------------------------------------------------
def test_a_transcript_linked_from_outside_the_project_is_not_read_and_is_reported(project, tmp_path):
    secret = write(tmp_path / "outside" / "secret.txt", "Interviewer: Hi\n\nAna: the vault code is 4711.\n")
    (project / "transcripts" / "evil.txt").symlink_to(secret)
    write(project / "transcripts" / "good.txt", INTERVIEW)
    index = run_cli("-p", project, "index")
    assert (index.code, index.err) == (0, "Index: 1 read, 0 unchanged, 0 removed, 1 with problems\n")
    check = run_cli("-p", project, "check")
    assert (
        f"transcripts/evil.txt: a symbolic link to {secret}, outside the project; not read "
        "(copy the file into transcripts/ instead)"
    ) in check.out.splitlines()
    assert [d.id for d in Project.open(project).documents()] == ["good"]


def test_a_transcript_linked_from_inside_the_project_is_read(project):
    write(project / "drafts" / "inside.txt", INTERVIEW)
    (project / "transcripts" / "inside.txt").symlink_to(Path("..") / "drafts" / "inside.txt")
    p = Project.open(project)
    assert [d.id for d in p.documents()] == ["inside"]
    assert p.index.file_problems() == []


def test_a_link_to_outside_is_not_exported_to_qdpx(project, tmp_path):
    secret = write(tmp_path / "outside" / "secret.txt", "Interviewer: Hi\n\nAna: the vault code is 4711.\n")
    (project / "transcripts" / "evil.txt").symlink_to(secret)
    write(project / "transcripts" / "good.txt", INTERVIEW)
    write(project / "participants.csv", "participant_id,role\ngood,other\n")
    shutil.copyfile(SAMPLES.parent / "codebooks" / "ecm.yaml", project / "codebooks" / "codebook.yaml")
    out = tmp_path / "study.qdpx"
    result = run_cli("-p", project, "export", "qdpx", "-o", out)
    assert result.code == 0, result.err
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"4711" not in everything
    assert b"evil.txt" not in everything


# 4. XML --------------------------------------------------------------------------------------------
LAUGHS = (
    '<!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)
EXTERNAL = '<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
ENCODINGS = [
    ("utf-8", b"", "UTF-8"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32"),
    ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32"),
]


def qdc(declared: str, doctype: str, entity: str) -> str:
    return (
        f'<?xml version="1.0" encoding="{declared}"?>\n{doctype}\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        f'<Codes><Code guid="1" name="Pay {entity}" isCodable="true"/></Codes></CodeBook>\n'
    )


@pytest.mark.parametrize("encoding, bom, declared", ENCODINGS)
@pytest.mark.parametrize("doctype, entity", [(LAUGHS, "&c;"), (EXTERNAL, "&x;")])
def test_a_qdc_with_a_dtd_is_refused_in_every_encoding(tmp_path, encoding, bom, declared, doctype, entity):
    source = tmp_path / "x.qdc"
    source.write_bytes(bom + qdc(declared, doctype, entity).encode(encoding))
    with pytest.raises(QualcodeError) as info:
        import_codebook(source, tmp_path / "x.yaml")
    assert str(info.value) == f"{source}: DTDs and entity declarations are not allowed in a .qdc file"
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("encoding, bom, declared", ENCODINGS[1:])
def test_a_plain_qdc_in_utf16_or_utf32_imports(tmp_path, encoding, bom, declared):
    source = tmp_path / "x.qdc"
    source.write_bytes(bom + qdc(declared, "", "é").encode(encoding))
    codebook = import_codebook(source, tmp_path / "x.yaml")
    assert [(c.id, c.label) for c in codebook.codes] == [("PAY", "Pay é")]


@pytest.mark.parametrize("encoding, bom, declared", ENCODINGS)
def test_a_qdpx_with_a_dtd_is_refused_in_every_encoding(tmp_path, encoding, bom, declared):
    project_xml = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<!DOCTYPE Project [<!ENTITY a "aaaa">]>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&a;"/>\n'
    )
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", bom + project_xml.encode(encoding))
    with pytest.raises(QualcodeError) as info:
        read_qdpx(path)
    assert str(info.value) == f"{path}: DTDs and entity declarations are not allowed in project.qde"


@pytest.mark.parametrize("doctype", ['<!DOCTYPE w:document [<!ENTITY a "Ana: secret">]>', "<!DOCTYPE w:document>"])
def test_a_docx_with_a_dtd_is_refused(doctype):
    data = docx_bytes(word_document("&a;" if "ENTITY" in doctype else "Ana: hi", doctype))
    with pytest.raises(QualcodeError) as info:
        parse_transcript(data, "x.docx", ReaderSettings(), "x")
    assert str(info.value) == "x.docx: cannot read Word document: DTDs and entity declarations are not allowed"


def test_a_docx_with_a_dtd_in_transcripts_is_a_check_problem(project):
    data = docx_bytes(word_document("&a;", '<!DOCTYPE w:document [<!ENTITY a "Ana: secret">]>'))
    (project / "transcripts" / "x.docx").write_bytes(data)
    result = run_cli("-p", project, "check")
    assert (
        "transcripts/x.docx: cannot read Word document: DTDs and entity declarations are not allowed"
        in result.out.splitlines()
    )


def test_a_qdc_nested_past_the_limit_is_one_line(tmp_path):
    source = tmp_path / "deep.qdc"
    levels = 3000  # deeper than Python's recursion limit
    source.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        + '<Code name="a">' * levels
        + "</Code>" * levels
        + "</Codes></CodeBook>"
    )
    with pytest.raises(QualcodeError) as info:
        import_codebook(source, tmp_path / "deep.yaml")
    assert str(info.value) == f"{source}: codes are nested more than 20 levels deep"


# 5. zip bombs --------------------------------------------------------------------------------------
def test_a_docx_that_would_inflate_past_the_cap_is_refused_before_inflating(monkeypatch):
    monkeypatch.setattr("qualcode.ziplimits.MAX_MEMBER_BYTES", 2**20)
    padding = b" " * (2 * 2**20)  # deflates to a few kilobytes
    data = docx_bytes(word_document("Ana: hi").replace(b"<w:body>", b"<w:body>" + padding))
    assert len(data) < 20_000
    with pytest.raises(QualcodeError) as info:
        parse_transcript(data, "bomb.docx", ReaderSettings(), "bomb")
    assert str(info.value) == "bomb.docx: member word/document.xml would inflate to 2 MiB (limit 1 MiB); not opened"


def test_a_docx_bomb_in_transcripts_is_a_check_problem_not_a_crash(project, monkeypatch):
    monkeypatch.setattr("qualcode.ziplimits.MAX_TOTAL_BYTES", 2**20)
    data = docx_bytes(word_document("Ana: hi"), {"word/media/zeros.bin": bytes(2 * 2**20)})
    (project / "transcripts" / "bomb.docx").write_bytes(data)
    result = run_cli("-p", project, "check")
    assert "transcripts/bomb.docx: would inflate to 2 MiB (limit 1 MiB); not opened" in result.out.splitlines()


def test_a_qdpx_that_would_inflate_past_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("qualcode.ziplimits.MAX_MEMBERS", 3)
    path = tmp_path / "x.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(4):
            archive.writestr(f"sources/{n}.txt", "x")
    with pytest.raises(QualcodeError) as info:
        read_qdpx(path)
    assert str(info.value) == f"{path}: has 4 zip members (limit 3); not opened"


# 6. regexes ----------------------------------------------------------------------------------------
NESTED = "has a nested quantifier that can take forever on text that almost matches; repeat only the inner part (e.g. a+ for (a+)+)"


@pytest.mark.parametrize(
    "pattern, message",
    [
        (r"(a+)+$", f"'(a+)+$' {NESTED}"),
        (r"(a*)*b", f"'(a*)*b' {NESTED}"),
        (r"(?:\w+\s?)+x", f"'(?:\\w+\\s?)+x' {NESTED}"),
        (r"(?=(a{1,3})+)", f"'(?=(a{{1,3}})+)' {NESTED}"),
        (r"(x|(a+)+)y", f"'(x|(a+)+)y' {NESTED}"),
        ("(", "does not compile: missing ), unterminated subpattern at position 0"),
        (r"\b(BJA|OVC)\b", None),
        (r"(?i)\b(holding|took) (their|her) passports?\b", None),
        (r"(?:\w+\s+){0,3}visa", None),  # a bounded outer repeat: polynomial, allowed
        (r"(a{2})+", None),  # a fixed inner count splits one way only
        (r"(a?)+", None),
        (r"(?>a+)+", None),  # atomic and possessive repeats do not backtrack
        (r"(a++)+", None),
        (r"Transcribed by https?://\S+", None),
    ],
)
def test_regex_problem(pattern, message):
    assert regex_problem(pattern) == message


def test_a_catastrophic_regex_cue_is_refused_by_codebook_check(project):
    write(
        project / "codebooks" / "codebook.yaml",
        "codebook: t\nversion: '1'\ncodes:\n  - id: X\n    label: X code\n    definition: d\n"
        "    cues:\n      regex: ['\\bvisa\\b', '(a+)+$']\n",
    )
    result = run_cli("-p", project, "codebook", "check")
    assert (result.code, result.out) == (
        1,
        f"{project / 'codebooks' / 'codebook.yaml'}:8: code X: cues.regex[1]: '(a+)+$' {NESTED}\n",
    )


def test_catastrophic_and_invalid_footers_are_refused_at_config_load(project):
    config = project / "qualcode.yaml"
    write(config, "name: x\nfooters:\n  - 'Transcribed by \\S+'\n  - '(\\s*x+)*$'\n  - '(['\n")
    result = run_cli("-p", project, "docs")
    assert (result.code, result.err) == (
        1,
        f"Error: {config}:4: footers.1: '(\\s*x+)*$' {NESTED}\n"
        f"Error: {config}:5: footers.2: does not compile: unterminated character set at position 1\n",
    )


# 7. YAML tags --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, line, shown",
    [
        (
            "name: x\ninterviewers:\n  - !!python/object/apply:os.system ['true']\n",
            3,
            "!!python/object/apply:os.system",
        ),
        ("name: !custom x\n", 1, "!custom"),
        ("name: x\nfooters: !!set {a: null}\n", 2, "!!set"),
    ],
)
def test_a_yaml_tag_in_qualcode_yaml_is_one_line(project, text, line, shown):
    config = write(project / "qualcode.yaml", text)
    result = run_cli("-p", project, "docs")
    assert (result.code, result.err) == (
        1,
        f"Error: {config}:{line}: YAML tag {shown} is not allowed; write the plain value\n",
    )


def test_a_yaml_tag_in_the_codebook_is_one_line(project):
    path = write(
        project / "codebooks" / "codebook.yaml",
        "codebook: t\nversion: '1'\ncodes:\n  - id: X\n    label: !!python/name:os.system\n    definition: d\n",
    )
    result = run_cli("-p", project, "codebook", "check")
    assert (result.code, result.out) == (
        1,
        f"{path}:5: YAML tag !!python/name:os.system is not allowed; write the plain value\n",
    )


def test_yaml_plain_tags_are_accepted(project):
    write(project / "qualcode.yaml", "name: !!str 2024\nsegment_unit: !!str turn\n")
    assert Project.open(project).config.name == "2024"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("name: " + "[" * 900 + "x" + "]" * 900 + "\n", 1, "nested more than 50 levels deep"),
        ("name: x\n[1, 2]: y\n", 2, "a key must be a plain value, not a list or a mapping"),
        ("name: x\n? {a: 1}\n: y\n", 2, "a key must be a plain value, not a list or a mapping"),
    ],
)
def test_deep_or_odd_yaml_is_one_line(project, text, line, message):
    config = write(project / "qualcode.yaml", text)
    result = run_cli("-p", project, "docs")
    assert (result.code, result.err) == (1, f"Error: {config}:{line}: {message}\n")


LAUGHS_YAML = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}' if prev else 'lol'] * 10)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g"], "abcdefgh")
)


@pytest.mark.parametrize(
    "front, line, message",
    [
        (LAUGHS_YAML, 2, "front matter: YAML anchors and aliases (&name, *name) are not allowed"),
        (
            "participant: !!python/object/apply:os.system ['true']\n",
            2,
            "front matter: YAML tag !!python/object/apply:os.system is not allowed; write the plain value",
        ),
        ("x: " + "[" * 900 + "]" * 900 + "\n", 2, "front matter: nested more than 50 levels deep"),
    ],
)
def test_hostile_front_matter_is_one_line(front, line, message):
    data = f"---\n{front}---\n**Ana:** Hi.\n".encode()
    with pytest.raises(QualcodeError) as info:
        parse_transcript(data, "x.md", ReaderSettings(), "x")
    assert str(info.value) == f"x.md:{line}: {message}"


# 8. participants.csv -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, name",
    [
        ("participant_id;role;task_force\nx;other;TF01\n", "';'"),
        ('"participant_id";"role"\r\nx;other\r\n', "';'"),
        ("participant_id\trole\nx\tother\n", "tabs"),
    ],
)
def test_a_participants_csv_with_another_separator_is_one_line(project, text, name):
    path = project / "participants.csv"
    path.write_bytes(text.encode())
    result = run_cli("-p", project, "docs")
    assert (result.code, result.err) == (
        1,
        f"Error: {path}:1: the file uses {name} between columns; save it as comma-separated (CSV UTF-8)\n",
    )
    assert path.read_bytes() == text.encode()


def test_a_participants_cell_over_the_csv_field_limit_is_one_line(project):
    path = project / "participants.csv"
    path.write_text("participant_id,role,notes\nx,other," + "a" * 200_000 + "\n")
    result = run_cli("-p", project, "check")
    assert f"{path}:2: cannot read as CSV: field larger than field limit (131072)" in result.out.splitlines()


def test_a_participants_csv_with_old_mac_line_ends_is_read(project):
    (project / "participants.csv").write_bytes(b"participant_id,role\rx,other\ry,prosecutor\r")
    assert [(p.id, p.role, p.line) for p in Project.open(project).index.participants()] == [
        ("x", "other", 2),
        ("y", "prosecutor", 3),
    ]


# 9. transcripts that are not what they claim -------------------------------------------------------
def test_a_cue_timing_with_an_absurd_hour_is_one_line():
    line = "9" * 5000 + ":00:00.000 --> 00:00:01.000"
    data = f"WEBVTT\n\n{line}\nAna: hi\n".encode()
    with pytest.raises(QualcodeError) as info:
        parse_transcript(data, "x.vtt", ReaderSettings(), "x")
    assert str(info.value) == f"x.vtt:3: cannot read cue timing '{'9' * 59}…'"


def test_an_unreadable_transcript_is_a_check_problem(project, monkeypatch):
    write(project / "transcripts" / "locked.txt", INTERVIEW)
    refuse_reading(monkeypatch, project / "transcripts" / "locked.txt")
    result = run_cli("-p", project, "check")
    assert "transcripts/locked.txt: cannot read file: Permission denied" in result.out.splitlines()


def bytes_named(folder: Path, name: bytes, data: str) -> Path:
    """A file whose name is not UTF-8 (possible on Linux), as Python names it (surrogate escapes)."""
    try:
        with open(os.fsencode(folder) + b"/" + name, "wb") as handle:
            handle.write(data.encode())
    except OSError:  # pragma: no cover - file systems that insist on UTF-8 names
        pytest.skip("this file system refuses names that are not UTF-8")
    return folder / os.fsdecode(name)


def test_a_transcript_whose_name_is_not_utf8_is_a_check_problem_not_a_crash(project):
    bytes_named(project / "transcripts", b"\xffbad.txt", INTERVIEW)
    write(project / "transcripts" / "good.txt", INTERVIEW)
    index = run_cli("-p", project, "index")
    assert (index.code, index.err) == (0, "Index: 1 read, 0 unchanged, 0 removed, 1 with problems\n")
    check = run_cli("-p", project, "check")
    assert "transcripts/\\xffbad.txt: the file name is not valid UTF-8; rename the file" in check.out.splitlines()


def test_importing_a_file_whose_name_is_not_utf8_is_one_line(project, tmp_path):
    source = bytes_named(tmp_path, b"\xfeinterview.txt", INTERVIEW)
    result = run_cli("-p", project, "import", source, "--role", "other")
    assert (result.code, result.err) == (
        1,
        f"Error: {tmp_path}/\\xfeinterview.txt: the file name is not valid UTF-8; rename the file\n",
    )
    assert list((project / "transcripts").iterdir()) == []


def test_a_paragraph_longer_than_spacys_default_limit_splits_into_sentences(project):
    write(project / "qualcode.yaml", "name: x\nsegment_unit: sentence\n")
    write(project / "transcripts" / "long.txt", "Interviewer: Hi.\n\nAna: " + "x" * 1_100_000 + ". Next one.\n")
    p = Project.open(project)
    assert p.index.file_problems() == []
    assert [len(s.text) for s in p.segments("long", speaker="all")] == [
        3,
        1_100_006,
        9,
    ]  # "Ana: " is text here: one label is not a speaker


def test_a_paragraph_past_the_sentence_limit_is_a_check_problem(project, monkeypatch):
    monkeypatch.setattr("qualcode.segment.MAX_SENTENCE_PARAGRAPH", 1000)
    write(project / "qualcode.yaml", "name: x\nsegment_unit: sentence\n")
    write(project / "transcripts" / "long.txt", "Interviewer: Hi.\n\nAna: " + "x" * 2000 + ".\n")
    result = run_cli("-p", project, "check")
    assert (
        "transcripts/long.txt: a paragraph of 2,006 characters is too long to split into sentences "
        "(limit 1,000); break it into paragraphs or use segment_unit: paragraph"
    ) in result.out.splitlines()
