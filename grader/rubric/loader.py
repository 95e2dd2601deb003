"""Load and validate a rubric TOML file into frozen dataclasses; every error names the file and line."""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from grader.rubric.model import (
    OPTIONAL_LIMITS,
    Item,
    Limits,
    ManualItem,
    Policy,
    Rubric,
    RubricError,
    Seeds,
    display_path,
)
from grader.rubric.values import (
    COMMON_VALIDATORS,
    PARAM_VALIDATORS,
    fraction,
    framework_policy,
    is_number,
    module_list,
    non_negative_number,
    positive_int,
    positive_number,
    seed,
    seed_list,
    string,
    tamper_policy,
    text,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TOTAL_POINTS = 100.0

TOP_KEYS = ("name", "title", "seeds", "limits", "policy", "items", "manual")
ITEM_COMMON = frozenset({"title", "points", "visibility", "description", "bonus"})
ITEM_REQUIRED = ("title", "points")
MANUAL_KEYS = frozenset({"title", "points", "description"})

_TRAIN_PARAMS = frozenset(
    {
        "dataset",
        "n",
        "hidden_n",
        "min_accuracy",
        "min_hidden_accuracy",
        "min_flipped_accuracy",
        "loss_rtol",
        "loss_atol",
        "jitter",
        "min_secret_accuracy",
        "min_passing_seeds",
    }
)

# The item-specific keys each autograded item accepts. An item missing from this table has no
# check to serve it, so the rubric is refused rather than silently scoring nothing.
ITEM_PARAMS: dict[str, frozenset[str]] = {
    "imports": frozenset(),
    "activations": frozenset({"tolerance"}),
    "loss": frozenset({"tolerance"}),
    "forward": frozenset({"tolerance", "sizes", "batch"}),
    "backward": frozenset(
        {
            "tolerance",
            "step",
            "sizes",
            "batch",
            "forward_tolerance",
            "recheck",
            "float32_tolerance",
            "float32_step",
            "scale_credit",
        }
    ),
    "backward_repeatable": frozenset({"tolerance"}),
    "update": frozenset({"tolerance", "lr"}),
    "predict": frozenset({"tolerance"}),
    "train_linear": _TRAIN_PARAMS,
    "train_xor": _TRAIN_PARAMS,
    "frameworks": frozenset(),
    "extra_activations": frozenset({"tolerance"}),
    "extra_optimizers": frozenset({"tolerance", "xor_epochs", "xor_hidden", "xor_lr"}),
    "extra_conv": frozenset({"tolerance"}),
}

# Params a check cannot run without only for some datasets: the linear set is drawn (n points,
# hidden_n hidden ones), the XOR set is fixed and its hidden points are jittered copies.
DATASET_PARAMS: dict[str, frozenset[str]] = {
    "linear": frozenset({"n", "hidden_n"}),
    "xor": frozenset({"jitter"}),
}
_CONDITIONAL_PARAMS = frozenset().union(*DATASET_PARAMS.values())


DEFAULT_RUBRIC = "lab1.toml"


def default_rubric_path() -> Path:
    """The rubric carried inside the installed package, else rubric/lab1.toml of the checkout."""
    from importlib.resources import files

    packaged = files("grader.rubric") / DEFAULT_RUBRIC  # a wheel's copy of rubric/ (tools/build_hooks.py)
    if packaged.is_file():
        return Path(str(packaged))
    import grader

    # An editable install or a plain checkout: rubric/ beside grader/ is the source of truth.
    return Path(grader.__file__).resolve().parent.parent / "rubric" / DEFAULT_RUBRIC


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Read and validate a rubric file (None: the default rubric/lab1.toml)."""
    path = default_rubric_path() if path is None else Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(f"cannot read rubric {display_path(path)}: {exc.strerror or exc}") from None
    return parse_rubric(raw, path)


def parse_rubric(raw: bytes, path: str | Path = "<rubric>") -> Rubric:
    """Validate the bytes of a rubric file; `path` is used for messages and Rubric.path."""
    path = Path(path)
    shown = display_path(path)
    text = _decode(raw, shown)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise RubricError(_format(shown, int(match.group(1)) if match else None, f"invalid TOML: {exc}")) from None
    src = _Source(shown, text)
    rubric = _build(src, data, path, hashlib.sha256(raw).hexdigest())
    if src.errors:
        raise RubricError("\n".join(src.errors), src.errors)
    return rubric  # type: ignore[return-value]  # None only together with errors


def validate_against_checks(rubric: Rubric, check_items: Iterable[str]) -> None:
    """Refuse a rubric item no check serves and a check tagged with no rubric item."""
    check_items = set(check_items)
    shown = display_path(rubric.path)
    errors = [
        _format(shown, item.line, f"no check serves item '{key}'")
        for key, item in rubric.items.items()
        if key not in check_items
    ]
    orphans = sorted(check_items - set(rubric.items))
    if orphans:
        tags = ", ".join(f"'{key}'" for key in orphans)
        errors.append(_format(shown, None, f"check(s) tagged {tags} have no rubric item"))
    if errors:
        raise RubricError("\n".join(errors), errors)


# --- locating lines in the raw text -------------------------------------------------------------

# Any table header; the character class leaves out ',' so rows of a multi-line array don't match.
_ANY_HEADER = re.compile(r"""^\s*\[\[?\s*[A-Za-z0-9_\-."' ]+\]\]?\s*(#.*)?$""")


def _name_pattern(name: str) -> str:
    """Regex of one bare or quoted TOML key."""
    bare = re.escape(name)
    return rf"""(?:{bare}|"{bare}"|'{bare}')"""


class _Source:
    """The raw text of a rubric: finds the line of a table or key and collects errors."""

    def __init__(self, shown: str, text: str):
        self.shown = shown
        self.lines = text.splitlines()
        self.errors: list[str] = []

    def header_line(self, table: str) -> int | None:
        """Line of the header `[table]`, or None when the table is not written as one."""
        parts = r"\s*\.\s*".join(_name_pattern(part) for part in table.split("."))
        pattern = re.compile(rf"^\s*\[\s*{parts}\s*\]\s*(#.*)?$")
        return next((n for n, line in enumerate(self.lines, 1) if pattern.match(line)), None)

    def table_line(self, table: str) -> int | None:
        """Line where `table` is defined: its header, else its key in the parent table."""
        line = self.header_line(table)
        if line is None and "." in table:
            parent, _, key = table.rpartition(".")
            line = self.key_line(parent, key)
        return line

    def key_line(self, table: str | None, key: str) -> int | None:
        """Line of `key = ...` in `table` (None: top level), else the table's own line."""
        start = 0 if table is None else self.table_line(table)
        if start is None:
            return None
        pattern = re.compile(rf"^\s*{_name_pattern(key)}\s*=")
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if _ANY_HEADER.match(line):
                break
            if pattern.match(line):
                return number
        return start or None

    def fail(self, message: str, line: int | None) -> None:
        """Record one error."""
        self.errors.append(_format(self.shown, line, message))


def _format(shown: str, line: int | None, message: str) -> str:
    """'path:line: message', or 'path: message' without a line."""
    return f"{shown}:{line}: {message}" if line else f"{shown}: {message}"


def _decode(raw: bytes, shown: str) -> str:
    """The file as text; TOML is UTF-8 by definition."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RubricError(f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


# --- building the rubric ------------------------------------------------------------------------


def _build(src: _Source, data: dict[str, Any], path: Path, sha256: str) -> Rubric | None:
    """The Rubric of parsed TOML, or None when an error was recorded in src."""
    _check_top_level(src, data)
    name = _value(src, None, data, "name", text)
    title = _value(src, None, data, "title", text)
    # A missing table is reported once, not once per key it lacks.
    seeds = _section(src, data, "seeds", _seeds)
    limits = _section(src, data, "limits", _limits)
    policy = _section(src, data, "policy", _policy)
    items = _section(src, data, "items", _items) or {}
    manual = _manual(src, _table(src, data, "manual", required=False) or {}, items)
    if seeds is not None:
        _check_passing_seeds(src, seeds, items)
    if src.errors:
        return None
    return Rubric(name, title, path, sha256, seeds, limits, policy, items, manual)


def _section(src: _Source, data: dict[str, Any], name: str, build: Callable[[_Source, dict[str, Any]], Any]) -> Any:
    """build(table) of a required top-level table, or None when it is missing or not a table."""
    values = _table(src, data, name)
    return None if values is None else build(src, values)


def _check_top_level(src: _Source, data: dict[str, Any]) -> None:
    """Refuse unknown top-level keys and tables."""
    for key, value in data.items():
        if key in TOP_KEYS:
            continue
        if isinstance(value, dict):
            src.fail(f"unknown table [{key}]{_known(key, TOP_KEYS)}", src.table_line(key))
        else:
            src.fail(f"unknown key '{key}' at top level{_known(key, TOP_KEYS)}", src.key_line(None, key))


def _known(key: str, known: Iterable[str]) -> str:
    """' (known: ...)' plus a did-you-mean for a likely typo."""
    known = sorted(known)
    text = f" (known: {', '.join(known)})" if known else " (this table takes no keys)"
    close = difflib.get_close_matches(key, known, n=1)
    return text + (f"; did you mean '{close[0]}'?" if close else "")


def _where(table: str | None) -> str:
    """How a table is named in messages."""
    return "at top level" if table is None else f"in [{table}]"


def _table(src: _Source, data: dict[str, Any], name: str, required: bool = True) -> dict[str, Any] | None:
    """The sub-table `name`, or None after recording why it is missing or not a table."""
    if name not in data:
        if required:
            src.fail(f"missing table [{name}]", None)
        return None
    value = data[name]
    if not isinstance(value, dict):
        src.fail(f"[{name}] must be a table", src.table_line(name))
        return None
    return value


def _check_keys(src: _Source, table: str, values: dict[str, Any], known: Iterable[str]) -> None:
    """Record each key of `values` not in `known`."""
    known = frozenset(known)
    for key in values:
        if key not in known:
            src.fail(f"unknown key '{key}' in [{table}]{_known(key, known)}", src.key_line(table, key))


def _value(
    src: _Source,
    table: str | None,
    values: dict[str, Any],
    key: str,
    check: Callable[[Any], tuple[Any, str | None]],
    default: Any = ...,
) -> Any:
    """values[key] checked and converted; records a missing key unless a default is given."""
    if key not in values:
        if default is ...:
            line = src.table_line(table) if table else None
            src.fail(f"missing key '{key}' {_where(table)}", line)
        return None if default is ... else default
    value, error = check(values[key])
    if error:
        src.fail(f"'{key}' {_where(table)} {error} (got {values[key]!r})", src.key_line(table, key))
    return value


def _seeds(src: _Source, values: dict[str, Any]) -> Seeds | None:
    """[seeds]."""
    _check_keys(src, "seeds", values, ("probe", "train", "hidden"))
    probe = _value(src, "seeds", values, "probe", seed)
    train = _value(src, "seeds", values, "train", seed_list)
    hidden = _value(src, "seeds", values, "hidden", seed)
    return Seeds(probe, train, hidden)


def _limit_check(kind: str) -> Callable[[Any], tuple[Any, str | None]]:
    """The check of a Limits field from its annotation: every limit is > 0."""
    return positive_int if kind == "int" else positive_number


def _limits(src: _Source, values: dict[str, Any]) -> Limits | None:
    """[limits]: every field of Limits, typed as annotated."""
    specs = {f.name: str(f.type) for f in fields(Limits)}  # annotations are strings (__future__)
    _check_keys(src, "limits", values, specs)
    defaults = {f.name: f.default for f in fields(Limits) if f.name in OPTIONAL_LIMITS}
    converted = {
        name: _value(
            src,
            "limits",
            values,
            name,
            fraction if name == "near_limit" else _limit_check(kind),
            default=defaults.get(name, ...),
        )
        for name, kind in specs.items()
    }
    if is_number(converted["wall_factor"]) and converted["wall_factor"] < 1:
        src.fail(
            f"wall_factor ({converted['wall_factor']:g}) is below 1 in [limits]: the wall-clock backstop "
            "must leave the CPU budget room",
            src.key_line("limits", "wall_factor"),
        )
    low, high = converted["min_lr"], converted["max_lr"]
    if is_number(low) and is_number(high) and low > high:
        src.fail(f"min_lr ({low:g}) is above max_lr ({high:g}) in [limits]", src.key_line("limits", "min_lr"))
    return Limits(**converted)


def _policy(src: _Source, values: dict[str, Any]) -> Policy:
    """[policy]."""
    _check_keys(src, "policy", values, ("framework_violation", "allowed_imports", "tamper_violation"))
    violation = _value(src, "policy", values, "framework_violation", framework_policy)
    allowed = _value(src, "policy", values, "allowed_imports", module_list)
    tamper = _value(src, "policy", values, "tamper_violation", tamper_policy, default="zero")
    return Policy(violation, allowed, tamper)


def _items(src: _Source, values: dict[str, Any]) -> dict[str, Item]:
    """[items.*] in file order, then the check that autograded points sum to 100."""
    if not values:
        src.fail("no autograded items ([items.KEY] tables)", src.table_line("items"))
    items = {}
    for key, table in values.items():
        item = _item(src, key, table)
        if item is not None:
            items[key] = item
    # The sum is only meaningful when every item's points were read.
    if items and len(items) == len(values):
        _check_total(src, items, next(iter(items.values())).line)
    return items


def _item(src: _Source, key: str, values: Any) -> Item | None:
    """One [items.KEY] table, or None after recording what is wrong with it."""
    table = f"items.{key}"
    line = src.table_line(table)
    if not isinstance(values, dict):
        src.fail(f"[{table}] must be a table", line)
        return None
    if key not in ITEM_PARAMS:
        src.fail(f"no check serves item '{key}' (known items: {', '.join(ITEM_PARAMS)})", line)
        return None
    errors_before = len(src.errors)
    _check_keys(src, table, values, ITEM_COMMON | ITEM_PARAMS[key])
    common = {k: _value(src, table, values, k, check, _common_default(k)) for k, check in COMMON_VALIDATORS.items()}
    params = _params(src, key, table, values)
    if len(src.errors) > errors_before:
        return None
    return Item(
        key,
        common["title"],
        common["points"],
        common["visibility"],
        params,
        common["description"],
        line,
        bool(common["bonus"]),
    )


def _common_default(key: str) -> Any:
    """Default of an optional common item key; ... marks a required one."""
    return {"visibility": "visible", "description": "", "bonus": False}.get(key, ...)


def _params(src: _Source, key: str, table: str, values: dict[str, Any]) -> dict[str, Any]:
    """The item-specific params of one item in file order; all required but the dataset-dependent ones."""
    accepted = ITEM_PARAMS[key]
    required = set(accepted - _CONDITIONAL_PARAMS)
    dataset = values.get("dataset")
    if "dataset" in accepted and dataset in DATASET_PARAMS:
        required |= DATASET_PARAMS[dataset]
    params = {name: _value(src, table, values, name, PARAM_VALIDATORS[name]) for name in values if name in accepted}
    for name in sorted(required - set(values)):
        _value(src, table, values, name, PARAM_VALIDATORS[name])  # records the missing key
    return params


def _check_passing_seeds(src: _Source, seeds: Seeds, items: dict[str, Item]) -> None:
    """A training item cannot ask for more passing network seeds than [seeds] train lists."""
    for key, item in items.items():
        needed = item.params.get("min_passing_seeds")
        if isinstance(needed, int) and isinstance(seeds.train, tuple) and needed > len(seeds.train):
            src.fail(
                f"min_passing_seeds = {needed} in [items.{key}], but [seeds] train lists only "
                f"{len(seeds.train)} seed(s)",
                src.key_line(f"items.{key}", "min_passing_seeds"),
            )


def _check_total(src: _Source, items: dict[str, Item], line: int | None) -> None:
    """Autograded points must sum to exactly 100 (rounding noise of decimals aside)."""
    total = sum(item.points for item in items.values() if not item.bonus)  # bonus items come on top
    if not math.isclose(total, TOTAL_POINTS, rel_tol=0, abs_tol=1e-9):
        listing = ", ".join(f"{k}={item.points:g}" for k, item in items.items() if item.points and not item.bonus)
        src.fail(f"autograded points sum to {total:g}, not {TOTAL_POINTS:g} ({listing})", line)


def _manual(src: _Source, values: dict[str, Any], items: dict[str, Item]) -> dict[str, ManualItem]:
    """[manual.*]: the items graded by hand."""
    manual = {}
    for key, table_values in values.items():
        table = f"manual.{key}"
        line = src.table_line(table)
        if not isinstance(table_values, dict):
            src.fail(f"[{table}] must be a table", line)
            continue
        if key in items:
            src.fail(f"'{key}' is both an autograded item and a manual item", line)
        _check_keys(src, table, table_values, MANUAL_KEYS)
        title = _value(src, table, table_values, "title", text)
        points = _value(src, table, table_values, "points", non_negative_number)
        description = _value(src, table, table_values, "description", string, "")
        manual[key] = ManualItem(key, title, points, description, line)
    return manual
