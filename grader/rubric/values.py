"""Value checks of rubric keys: each returns (converted value, error message or None)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from grader.contract import DATASETS, EXTRA_OPTIMIZERS

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
FRAMEWORK_POLICIES = ("zero", "flag", "item")
TAMPER_POLICIES = ("zero", "flag")


def is_number(value: Any) -> bool:
    """An int or float that is finite; bool is not a number here."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_int(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def positive_number(value: Any) -> tuple[Any, str | None]:
    """A number > 0."""
    ok = is_number(value) and value > 0
    return (float(value), None) if ok else (value, "must be a positive number")


def non_negative_number(value: Any) -> tuple[Any, str | None]:
    """A number >= 0."""
    ok = is_number(value) and value >= 0
    return (float(value), None) if ok else (value, "must be a non-negative number")


def fraction(value: Any) -> tuple[Any, str | None]:
    """A number in [0, 1]."""
    ok = is_number(value) and 0 <= value <= 1
    return (float(value), None) if ok else (value, "must be a number between 0 and 1")


def positive_int(value: Any) -> tuple[Any, str | None]:
    """An integer >= 1."""
    ok = is_int(value) and value >= 1
    return (value, None) if ok else (value, "must be a positive integer")


def seed(value: Any) -> tuple[Any, str | None]:
    """An integer >= 0 (numpy refuses negative seeds)."""
    ok = is_int(value) and value >= 0
    return (value, None) if ok else (value, "must be a non-negative integer")


def seed_list(value: Any) -> tuple[Any, str | None]:
    """A non-empty list of seeds."""
    ok = isinstance(value, list) and value and all(seed(v)[1] is None for v in value)
    return (tuple(value), None) if ok else (value, "must be a non-empty list of non-negative integers")


def sizes(value: Any) -> tuple[Any, str | None]:
    """A non-empty list of layer sizes, each a list of at least 2 positive integers."""
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(s, list) and len(s) >= 2 and all(positive_int(n)[1] is None for n in s) for s in value)
    )
    error = "must be a non-empty list of layer sizes like [[2, 4, 4, 1]]"
    return (tuple(tuple(s) for s in value), None) if ok else (value, error)


def dataset(value: Any) -> tuple[Any, str | None]:
    """One of DATASETS."""
    return (value, None) if value in DATASETS else (value, f"must be one of {quoted(DATASETS)}")


def text(value: Any) -> tuple[Any, str | None]:
    """A non-empty string."""
    ok = isinstance(value, str) and value.strip()
    return (value, None) if ok else (value, "must be a non-empty string")


def string(value: Any) -> tuple[Any, str | None]:
    """Any string."""
    return (value, None) if isinstance(value, str) else (value, "must be a string")


def visibility(value: Any) -> tuple[Any, str | None]:
    """One of Gradescope's visibilities."""
    return (value, None) if value in VISIBILITIES else (value, f"must be one of {quoted(VISIBILITIES)}")


def framework_policy(value: Any) -> tuple[Any, str | None]:
    """One of FRAMEWORK_POLICIES."""
    ok = value in FRAMEWORK_POLICIES
    return (value, None) if ok else (value, f"must be one of {quoted(FRAMEWORK_POLICIES)}")


def tamper_policy(value: Any) -> tuple[Any, str | None]:
    """One of TAMPER_POLICIES."""
    ok = value in TAMPER_POLICIES
    return (value, None) if ok else (value, f"must be one of {quoted(TAMPER_POLICIES)}")


def module_list(value: Any) -> tuple[Any, str | None]:
    """A list of importable top-level names."""
    ok = isinstance(value, list) and all(isinstance(v, str) and v.isidentifier() for v in value)
    return (tuple(value), None) if ok else (value, "must be a list of module names")


def hidden_pair(value: Any) -> tuple[Any, str | None]:
    """Two positive hidden widths [h1, h2]."""
    ok = isinstance(value, list) and len(value) == 2 and all(positive_int(v)[1] is None for v in value)
    return (tuple(value), None) if ok else (value, "must be two positive integers [h1, h2]")


def optimizer_rates(value: Any) -> tuple[Any, str | None]:
    """A learning rate > 0 for each extra optimizer: { momentum = ..., adagrad = ..., adam = ... }."""
    ok = (
        isinstance(value, dict)
        and set(value) == set(EXTRA_OPTIMIZERS)
        and all(positive_number(v)[1] is None for v in value.values())
    )
    error = f"must give a positive learning rate for each of {quoted(EXTRA_OPTIMIZERS)}"
    return ({k: float(v) for k, v in value.items()}, None) if ok else (value, error)


PARAM_VALIDATORS: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "tolerance": positive_number,
    "step": positive_number,
    "lr": positive_number,
    "sizes": sizes,
    "batch": positive_int,
    "dataset": dataset,
    "n": positive_int,
    "hidden_n": positive_int,
    "min_accuracy": fraction,
    "min_hidden_accuracy": fraction,
    "min_flipped_accuracy": fraction,
    "min_secret_accuracy": fraction,
    "min_passing_seeds": positive_int,
    "loss_rtol": non_negative_number,
    "loss_atol": non_negative_number,
    "jitter": non_negative_number,
    "forward_tolerance": positive_number,
    "recheck": positive_int,
    "float32_tolerance": positive_number,
    "float32_step": positive_number,
    "scale_credit": fraction,
    "xor_epochs": positive_int,
    "xor_hidden": hidden_pair,
    "xor_lr": optimizer_rates,
}


def boolean(value: Any) -> tuple[Any, str | None]:
    """true or false."""
    return (value, None) if isinstance(value, bool) else (value, "must be true or false")


COMMON_VALIDATORS = {
    "title": text,
    "points": non_negative_number,
    "visibility": visibility,
    "description": string,
    "bonus": boolean,
}


def quoted(names: Iterable[str]) -> str:
    """'a', 'b', 'c'."""
    return ", ".join(f"'{name}'" for name in names)
