"""Suite-wide order: the tests that read the session's grader runs (tests/check's `graded`, tests/attacks'
`attack_runner`) run last. Those runs are queued when collection ends (see tests/support/runner.py)
and go on, two at a time, while every other test runs; their readers then mostly find them done."""

from __future__ import annotations

from tests.support.runner import close_pools

POOL_FIXTURES = frozenset({"graded", "runner", "attack_runner"})


def pytest_collection_modifyitems(items):
    """Move the readers of pooled grader runs to the end, each group keeping its order."""
    readers = [item for item in items if POOL_FIXTURES & set(getattr(item, "fixturenames", ()))]
    if readers:
        chosen = {id(item) for item in readers}
        items[:] = [item for item in items if id(item) not in chosen] + readers


def pytest_sessionfinish():
    """Every pool, however the session ended: wait for the runs under way, drop the queued ones."""
    close_pools()
