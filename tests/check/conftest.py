"""Shared fixtures of tests/check: `grade check` run end to end on the fixture submissions.

Every run is a separate `python -m grader check ...` process (never run_check in this
process: pytest inside pytest would share sys.modules). The runs the selected tests need are
queued when collection ends, slowest first, on the session's two grader-run threads, and cached by
name; a test waits only for its own run.

Each run gets its own TMPDIR, so the sandbox's temporary folder (and the cwd of every process
the submission starts) lives under a path no other grader on the machine uses: after the
grader exits, any process whose cwd or command line mentions that path was left behind.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.fixtures import HOSTILE, fixture_names, fixture_path
from tests.support.processes import Process, kill_leftovers, proc_available
from tests.support.runner import ROOT, RunPool, run_grader

DEFAULT_RUBRIC = ROOT / "rubric" / "lab1.toml"
FAST_RUBRIC = Path(__file__).resolve().with_name("fast_limits.toml")  # 3 s limits, 512 MB

# Started first: they take the longest (they wait for the time limits).
SLOWEST_FIRST = (
    "infinite_loop_in_train",
    "infinite_loop_at_import",
    "portable:infinite_loop_in_train",
    "portable:infinite_loop_at_import",
)
RUN_TIMEOUT = 300  # seconds: a hung grader fails its test instead of hanging CI
GRADESCOPE_VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


@dataclass
class Run:
    """One finished `python -m grader ...` process."""

    name: str
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    tmpdir: Path
    leftovers: list[Process] | None = None  # processes left behind (None: cannot tell here)
    leftover_dirs: list[str] = field(default_factory=list)  # sandbox folders not deleted

    def describe(self) -> str:
        return (
            f"{self.name}: exit {self.returncode} after {self.seconds:.1f} s\n$ {' '.join(self.argv)}\n"
            f"--- stderr (end) ---\n{self.stderr[-3000:]}\n--- stdout (start) ---\n{self.stdout[:2000]}"
        )

    @property
    def json(self) -> dict:
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise AssertionError(f"stdout is not JSON ({exc})\n{self.describe()}") from None

    @property
    def tests(self) -> dict[str, dict]:
        """results.json tests by rubric item key."""
        return {t["extra_data"]["key"]: t for t in self.json["tests"]}

    def item(self, key: str) -> dict:
        return self.tests[key]

    def output(self, key: str) -> str:
        return self.tests[key]["output"]

    def failed_items(self) -> set[str]:
        """Items with points that lost some of them."""
        return {k for k, t in self.tests.items() if t["max_score"] > 0 and t["score"] < t["max_score"]}

    def checks(self, key: str) -> list[dict]:
        return self.tests[key]["extra_data"]["checks"]

    def tracebacks(self, key: str) -> str:
        return "\n".join(c["traceback"] for c in self.checks(key) if c["traceback"])

    @property
    def diagnoses(self) -> list[dict]:
        return self.json["extra_data"]["diagnoses"]

    @property
    def flags(self) -> list[str]:
        return self.json["extra_data"]["flags"]

    def assert_graded(self) -> dict:
        """Exit 0 and results.json in Gradescope's shape on stdout; returns the parsed JSON."""
        assert self.returncode == 0, self.describe()
        data = self.json
        assert isinstance(data.get("score"), (int, float)), data.get("score")
        assert isinstance(data.get("execution_time"), (int, float))
        assert isinstance(data.get("output"), str)
        assert data.get("visibility") in GRADESCOPE_VISIBILITIES
        assert isinstance(data.get("tests"), list) and data["tests"], "no tests in results.json"
        for test in data["tests"]:
            for key, kind in (("name", str), ("output", str), ("status", str)):
                assert isinstance(test.get(key), kind), (key, test)
            assert isinstance(test.get("score"), (int, float)) and isinstance(test.get("max_score"), (int, float))
            # a bonus item (an extra) has max_score 0 in Gradescope's sum and earns up to its bonus_points
            assert 0 <= test["score"] <= test["extra_data"].get("bonus_points", test["max_score"]), test
            assert test["status"] in ("passed", "failed"), test
            assert test.get("visibility", "visible") in GRADESCOPE_VISIBILITIES
        assert sum(t["max_score"] for t in data["tests"]) == 100
        extra = data["extra_data"]
        assert 0 <= extra["autograded_score"] <= 100 and extra["bonus"] >= 0
        assert data["score"] == pytest.approx(extra["autograded_score"] + extra["bonus"])  # the bonus on top
        assert extra["schema_version"] >= 1 and isinstance(extra["diagnoses"], list)
        return data


class Runner(RunPool[str, Run]):
    """Starts grader processes two at a time and caches the finished runs by name."""

    def __init__(self, base_tmp: Path, jobs: dict[str, list[str]], bad_rubrics: dict[str, Path]):
        super().__init__(self._run)
        self.base_tmp = base_tmp
        self.jobs = jobs
        self.bad_rubrics = bad_rubrics  # the rubric files some jobs read (test_check_cli.py)

    def _run(self, name: str) -> Run:
        tmp = self.base_tmp / name
        tmp.mkdir(parents=True, exist_ok=True)
        done = run_grader([a.replace("{tmp}", str(tmp)) for a in self.jobs[name]], tmp, RUN_TIMEOUT)
        # The separator: grad_zero/ is not grad_zero_x/.
        leftovers = kill_leftovers(f"{tmp}{os.sep}") if proc_available() else None
        dirs = sorted(p.name for p in tmp.glob("lab1-grader-*"))
        return Run(name, done.argv, done.returncode, done.stdout, done.stderr, done.seconds, tmp, leftovers, dirs)


