"""Fixtures of the red-team suite; the harness lives in attack_harness.py."""

from tests.attacks.attack_harness import attack_runner  # noqa: F401  (the session fixture)
