"""Discovery: student id and name from entry names, unique keys, submission roots inside folders."""

from __future__ import annotations

import pytest

from grader.batch.discover import (
    compile_pattern,
    discover_submissions,
    find_submission_root,
    natural_key,
    parse_student,
    safe_key,
)
from grader.batch.errors import BatchError


@pytest.mark.parametrize(
    "stem, expected",
    [
        ("12345_Jane Doe_lab1", ("12345", "Jane Doe")),
        ("12345_Jane_Doe_lab1", ("12345", "Jane Doe")),
        ("12345_Jane Doe", ("12345", "Jane Doe")),
        ("reference", ("reference", "")),
        ("  s99_x_lab1", ("s99", "x")),
    ],
)
def test_default_pattern_parses_course_site_names(stem, expected):
    assert parse_student(stem, compile_pattern(None)) == expected


def test_custom_pattern_and_its_errors():
    moodle = compile_pattern(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission")
    assert parse_student("Jane Doe_4711_assignsubmission_file_", moodle) == ("4711", "Jane Doe")
    assert parse_student("no digits here", moodle) == ("no digits here", "")
    with pytest.raises(BatchError, match="named group"):
        compile_pattern(r"^(\d+)_")
    with pytest.raises(BatchError, match="not a valid regular expression"):
        compile_pattern(r"(?P<id>[")


def test_safe_key_never_escapes_the_output_folder():
    assert safe_key("12345") == "12345"
    assert safe_key("../../etc") == "etc"
    assert safe_key("a b/c") == "a_b_c"
    assert safe_key("..") == "student"
    assert safe_key("gradebook.csv") == "student-gradebook.csv"  # never overwrites the batch's outputs
    assert natural_key("s2") < natural_key("s10")


def test_discovery_skips_litter_and_sorts_by_id(mixed_input):
    (mixed_input / "__MACOSX").mkdir()
    (mixed_input / ".DS_Store").write_text("")
    subs, skipped = discover_submissions(mixed_input)
    assert [s.key for s in subs] == ["1001", "1002", "1003", "1004", "1010"]
    assert {s.kind for s in subs if s.key in ("1004", "1010")} == {"zip"}
    assert subs[0].name == "Ada Lovelace"
    assert skipped == ["README.txt: not a folder or an archive"]


def test_repeated_ids_get_distinct_keys_and_a_note(tmp_path):
    inp = tmp_path / "in"
    (inp / "7_Ann_lab1").mkdir(parents=True)
    (inp / "7_Ann_lab1.zip").write_bytes(b"")
    subs, _ = discover_submissions(inp)
    assert [s.key for s in subs] == ["7", "7~2"]
    assert all(s.student_id == "7" and s.note.startswith("duplicate id: also ") for s in subs)


def test_input_errors(tmp_path, mixed_input):
    with pytest.raises(BatchError, match="does not exist"):
        discover_submissions(tmp_path / "missing")
    (tmp_path / "file").write_text("")
    with pytest.raises(BatchError, match="not a folder"):
        discover_submissions(tmp_path / "file")
    with pytest.raises(BatchError, match="is one submission"):
        discover_submissions(mixed_input / "1001_Ada Lovelace_lab1")


def test_output_folder_inside_the_input_is_not_a_submission(mixed_input):
    (mixed_input / "grades").mkdir()
    subs, _ = discover_submissions(mixed_input, exclude=mixed_input / "grades")
    assert "grades" not in [s.key for s in subs]


def test_submission_root_prefers_network_py_then_more_modules_then_shallow(tmp_path):
    tree = tmp_path / "t"
    (tree / "__MACOSX" / "lab1").mkdir(parents=True)
    (tree / "__MACOSX" / "lab1" / "network.py").write_text("")
    (tree / "lab1" / "old").mkdir(parents=True)
    (tree / "notes.txt").write_text("")
    for name in ("network.py", "losses.py"):
        (tree / "lab1" / name).write_text("")
    for name in ("network.py", "losses.py", "train.py"):
        (tree / "lab1" / "old" / name).write_text("")
    (tree / "data.py").write_text("")  # a module, but no network.py
    assert find_submission_root(tree) == tree / "lab1" / "old"
    (tree / "lab1" / "train.py").write_text("")
    assert find_submission_root(tree) == tree / "lab1"  # same modules, shallower
    assert find_submission_root(tmp_path / "t" / "__MACOSX") is not None  # only when asked directly
    empty = tmp_path / "empty"
    empty.mkdir()
    assert find_submission_root(empty) is None
