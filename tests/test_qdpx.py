"""REFI-QDA project export (.qdpx): schema-valid, deterministic, code-point offsets, round trip."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from qualcode.coding.events import append_events, new_event
from qualcode.errors import QualcodeError
from qualcode.export.qdpx import NS, QdpxCoding, read_qdpx, read_qdpx_sources, write_qdpx
from qualcode.export.refi_qda import code_guid
from qualcode.project import Project

etree = pytest.importorskip("lxml.etree")

SCHEMA = ROOT / "qualcode" / "export" / "schemas" / "Project.xsd"
Q = f"{{{NS}}}"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture
def coded(project_copy) -> Path:
    """The sample project with the ECM codebook and codings by two coders, alice and bob."""
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    project = Project.open(project_copy)
    ids = project.codebook().ids
    segments = project.segments(speaker="participant")
    # every document, and in TF01-LE-001 (curly quotes, dashes, ellipses) segments far into the text
    chosen = {s.doc: s for s in segments}
    picks = list(chosen.values()) + [s for s in segments if s.doc == "TF01-LE-001"][1:4]
    for n, segment in enumerate(picks):
        project.coding.apply(
            segment.id, ids[(3 * n + 1) % len(ids)], coder="alice", memo="a memo — “quoted”" if n == 0 else None
        )
        project.coding.apply(segment.id, ids[(5 * n + 2) % len(ids)], coder="alice")
        if n % 2 == 0:
            project.coding.apply(segment.id, ids[(3 * n + 1) % len(ids)], coder="bob")
            project.coding.apply(segment.id, ids[(7 * n) % len(ids)], coder="bob")
    project.close()
    return project_copy


def expected_codings(project: Project, coders=("alice", "bob")) -> list[QdpxCoding]:
    rows = []
    for c in project.index.codings():
        if c.coder in coders and c.status != "lost" and project.codebook().resolve(c.code):
            seg = project.index.segment(c.segment)
            rows.append(QdpxCoding(c.coder, seg.doc, seg.start, seg.end, project.codebook().resolve(c.code)))
    return sorted(set(rows))


def qde(path: Path):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def test_export_is_valid_against_the_refi_schema(coded, tmp_path, schema):
    project = Project.open(coded)
    summary = write_qdpx(project, tmp_path / "study.qdpx")
    root = qde(tmp_path / "study.qdpx")
    assert schema.validate(root), schema.error_log
    assert (summary.sources, summary.cases, summary.users, summary.skipped) == (10, 11, 2, 0)
    assert summary.codings == len(expected_codings(project)) > 20
    assert [u.get("name") for u in root.iter(f"{Q}User")] == ["alice", "bob"]
    codes = [c.get("guid") for c in root.iter(f"{Q}Code")]
    assert codes == [code_guid(i) for i in project.codebook().ids]  # same GUIDs as the .qdc export
    nested = root.find(f"{Q}CodeBook/{Q}Codes/{Q}Code/{Q}Code")
    assert nested is not None  # the hierarchy is kept
    assert len(root.findall(f".//{Q}PlainTextSelection")) == summary.codings


def test_zip_layout_lowercase_project_and_utf8_sources(coded, tmp_path):
    project = Project.open(coded)
    write_qdpx(project, tmp_path / "study.qdpx")
    root = qde(tmp_path / "study.qdpx")
    with zipfile.ZipFile(tmp_path / "study.qdpx") as archive:
        names = archive.namelist()
        assert names[0] == "project.qde"
        assert all(n == "project.qde" or (n.startswith("sources/") and n.endswith(".txt")) for n in names)
        sources = root.findall(f"{Q}Sources/{Q}TextSource")
        assert len(sources) == len(names) - 1 == len(project.documents())
        for source in sources:
            assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
            text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")  # strict UTF-8
            assert text == project.document_text(source.get("name"))
            assert "\r" not in text
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_two_exports_are_byte_identical(coded, tmp_path):
    write_qdpx(Project.open(coded), tmp_path / "a.qdpx")
    write_qdpx(Project.open(coded), tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left behind


def test_round_trip_gives_back_every_coding(coded, tmp_path):
    project = Project.open(coded)
    write_qdpx(project, tmp_path / "study.qdpx")
    assert read_qdpx(tmp_path / "study.qdpx") == expected_codings(project)


def test_selections_are_code_points_over_the_source_text(coded, tmp_path):
    project = Project.open(coded)
    write_qdpx(project, tmp_path / "study.qdpx")
    texts = read_qdpx_sources(tmp_path / "study.qdpx")
    segments = {(s.doc, s.start, s.end): s.text for s in project.segments(speaker="all")}
    beyond_ascii = 0
    for coding in read_qdpx(tmp_path / "study.qdpx"):
        text = texts[coding.doc]
        assert text[coding.start : coding.end] == segments[(coding.doc, coding.start, coding.end)]
        prefix = text[: coding.start]
        beyond_ascii += len(prefix.encode("utf-8")) != len(prefix)
    assert beyond_ascii  # some selections start after ’ — … : byte offsets would differ
    assert any(ch in texts["TF01-LE-001"] for ch in "’—…")


def test_memo_user_and_dates_on_the_selection(coded, tmp_path):
    project = Project.open(coded)
    write_qdpx(project, tmp_path / "study.qdpx")
    root = qde(tmp_path / "study.qdpx")
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    memos = [
        s.findtext(f"{Q}Description")
        for s in root.iter(f"{Q}PlainTextSelection")
        if s.find(f"{Q}Description") is not None
    ]
    assert memos == ["a memo — “quoted”"]
    ats = {(c.coder, c.doc, c.start, c.code): c.at for c in project.index.codings()}
    for selection in root.iter(f"{Q}PlainTextSelection"):
        [coding] = selection.findall(f"{Q}Coding")
        assert coding.get("creatingUser") == selection.get("creatingUser") and users[coding.get("creatingUser")]
        assert coding.get("creationDateTime") == selection.get("creationDateTime")
        assert coding.get("creationDateTime") in ats.values()


def test_cases_and_sources_carry_participant_variables(coded, tmp_path):
    project = Project.open(coded)
    write_qdpx(project, tmp_path / "study.qdpx")
    root = qde(tmp_path / "study.qdpx")
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    assert list(variables.values()) == ["role", "task_force", "agency_type", "years_on_task_force"]
    assert {v.get("typeOfVariable") for v in root.iter(f"{Q}Variable")} == {"Text"}
    sources = {s.get("guid"): s.get("name") for s in root.iter(f"{Q}TextSource")}

    def values(element):
        return {
            variables[v.find(f"{Q}VariableRef").get("targetGUID")]: v.findtext(f"{Q}TextValue")
            for v in element.findall(f"{Q}VariableValue")
        }

    cases = {c.get("name"): c for c in root.iter(f"{Q}Case")}
    assert len(cases) == 11
    assert values(cases["TF03-LE-005"]) == {
        "role": "law_enforcement",
        "task_force": "TF03",
        "agency_type": "sheriff's office",
        "years_on_task_force": "2",
    }
    assert [sources[r.get("targetGUID")] for r in cases["TF05-LE-011"].findall(f"{Q}SourceRef")] == ["TF05-GROUP-010"]
    by_name = {s.get("name"): s for s in root.iter(f"{Q}TextSource")}
    assert values(by_name["TF03-LE-005"]) == values(cases["TF03-LE-005"])
    # a group interview: shared values once, differing values joined in participant-id order
    assert values(by_name["TF05-GROUP-010"]) == {
        "role": "law_enforcement",
        "task_force": "TF05",
        "agency_type": "municipal police",
        "years_on_task_force": "8; 2",
    }
    # a case and a source may share an id (TF01-LE-001) but never a GUID
    assert cases["TF01-LE-001"].get("guid") != by_name["TF01-LE-001"].get("guid")


def test_only_the_chosen_coders(coded, tmp_path, schema):
    project = Project.open(coded)
    summary = write_qdpx(project, tmp_path / "alice.qdpx", coders=["alice"])
    assert schema.validate(qde(tmp_path / "alice.qdpx"))
    assert summary.users == 1
    assert read_qdpx(tmp_path / "alice.qdpx") == expected_codings(project, coders=("alice",))
    with pytest.raises(QualcodeError, match="no codings by carol"):
        write_qdpx(project, tmp_path / "x.qdpx", coders=["carol"])
    with pytest.raises(QualcodeError, match="coder name"):
        write_qdpx(project, tmp_path / "x.qdpx", coders=["Alice"])


def test_moved_codings_use_the_current_segment_and_lost_ones_are_skipped(coded, tmp_path, schema):
    project = Project.open(coded)
    path = coded / "transcripts" / "TF04-LE-007.txt"
    text = path.read_text(encoding="utf-8")
    moving, losing = [s for s in project.segments("TF04-LE-007") if s.text in text and len(s.text) > 200][:2]
    project.coding.apply(moving.id, "CAP.DATA", coder="carol")
    project.coding.apply(losing.id, "STRUCT.LEAD", coder="carol")
    append_events(project.coders.log_path("carol"), [new_event("carol", "add", moving.span, "NOT.IN.CODEBOOK")])
    text = "Interviewer (00:00:00):\nBefore we start, is the room okay?\n\n" + text
    path.write_text(text.replace(losing.text, "Something else entirely, nothing like before."), encoding="utf-8")
    project = Project.open(coded)
    status = {c.code: c.status for c in project.index.codings(coder="carol")}
    assert status["CAP.DATA"] == "moved" and status["STRUCT.LEAD"] == "lost"
    summary = write_qdpx(project, tmp_path / "carol.qdpx", coders=["carol"])
    assert schema.validate(qde(tmp_path / "carol.qdpx"))
    assert (summary.codings, summary.skipped) == (1, 2)
    [coding] = read_qdpx(tmp_path / "carol.qdpx")
    moved = project.index.segment(next(c.segment for c in project.index.codings(coder="carol") if c.code == "CAP.DATA"))
    assert (coding.start, coding.end) == (moved.start, moved.end) != (moving.start, moving.end)
    assert read_qdpx_sources(tmp_path / "carol.qdpx")["TF04-LE-007"][coding.start : coding.end] == moving.text


def test_output_must_end_in_qdpx(coded, tmp_path):
    with pytest.raises(QualcodeError, match=r"must end in \.qdpx"):
        write_qdpx(Project.open(coded), tmp_path / "study.zip")
    assert not (tmp_path / "study.zip").exists()


def test_reading_refuses_doctype_and_non_projects(tmp_path):
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr(
            "project.qde",
            f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project xmlns="{NS}" name="x">&a;</Project>',
        )
    with pytest.raises(QualcodeError, match="DTDs and entity declarations are not allowed"):
        read_qdpx(bomb)
    (tmp_path / "plain.qdpx").write_text("not a zip")
    with pytest.raises(QualcodeError, match="not a zip archive"):
        read_qdpx(tmp_path / "plain.qdpx")
    empty = tmp_path / "empty.qdpx"
    zipfile.ZipFile(empty, "w").close()
    with pytest.raises(QualcodeError, match=r"no project\.qde"):
        read_qdpx(empty)


def _export_group():
    import typer

    from qualcode.cli.export import export_app

    wrapper = typer.Typer()
    wrapper.add_typer(export_app, name="export")
    return wrapper


def test_cli_command_writes_the_file(coded, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.setenv("QUALCODE_PROJECT", str(coded))
    runner = CliRunner()
    result = runner.invoke(_export_group(), ["export", "qdpx", "-o", str(tmp_path / "study.qdpx"), "--coders", "bob"])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "1 coder" in result.output
    assert {c.coder for c in read_qdpx(tmp_path / "study.qdpx")} == {"bob"}
    bad = runner.invoke(_export_group(), ["export", "qdpx", "-o", str(tmp_path / "study.zip")])
    assert isinstance(bad.exception, QualcodeError) and "must end in .qdpx" in str(bad.exception)
    help_ = runner.invoke(_export_group(), ["export", "qdpx", "--help"])
    assert "Example: qualcode export qdpx -o study.qdpx" in help_.output


def test_cli_through_the_qualcode_entry_point(coded, tmp_path):
    from qualcode.cli.app import app

    if "export" not in {group.name for group in app.registered_groups}:
        pytest.skip("qualcode export is not registered in qualcode/cli/app.py yet")
    result = run_cli("-p", coded, "export", "qdpx", "-o", tmp_path / "study.qdpx")
    assert result.code == 0, result.err
    assert read_qdpx(tmp_path / "study.qdpx") == expected_codings(Project.open(coded))
    bad = run_cli("-p", coded, "export", "qdpx", "-o", tmp_path / "study.txt")
    assert bad.code == 1 and "must end in .qdpx" in bad.err
