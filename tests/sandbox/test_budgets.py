"""Time limits are budgets of the child's CPU time: load does not change a verdict, a sleeping child
is stopped for idling, the wall clock is a backstop whose hit is retried and then called overload."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader.sandbox import ChildLimits, MachineOverloaded, ProbeTimeout, Sandbox

SPIN = """
import time
def spin(x):
    end = time.process_time() + float(x[0])
    while time.process_time() < end:
        pass
    return x
def nap(x):
    time.sleep(float(x[0]))
    return x
def identity(x):
    return x
"""


@pytest.fixture
def submission(tmp_path):
    root = tmp_path / "sub"
    root.mkdir()
    (root / "activations.py").write_text(textwrap.dedent(SPIN))
    return root


def call(box: Sandbox, func: str, seconds: float, budget: float):
    return box.request(
        "call", {"a0": np.array([seconds])}, timeout=budget, what=func, module="activations", func=func, args=["@a0"]
    )


def test_an_endless_loop_is_stopped_after_its_cpu_budget_not_before(submission):
    with Sandbox(submission, ChildLimits(startup_seconds=10, probe_seconds=1.0)) as box:
        call(box, "identity", 0, 1.0)
        before = box.cpu_spent
        with pytest.raises(ProbeTimeout, match=r"spin did not finish within 1 s .*CPU time"):
            call(box, "spin", 100.0, 1.0)
        assert box.cpu_spent - before >= 1.0  # stopped for CPU used, whatever the wall clock said
        _, arrays = call(box, "identity", 0, 1.0)  # a fresh child answers the next probe
        assert box.restarts == 1 and arrays["out"].tolist() == [0.0]


def test_a_sleeping_child_is_stopped_for_idling_not_called_overload(submission):
    with Sandbox(submission, ChildLimits(startup_seconds=10)) as box:
        with pytest.raises(ProbeTimeout, match="without computing") as caught:
            call(box, "nap", 1000.0, 0.5)
        assert not isinstance(caught.value, MachineOverloaded) and box.overload_stops == 0


def test_backstop_hit_while_computing_is_retried_once_then_regrade(submission):
    # A wall-clock backstop far below the CPU budget stands in for a machine too busy to give the
    # child its CPU: both attempts hit it while the child computes. (The import's budget is large, so
    # its own backstop, 0.01 x 1000 + 0.5 s, lets the child start on a loaded machine.)
    limits = ChildLimits(startup_seconds=1000, wall_factor=0.01, wall_grace_seconds=0.5)
    with Sandbox(submission, limits) as box:
        call(box, "identity", 0, 5.0)
        with pytest.raises(MachineOverloaded, match="machine overloaded: regrade") as caught:
            call(box, "spin", 100.0, 30.0)
        assert caught.value.status == "overloaded" and "not your code's fault" in caught.value.reason
        assert box.overload_stops >= 2


def test_the_submission_has_one_total_cpu_budget(submission):
    with Sandbox(submission, ChildLimits(startup_seconds=10, cpu_seconds=2)) as box:
        call(box, "spin", 0.9, 1.5)
        call(box, "spin", 0.9, 1.5)  # 1.8 of 2 CPU seconds spent (with the import): the next one overruns
        with pytest.raises(ProbeTimeout, match="whole CPU budget of this submission"):
            call(box, "spin", 0.9, 1.5)
        with pytest.raises(ProbeTimeout, match="whole CPU budget"):
            call(box, "identity", 0, 1.5)  # spent: no probe runs any more


def test_a_probe_near_its_budget_is_noted(submission):
    with Sandbox(submission, ChildLimits(startup_seconds=10, near_limit=0.5)) as box:
        call(box, "identity", 0, 2.0)
        assert box.near_limits() == []
        call(box, "spin", 1.2, 2.0)
        notes = box.near_limits()
        assert len(notes) == 1 and notes[0].startswith("spin used 1.") and "of its 2 CPU seconds" in notes[0]


def test_an_overloaded_check_makes_the_result_a_regrade_row_not_ok():
    from grader.batch.errors import TRANSIENT_ERRORS, batch_status
    from grader.check.run import mark_regrade
    from grader.results import CheckOutcome, GradeResult, ItemResult

    def result(status: str) -> GradeResult:
        check = CheckOutcome(
            name="test_train", item="train_xor", status=status, fraction=0.0, reason="machine overloaded: regrade. ..."
        )
        item = ItemResult(
            key="train_xor",
            title="Training",
            score=0.0,
            max_score=15.0,
            status="failed",
            reason=check.reason,
            checks=[check],
        )
        return GradeResult(score=85.0, max_score=100.0, items=[item], output="Score 85 / 100.")

    overloaded, timed_out = result("overloaded"), result("timeout")
    mark_regrade(overloaded)
    mark_regrade(timed_out)
    assert batch_status(overloaded) == "regrade" and "regrade" in TRANSIENT_ERRORS  # --resume grades it again
    assert overloaded.output.startswith("Machine overloaded: regrade.") and overloaded.flags[0].startswith("regrade:")
    assert batch_status(timed_out) == "ok" and timed_out.flags == []  # a CPU overrun is the submission's own
