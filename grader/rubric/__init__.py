"""The rubric: points, thresholds, seeds and limits loaded from TOML (entry point: `load_rubric`)."""

from grader.rubric.loader import Rubric, RubricError, load_rubric

__all__ = ["Rubric", "RubricError", "load_rubric"]
