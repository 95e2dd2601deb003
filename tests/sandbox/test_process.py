"""The sandboxed child: imports, probes, time limits, restarts, output caps, stdin, cleanup."""

import os
import textwrap

import numpy as np
import pytest

from grader.sandbox import ChildDied, ChildLimits, NotAttempted, ProbeTimeout, Sandbox, SubmissionError

LIMITS = ChildLimits(startup_seconds=5, probe_seconds=1.5, output_kb=4, memory_mb=512)


@pytest.fixture
def make_submission(tmp_path):
    def make(**modules):
        root = tmp_path / "sub"
        root.mkdir(exist_ok=True)
        for name, code in modules.items():
            (root / f"{name}.py").write_text(textwrap.dedent(code))
        return root

    return make


def call(box, func, *args, module="activations", timeout=1.5):
    arrays = {f"a{i}": np.asarray(a) for i, a in enumerate(args)}
    return box.request(
        "call", arrays, timeout=timeout, what=func, module=module, func=func, args=[f"@a{i}" for i in range(len(args))]
    )


def test_probe_round_trip_and_import_statuses(make_submission):
    sub = make_submission(
        activations="import numpy as np\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n",
        losses='raise NotImplementedError("TODO: mse")\n',
    )
    with Sandbox(sub, LIMITS) as box:
        _, arrays = call(box, "sigmoid", np.zeros(3))
        np.testing.assert_allclose(arrays["out"], 0.5)
        imports = box.imports()
        assert imports["activations"]["status"] == "ok"
        assert imports["losses"]["status"] == "not_attempted"
        assert imports["network"]["status"] == "missing"


def test_not_implemented_is_not_attempted(make_submission):
    sub = make_submission(activations='def sigmoid(x):\n    raise NotImplementedError("TODO: sigmoid")\n')
    with Sandbox(sub, LIMITS) as box, pytest.raises(NotAttempted, match="TODO: sigmoid"):
        call(box, "sigmoid", np.zeros(3))


def test_student_traceback_names_only_their_files(make_submission):
    sub = make_submission(
        activations="def sigmoid(x):\n    return helper(x)\ndef helper(x):\n    return x / 0.0 + [][1]\n"
    )
    with Sandbox(sub, LIMITS) as box, pytest.raises(SubmissionError) as caught:
        call(box, "sigmoid", np.zeros(3))
    assert 'File "activations.py", line 4, in helper' in caught.value.traceback
    assert "server.py" not in caught.value.traceback and "sandbox" not in caught.value.traceback


def test_endless_loop_is_killed_and_the_child_restarts(make_submission):
    sub = make_submission(
        activations="def sigmoid(x):\n    while x.size:\n        pass\ndef identity(x):\n    return x\n"
    )
    with Sandbox(sub, LIMITS) as box:
        with pytest.raises(ProbeTimeout, match=r"did not finish within 1\.5 s"):
            call(box, "sigmoid", np.zeros(3))
        _, arrays = call(box, "identity", np.ones(2))
        assert box.restarts == 1 and arrays["out"].tolist() == [1.0, 1.0]


def test_endless_import_stops_all_later_probes_at_once(make_submission):
    sub = make_submission(activations="while True:\n    pass\n")
    limits = ChildLimits(startup_seconds=1.0, probe_seconds=1.0)
    with Sandbox(sub, limits) as box:
        with pytest.raises(ProbeTimeout, match="module level"):
            box.imports()
        restarts = box.restarts
        with pytest.raises(ChildDied, match="module level"):
            call(box, "sigmoid", np.zeros(1))
        assert box.restarts == restarts  # no new child, so no second wait for its import


def test_output_is_capped(make_submission):
    sub = make_submission(
        activations="def sigmoid(x):\n    for _ in range(2000):\n        print('x' * 1000)\n    return x\n"
    )
    with Sandbox(sub, LIMITS) as box:
        header, _ = call(box, "sigmoid", np.zeros(1))
        assert len(header["output"]) < 5 * 1024 and "more characters of output dropped" in header["output"]


def test_input_gets_a_clear_error(make_submission):
    sub = make_submission(activations="def sigmoid(x):\n    return float(input('lr? '))\n")
    with Sandbox(sub, LIMITS) as box, pytest.raises(SubmissionError, match="remove input"):
        call(box, "sigmoid", np.zeros(1))


def test_exit_during_a_probe_is_explained(make_submission):
    sub = make_submission(activations="import os\ndef sigmoid(x):\n    os._exit(0)\n")
    with Sandbox(sub, LIMITS) as box, pytest.raises(ChildDied, match="exit status 0"):
        call(box, "sigmoid", np.zeros(1))


def test_memory_limit_is_enforced(make_submission):
    sub = make_submission(activations="import numpy as np\ndef sigmoid(x):\n    return np.ones((10**5, 10**4))\n")
    with Sandbox(sub, LIMITS) as box, pytest.raises((SubmissionError, ChildDied), match=r"(?i)memory|allocate"):
        call(box, "sigmoid", np.zeros(1))


def test_environment_is_scrubbed(make_submission, monkeypatch):
    monkeypatch.setenv("LAB1_SECRET_SEED", "987654")
    sub = make_submission(
        activations="import os, numpy as np\ndef sigmoid(x):\n    return np.array([len(os.environ.get('LAB1_SECRET_SEED', ''))])\n"
    )
    with Sandbox(sub, LIMITS) as box:
        _, arrays = call(box, "sigmoid", np.zeros(1))
    assert arrays["out"].tolist() == [0]


def test_close_removes_files_and_processes(make_submission):
    sub = make_submission(activations="def sigmoid(x):\n    return x\n")
    box = Sandbox(sub, LIMITS)
    pid = box._proc.pid
    call(box, "sigmoid", np.zeros(1))
    box.close()
    assert not box.tmp.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_symlinks_are_not_copied(make_submission, tmp_path):
    sub = make_submission(activations="def sigmoid(x):\n    return x\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("answer")
    (sub / "leak.txt").symlink_to(secret)
    with Sandbox(sub, LIMITS) as box:
        assert not (box.workdir / "student" / "leak.txt").exists()
