"""The codebook: schema, every problem located by line, renames, and REFI-QDA (.qdc) exchange."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_cli

from qualcode.codebook import check_codebook, load_codebook
from qualcode.errors import QualcodeError
from qualcode.export.refi_qda import code_guid, codebook_to_qdc, export_codebook, import_codebook

DATA = Path(__file__).parent / "data" / "codebooks"
# libyaml (used when PyYAML has it) and pure-Python PyYAML word the same syntax error differently
SYNTAX = "did not find expected ',' or ']'" if yaml.__with_libyaml__ else "expected ',' or ']', but got ':'"
GOOD = DATA / "good.yaml"


def messages(name: str) -> list[str]:
    codebook, problems = check_codebook(DATA / name)
    assert codebook is None
    return [str(p).removeprefix(f"{DATA / name}:") for p in problems]


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "unknown-key.yaml",
            ["3: code LABOR: label: required", "4: code LABOR: lable: unknown key (did you mean label?)"],
        ),
        ("missing-label.yaml", ["6: code LABOR.DETECT: label: required"]),
        ("duplicate-id.yaml", ["11: code LABOR.DETECT: id: duplicate id (first on line 6)"]),
        ("renamed-collision.yaml", ["7: code VCA: renamed_from[0]: LABOR is the id of a live code"]),
        (
            "bad-regex.yaml",
            ["6: code LABOR: cues.regex[0]: does not compile: missing ), unterminated subpattern at position 7"],
        ),
        (
            "bad-pattern.yaml",
            [
                "8: code LABOR: cues.patterns[1]: spaCy rejects this pattern: token 1: LEMMMA: "
                "Extra inputs are not permitted"
            ],
        ),
        ("fuzzy-range.yaml", ["7: code LABOR: cues.fuzzy: must be between 0 and 100"]),
        ("empty-phrase.yaml", ["6: code LABOR: cues.phrases[1]: empty phrase"]),
        ("tabs.yaml", ["4: tab in indentation; YAML needs spaces"]),
        (
            "syntax-error.yaml",
            [f"5: invalid YAML: {SYNTAX} (column 7; while parsing a flow sequence started on line 4)"],
        ),
        ("aliases.yaml", ["2: YAML anchors and aliases (&name, *name) are not allowed"]),
    ],
)
def test_each_problem_has_its_exact_message_and_line(name, expected):
    assert messages(name) == expected


def test_every_problem_is_reported_at_once():
    assert messages("many-problems.yaml") == [
        "6: code LABOR.DETECT: label: required",
        "7: code LABOR.DETECT: lable: unknown key (did you mean label?)",
        "9: code LABOR.DETECT: cues.fuzzy: must be between 0 and 100",
        "10: code LABOR.DETECT: cues.regex[0]: does not compile: missing ), unterminated subpattern at position 0",
        "13: code VCA: colour: unknown key (did you mean color?)",
    ]


def test_huge_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("codebook: big\ncodes:\n" + "  - {id: X, label: y}\n" * 500_000)
    assert big.stat().st_size > 10_000_000
    _, problems = check_codebook(big)
    assert [p.message for p in problems] == ["file is 10.5 MB; the limit is 4 MB"]


def test_good_codebook_loads_into_a_tree():
    codebook = load_codebook(GOOD)
    assert codebook.ids == ["LABOR", "LABOR.DETECT", "LABOR.TRAIN", "VCA", "VCA.TESTIMONY"]
    assert [c.id for c in codebook.roots()] == ["LABOR", "VCA"]
    assert codebook.descendants("LABOR") == ["LABOR.DETECT", "LABOR.TRAIN"]
    detect = codebook.get("LABOR.DETECT")
    assert (detect.parent, detect.depth, detect.line) == ("LABOR", 1, 10)
    assert detect.cues.phrases == ("labor trafficking", "forced labor", "wage theft")
    assert detect.cues.fuzzy == 88 and detect.cues.speakers == ("participant",)
    assert detect.cues.count == 5
    assert codebook.version == "2.1"


def test_renamed_ids_resolve_to_the_live_code():
    codebook = load_codebook(GOOD)
    assert codebook.resolve("LT.ID") == "LABOR.DETECT"
    assert codebook.get("LT.ID").label == "Barriers to detecting labor trafficking"
    assert codebook.resolve("NOPE") is None


def test_check_cli_prints_count_and_sha(tmp_path):
    import hashlib

    result = run_cli("codebook", "check", GOOD)
    sha = hashlib.sha256(GOOD.read_bytes()).hexdigest()
    assert (result.code, result.out) == (0, f"OK: {GOOD}: 5 codes in 2 themes, sha256 {sha}\n")
    bad = run_cli("codebook", "check", DATA / "many-problems.yaml")
    assert bad.code == 1 and len(bad.out.splitlines()) == 5


def test_show_limits_depth_and_gives_json(tmp_path):
    result = run_cli("codebook", "show", GOOD, "--depth", "0", "-f", "csv")
    assert (
        result.out
        == "id,parent,depth,label,cues\nLABOR,,0,Labor trafficking response,0\nVCA,,0,Victim-centered practice,0\n"
    )
    import json

    data = json.loads(run_cli("codebook", "show", GOOD, "-f", "json").out)
    assert data["codes"][0]["children"][0]["cues"]["regex"] == ["\\bH-?2[AB]\\b"]


def test_project_codebook_comes_from_the_config(empty_project):
    (empty_project / "codebooks" / "codebook.yaml").write_bytes(GOOD.read_bytes())
    from qualcode.project import Project

    assert len(Project.open(empty_project).codebook().codes) == 5
    assert run_cli("-p", empty_project, "codebook", "check").code == 0


# REFI-QDA ------------------------------------------------------------------------------------


def schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(ROOT / "qualcode" / "export" / "schemas" / "Codebook.xsd")))


def test_qdc_export_validates_against_the_official_schema(tmp_path):
    from lxml import etree

    export_codebook(GOOD, tmp_path / "a.qdc")
    document = etree.parse(str(tmp_path / "a.qdc"))
    validator = schema()
    assert validator.validate(document), validator.error_log
    codes = document.getroot().findall(".//{urn:QDA-XML:codebook:1.0}Code")
    assert [c.get("guid") for c in codes][:1] == [code_guid("LABOR")]
    assert codes[3].get("color") == "#1F77B4"  # alpha dropped: the schema allows #RRGGBB only


def test_qdc_export_is_byte_identical_and_guids_are_uuid5_of_the_id(tmp_path):
    import uuid

    export_codebook(GOOD, tmp_path / "a.qdc")
    export_codebook(GOOD, tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()
    assert uuid.UUID(code_guid("LABOR.DETECT")).version == 5
    assert code_guid("LABOR.DETECT") == code_guid("LABOR.DETECT") != code_guid("LABOR")


def test_round_trip_keeps_ids_labels_hierarchy_and_definitions(tmp_path):
    export_codebook(GOOD, tmp_path / "a.qdc")
    back = import_codebook(tmp_path / "a.qdc", tmp_path / "back.yaml")
    original = load_codebook(GOOD)
    fields = ("id", "label", "parent", "definition", "when_to_use", "when_not_to_use", "examples")
    assert [tuple(getattr(c, f) for f in fields) for c in back.codes] == [
        tuple(getattr(c, f) for f in fields) for c in original.codes
    ]
    assert codebook_to_qdc(back) == codebook_to_qdc(original)


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Another QDA tool 12">
  <Codes>
    <Code guid="6f1c2b1e-0000-4000-8000-000000000001" name="Working conditions" isCodable="true" color="#3a7">
      <Description>Talk about pay, hours and housing at work.</Description>
      <Code guid="6f1c2b1e-0000-4000-8000-000000000002" name="Unpaid wages" isCodable="true" color="#FF000080"/>
      <Code guid="6f1c2b1e-0000-4000-8000-000000000003" name="Unpaid wages" isCodable="true"/>
    </Code>
    <Code guid="6f1c2b1e-0000-4000-8000-000000000004" name="2nd interview notes" isCodable="false"/>
  </Codes>
</CodeBook>
"""


