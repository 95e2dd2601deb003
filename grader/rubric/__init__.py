"""The rubric: points, thresholds, seeds and limits loaded from TOML (entry point: `load_rubric`)."""

from grader.rubric.loader import load_rubric
from grader.rubric.model import Rubric, RubricError

__all__ = ["Rubric", "RubricError", "load_rubric"]
