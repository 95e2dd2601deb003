"""Fixtures of the red-team suite; the harness lives in attack_harness.py."""

from tests.attacks.attack_harness import attack_runner, start_attack_runs  # noqa: F401  (the session fixture)


def pytest_collection_finish(session):
    start_attack_runs(session)