def test_import_of_another_tools_codebook(tmp_path):
    source = tmp_path / "other.qdc"
    source.write_text(FOREIGN)
    codebook = import_codebook(source, tmp_path / "other.yaml")
    assert [(c.id, c.label, c.parent) for c in codebook.codes] == [
        ("WORKING_CONDITIONS", "Working conditions", None),
        ("WORKING_CONDITIONS.UNPAID_WAGES", "Unpaid wages", "WORKING_CONDITIONS"),
        ("WORKING_CONDITIONS.UNPAID_WAGES_2", "Unpaid wages", "WORKING_CONDITIONS"),
        ("C_2ND_INTERVIEW_NOTES", "2nd interview notes", None),
    ]
    assert codebook.codes[0].definition == "Talk about pay, hours and housing at work."
    assert [c.color for c in codebook.codes[:2]] == ["#33AA77", "#FF000080"]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>',
            "DTDs and entity declarations are not allowed in a .qdc file",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "file:///etc/passwd">\n<CodeBook/>',
            "DTDs and entity declarations are not allowed in a .qdc file",
        ),
        (
            "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>",
            "not well-formed XML: no element found: line 1, column 50",
        ),
        (
            "<Project xmlns='urn:QDA-XML:project:1.0'/>",
            "not a REFI-QDA codebook (root element '{urn:QDA-XML:project:1.0}Project')",
        ),
    ],
)
def test_hostile_or_wrong_qdc_is_refused_and_nothing_is_written(tmp_path, text, message):
    source = tmp_path / "x.qdc"
    source.write_text(text)
    with pytest.raises(QualcodeError) as info:
        import_codebook(source, tmp_path / "x.yaml")
    assert info.value.problems[0].message == message
    assert not (tmp_path / "x.yaml").exists()


def test_import_refuses_to_overwrite(tmp_path):
    export_codebook(GOOD, tmp_path / "a.qdc")
    target = tmp_path / "keep.yaml"
    target.write_text("precious")
    result = run_cli("codebook", "import", tmp_path / "a.qdc", "-o", target)
    assert (result.code, result.err) == (1, f"Error: {target}: exists; pass --force to overwrite it\n")
    assert target.read_text() == "precious"
    assert run_cli("codebook", "import", tmp_path / "a.qdc", "-o", target, "--force").code == 0
    assert load_codebook(target).ids == load_codebook(GOOD).ids


# the study's codebook ------------------------------------------------------------------------


def test_ecm_codebook_is_complete_and_usable():
    codebook = load_codebook(ROOT / "codebooks" / "ecm.yaml")
    themes = codebook.roots()
    assert len(themes) >= 8 and len(codebook.codes) >= 40
    assert {"LABOR", "VCA"} <= {t.id for t in themes}
    incomplete = [
        c.id
        for c in codebook.codes
        if c.parent and not (c.definition and c.when_to_use and c.when_not_to_use and c.examples and c.cues.count)
    ]
    assert incomplete == []
    assert all(t.color for t in themes)


def test_ecm_cues_are_mostly_multi_word():
    codebook = load_codebook(ROOT / "codebooks" / "ecm.yaml")
    phrases = [p for c in codebook.codes for p in c.cues.phrases]
    assert all(p == p.lower() for p in phrases)
    multi = sum(" " in p or "-" in p for p in phrases)
    assert multi / len(phrases) >= 0.6