# Graded with FAST_RUBRIC's 3 s budgets: hostile fixtures stop in seconds, and test_check_load.py reads
# the slow-but-correct fixture's run as its grading on a quiet machine.
FAST_RUBRIC_FIXTURES = frozenset(HOSTILE) | {"slow_per_sample_sgd"}


def fixture_job(name: str) -> list[str]:
    rubric = FAST_RUBRIC if name in FAST_RUBRIC_FIXTURES else DEFAULT_RUBRIC
    # The default tier, as the expectations in check_expected.py were written for it (`auto` picks strict here).
    return [
        "check",
        str(fixture_path(name)),
        "--no-report",
        "--json",
        "-",
        "--rubric",
        str(rubric),
        "--sandbox",
        "default",
    ]


def all_jobs(bad_rubrics: dict[str, Path]) -> dict[str, list[str]]:
    """Every grader run the tests may ask for, by name; `{tmp}` is the run's own folder."""
    jobs = {name: fixture_job(name) for name in fixture_names()}
    for name in [*fixture_names(), "reference"]:  # the portable tier, forced: same scores (test_check_portable.py)
        default = fixture_job(name) if name != "reference" else ["check", "reference", "--no-report", "--json", "-"]
        jobs[f"portable:{name}"] = [a if a != "default" else "portable" for a in default] + (
            [] if "--sandbox" in default else ["--sandbox", "portable"]
        )
    jobs["reference"] = ["check", "reference", "--no-report", "--json", "-", "--fail-under", "100"]
    jobs["student"] = ["check", "--no-report", "--json", "-"]  # the default SUBMISSION is ./student
    jobs["cli_missing_path"] = ["check", "{tmp}/no-such-folder", "--no-report"]
    jobs["cli_file_not_folder"] = ["check", "reference/network.py", "--no-report"]
    jobs["cli_rubric_missing"] = ["check", "reference", "--no-report", "--rubric", "{tmp}/missing.toml"]
    jobs["cli_rubric_folder"] = ["check", "reference", "--no-report", "--rubric", "rubric"]
    jobs["cli_rubric_not_utf8"] = ["check", "reference", "--no-report", "--rubric", str(bad_rubrics["binary"])]
    jobs["cli_rubric_unknown_key"] = ["check", "reference", "--no-report", "--rubric", str(bad_rubrics["unknown_key"])]
    jobs["cli_fail_under_json_file"] = [
        "check",
        "student",
        "--no-report",
        "--fail-under",
        "50",
        "--json",
        "{tmp}/out/results.json",
    ]
    return jobs


UNKNOWN_KEY = 'colour = "red"'


def write_bad_rubrics(folder: Path) -> dict[str, Path]:
    """A rubric that is not UTF-8 and one with an unknown key right under [items.loss]."""
    folder.mkdir(parents=True, exist_ok=True)
    binary, unknown = folder / "binary.toml", folder / "unknown_key.toml"
    binary.write_bytes(b"\xff\xfe name = 1\n")
    lines = DEFAULT_RUBRIC.read_text(encoding="utf-8").splitlines()
    lines.insert(lines.index("[items.loss]") + 1, UNKNOWN_KEY)
    unknown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"binary": binary, "unknown_key": unknown}


def pytest_configure(config):
    config.addinivalue_line("markers", "graded(*names): grader runs (see all_jobs) a test reads")


def pytest_collection_modifyitems(items):
    """A test that reads a grader run (the `graded` fixture) runs the grader as a process: e2e."""
    for item in items:
        if "graded" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


def _needed(items) -> list[str]:
    """Names of the runs the collected tests read: `sub` parameters and `graded` markers."""
    names = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and isinstance(callspec.params.get("sub"), str):
            names.append(callspec.params["sub"])
        for marker in item.iter_markers("graded"):
            names.extend(marker.args)
    return list(dict.fromkeys(names))


_RUNNERS: list[Runner] = []


def pytest_collection_finish(session):
    """Queue the grader runs the selected tests read as soon as collection ends, slowest first: they
    run beside the other folders' tests (the root conftest runs their readers last)."""
    if session.config.option.collectonly:
        return
    base = session.config._tmp_path_factory.mktemp("check-runs")  # what the tmp_path_factory fixture returns
    bad_rubrics = write_bad_rubrics(base / "bad-rubrics")
    jobs = all_jobs(bad_rubrics)
    needed = [n for n in _needed(session.items) if n in jobs]
    runner = Runner(base / "grader-runs", jobs, bad_rubrics)  # even with nothing queued: graded() starts a run
    _RUNNERS.append(runner)
    runner.start(sorted(needed, key=lambda n: (n not in SLOWEST_FIRST, n not in ("reference", "student"), n)))


@pytest.fixture(scope="session")
def runner():
    """The session's grader runs (queued when collection ended)."""
    if not _RUNNERS:
        pytest.fail("no grader runs were queued: tests/check/conftest.py's pytest_collection_finish did not run")
    return _RUNNERS[0]


@pytest.fixture(scope="session")
def bad_rubrics(runner) -> dict[str, Path]:
    return runner.bad_rubrics


def pytest_terminal_summary(terminalreporter):
    """How long the grader runs took (they overlap the rest of the suite, two at a time)."""
    runs = [run for runner in _RUNNERS for run in runner.finished()]
    if runs:
        slowest = ", ".join(f"{r.name} {r.seconds:.1f} s" for r in sorted(runs, key=lambda r: -r.seconds)[:4])
        terminalreporter.write_line(
            f"tests/check: {len(runs)} grader runs, {sum(r.seconds for r in runs):.1f} s "
            f"in all (2 at a time); slowest: {slowest}"
        )


@pytest.fixture
def graded(runner):
    """graded(name) -> Run: the finished grader run of that name."""
    return runner.get
