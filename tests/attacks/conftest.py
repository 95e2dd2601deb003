"""Fixtures of the red-team suite; the harness lives in attack_harness.py, the attacks in attack_specs.py."""

from tests.attacks.attack_harness import attack_runner, start_attack_runs  # noqa: F401

# attack_runner: the session fixture the attack tests read. The root conftest closes the pools.


def pytest_collection_finish(session):
    start_attack_runs(session)
