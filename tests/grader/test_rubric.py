"""Tests of grader.rubric.loader: loading lab1.toml and every validation error with its file and line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from grader.rubric.loader import DATASET_PARAMS, ITEM_PARAMS, default_rubric_path, load_rubric, validate_against_checks
from grader.rubric.model import Item, Rubric, RubricError

LAB1 = default_rubric_path()
LAB1_TEXT = LAB1.read_text(encoding="utf-8")


def line_of(text: str, needle: str, after: str | None = None) -> int:
    """1-based line of the first line containing `needle` (after the line containing `after`)."""
    lines = text.splitlines()
    start = 0 if after is None else next(i for i, line in enumerate(lines) if after in line)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def write(tmp_path: Path, text: str) -> Path:
    """A rubric file in tmp_path."""
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    return path


def mutate(old: str, new: str, after: str | None = None) -> str:
    """lab1.toml with the first `old` (after the line holding `after`) replaced by `new`."""
    start = 0 if after is None else LAB1_TEXT.index(after)
    index = LAB1_TEXT.index(old, start)
    return LAB1_TEXT[:index] + new + LAB1_TEXT[index + len(old) :]


def error_of(tmp_path: Path, text: str) -> str:
    """The message of the RubricError loading `text` raises."""
    path = write(tmp_path, text)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    message = str(info.value)
    assert all(line.startswith(f"{path}") for line in message.splitlines()), message
    return message


def test_lab1_loads_and_totals_100():
    rubric = load_rubric()
    assert isinstance(rubric, Rubric)
    assert rubric.name == "lab1"
    assert rubric.total_points == 100
    assert rubric.path == LAB1
    assert rubric.sha256 == hashlib.sha256(LAB1.read_bytes()).hexdigest()
    assert rubric.seeds.train == (0, 1, 2) and isinstance(rubric.seeds.probe, int)
    assert rubric.policy.framework_violation in ("zero", "flag", "item")
    assert rubric.policy.allowed_imports == ("numpy", "matplotlib")
    assert rubric.manual and all(m.points > 0 for m in rubric.manual.values())


def test_lab1_items_in_file_order_with_params_per_item_params():
    rubric = load_rubric()
    headers = re.findall(r"^\[items\.(\w+)\]", LAB1_TEXT, flags=re.M)
    assert list(rubric.items) == headers == list(rubric.autograded_keys)
    for key, item in rubric.items.items():
        assert isinstance(item, Item) and item.key == key
        assert set(item.params) <= ITEM_PARAMS[key], key
        required = ITEM_PARAMS[key] - {"n", "hidden_n", "jitter"}
        if "dataset" in item.params:
            required |= DATASET_PARAMS[item.params["dataset"]]
        assert required <= set(item.params), key
        assert item.line == line_of(LAB1_TEXT, f"[items.{key}]")
    assert rubric.item("backward").params["sizes"][0] == (2, 4, 4, 1)
    assert rubric.item("backward").params["tolerance"] == pytest.approx(1e-5)


def test_limits_have_the_file_types():
    limits = load_rubric().limits
    assert isinstance(limits.memory_mb, int) and isinstance(limits.max_epochs, int)
    assert isinstance(limits.train_seconds, float) and isinstance(limits.min_lr, float)


def test_item_lookup_names_missing_key():
    with pytest.raises(KeyError, match="nope"):
        load_rubric().item("nope")


def test_rubric_is_frozen():
    rubric = load_rubric()
    with pytest.raises(AttributeError):
        rubric.name = "other"  # type: ignore[misc]


def test_relative_path_loads(tmp_path, monkeypatch):
    write(tmp_path, LAB1_TEXT)
    monkeypatch.chdir(tmp_path)
    assert load_rubric("rubric.toml").total_points == 100


def test_unknown_key_in_item_names_line_and_known_keys(tmp_path):
    text = mutate("tolerance = 1e-5", "tolerence = 1e-5", after="[items.backward]")
    message = error_of(tmp_path, text)
    line = line_of(text, "tolerence")
    assert f"rubric.toml:{line}: unknown key 'tolerence' in [items.backward] (known: " in message
    assert "did you mean 'tolerance'" in message


def test_unknown_key_in_limits_and_top_level(tmp_path):
    text = mutate("open_files = 256", "open_files = 256\nopen_file = 3")
    text = text.replace('name = "lab1"', 'name = "lab1"\nauthor = "x"', 1)
    message = error_of(tmp_path, text)
    assert f":{line_of(text, 'open_file =')}: unknown key 'open_file' in [limits]" in message
    assert f":{line_of(text, 'author')}: unknown key 'author' at top level" in message


def test_unknown_table(tmp_path):
    text = LAB1_TEXT + "\n[grading]\nx = 1\n"
    message = error_of(tmp_path, text)
    assert f":{line_of(text, '[grading]')}: unknown table [grading]" in message


def test_unknown_item_is_served_by_no_check(tmp_path):
    text = mutate("[items.frameworks]", "[items.foo]\ntitle = 'Foo'\npoints = 0\n\n[items.frameworks]")
    message = error_of(tmp_path, text)
    assert f":{line_of(text, '[items.foo]')}: no check serves item 'foo'" in message


def test_bad_points_type(tmp_path):
    text = mutate("points = 10", 'points = "ten"', after="[items.loss]")
    message = error_of(tmp_path, text)
    line = line_of(text, '"ten"')
    assert f":{line}: 'points' in [items.loss] must be a non-negative number (got 'ten')" in message


def test_negative_points(tmp_path):
    text = mutate("points = 10", "points = -10", after="[items.loss]")
    assert f":{line_of(text, 'points = -10')}: 'points' in [items.loss]" in error_of(tmp_path, text)


def test_bad_visibility(tmp_path):
    text = mutate('visibility = "visible"', 'visibility = "public"', after="[items.update]")
    message = error_of(tmp_path, text)
    line = line_of(text, 'visibility = "public"')
    assert f":{line}: 'visibility' in [items.update] must be one of 'hidden'" in message


def test_bad_seed_and_policy(tmp_path):
    text = mutate("train = [0, 1, 2]", 'train = ["zero"]')
    text = text.replace('framework_violation = "zero"', 'framework_violation = "ban"')
    message = error_of(tmp_path, text)
    assert f":{line_of(text, 'train = [')}: 'train' in [seeds] must be a non-empty list" in message
    assert (
        f":{line_of(text, 'ban')}: 'framework_violation' in [policy] must be one of 'zero', 'flag', 'item'" in message
    )


def test_min_passing_seeds_cannot_exceed_the_training_seeds(tmp_path):
    text = mutate("train = [0, 1, 2]", "train = [0]")
    message = error_of(tmp_path, text)
    line = line_of(text, "min_passing_seeds", after="[items.train_linear]")
    assert f":{line}: min_passing_seeds = 2 in [items.train_linear], but [seeds] train lists only 1 seed(s)" in message
    text = mutate("min_passing_seeds = 2", "min_passing_seeds = 0")
    assert "'min_passing_seeds' in [items.train_linear] must be" in error_of(tmp_path, text)


def test_tamper_policy_is_checked_and_defaults_to_zero(tmp_path):
    text = mutate('tamper_violation = "zero"', 'tamper_violation = "ignore"')
    message = error_of(tmp_path, text)
    assert f":{line_of(text, 'ignore')}: 'tamper_violation' in [policy] must be one of 'zero', 'flag'" in message
    path = tmp_path / "no_tamper_key.toml"
    path.write_text(mutate('tamper_violation = "zero"', ""))
    assert load_rubric(path).policy.tamper_violation == "zero"


def test_bad_param_type(tmp_path):
    text = mutate("batch = 7", "batch = 7.5", after="[items.backward]")
    message = error_of(tmp_path, text)
    assert f":{line_of(text, 'batch = 7.5')}: 'batch' in [items.backward] must be a positive integer" in message


def test_int_limit_refuses_float(tmp_path):
    text = mutate("memory_mb = 1024", "memory_mb = 1024.5")
    assert f":{line_of(text, 'memory_mb')}: 'memory_mb' in [limits] must be a positive integer" in error_of(
        tmp_path, text
    )


def test_missing_required_keys(tmp_path):
    text = mutate('title = "Forward pass"\n', "")
    text = text.replace("step = 1e-5\n", "", 1)
    message = error_of(tmp_path, text)
    assert f":{line_of(text, '[items.forward]')}: missing key 'title' in [items.forward]" in message
    assert f":{line_of(text, '[items.backward]')}: missing key 'step' in [items.backward]" in message


def test_dataset_dependent_params_required(tmp_path):
    text = mutate("jitter = 0.02", "", after="[items.train_xor]")
    assert "missing key 'jitter' in [items.train_xor]" in error_of(tmp_path, text)


def test_missing_table(tmp_path):
    text = mutate("[seeds]", "[seedz]")
    message = error_of(tmp_path, text)
    assert ": missing table [seeds]" in message
    assert f":{line_of(text, '[seedz]')}: unknown table [seedz]" in message


def test_points_must_sum_to_100(tmp_path):
    text = mutate("points = 10", "points = 5", after="[items.loss]")
    message = error_of(tmp_path, text)
    assert "autograded points sum to 95, not 100" in message
    assert f":{line_of(text, '[items.')}:" in message


def test_syntax_error_keeps_line(tmp_path):
    text = mutate("batch = 7", "batch = = 7", after="[items.backward]")
    message = error_of(tmp_path, text)
    line = line_of(text, "batch = = 7")
    assert message.startswith(f"{tmp_path / 'rubric.toml'}:{line}: invalid TOML")
    assert f"at line {line}" in message


def test_all_errors_reported_at_once(tmp_path):
    text = mutate("points = 10", "points = -1", after="[items.loss]").replace("step = 1e-5", "stepp = 1e-5")
    path = write(tmp_path, text)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    # negative points, the misspelt key, and the now missing 'step'
    assert len(info.value.errors) == 3
    assert str(info.value).count("\n") == 2


def test_messages_use_cwd_relative_path(monkeypatch):
    monkeypatch.chdir(LAB1.parent.parent)
    rubric = load_rubric()
    with pytest.raises(RubricError, match=r"^rubric/lab1\.toml:\d+: no check serves item"):
        validate_against_checks(rubric, set(rubric.items) - {"loss"})


def test_missing_file(tmp_path):
    with pytest.raises(RubricError, match=r"cannot read rubric .*nope\.toml: No such file"):
        load_rubric(tmp_path / "nope.toml")


def test_validate_against_checks_accepts_exact_match():
    rubric = load_rubric()
    validate_against_checks(rubric, set(rubric.items))


def test_validate_against_checks_names_item_without_check():
    rubric = load_rubric()
    with pytest.raises(RubricError) as info:
        validate_against_checks(rubric, set(rubric.items) - {"backward"})
    assert f"lab1.toml:{line_of(LAB1_TEXT, '[items.backward]')}: no check serves item 'backward'" in str(info.value)


def test_validate_against_checks_names_check_without_item():
    rubric = load_rubric()
    with pytest.raises(RubricError, match=r"check\(s\) tagged 'x' have no rubric item"):
        validate_against_checks(rubric, set(rubric.items) | {"x"})


def test_bonus_points_do_not_count_toward_100(tmp_path):
    """Raising an extra's bonus keeps the rubric valid; making it a regular item breaks the 100."""
    text = mutate("points = 3", "points = 7", after="[items.extra_conv]")
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.total_points == 100 and rubric.items["extra_conv"].bonus and rubric.bonus_points == 14
    regular = mutate("bonus = true ", "bonus = false", after="[items.extra_conv]")
    assert "autograded points sum to 103, not 100" in error_of(tmp_path, regular)
    assert "must be true or false" in error_of(
        tmp_path, mutate("bonus = true ", 'bonus = "yes"', after="[items.extra_conv]")
    )
