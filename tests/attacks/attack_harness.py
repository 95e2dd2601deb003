"""Harness of the red-team suite (attack_harness.py): hostile submissions graded end to end, in both sandbox tiers.

Each folder here is one attack: ``ATTACK.toml`` (what it does, its base, the score its honest part
earns, what must be flagged) and the files it adds to or changes in its base (a copy of
``reference/``, or nothing), plus the helpers of ``_shared/`` it names (``shared = [...]``). The harness materializes every (attack, tier) submission in its own
run folder, gives it ``hints.json`` (paths an attacker would dig out of /proc or sys.path: the
grader's --json file, the repository, site-packages, a neighbouring student's folder, a listening
port), and runs ``python -m grader check SUB --no-report --json - --rubric FAST`` with the run's
own TMPDIR, two at a time, slowest first, once per session.

After each run it records what the attack could have left behind: processes whose command line,
working folder or environment mention the run folder (then kills them), sandbox folders not
deleted, canary files carrying the attack marker (then deletes them), connections and datagrams
the run's listener received, and the secret seed anywhere in the output.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import socket
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.processes import Process, kill_leftovers
from tests.support.runner import RunPool, run_grader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REFERENCE = ROOT / "reference"
MARKER = "lab1-attack-forged"  # every file an attack plants carries it
RUN_TIMEOUT = 240
SECRET_SEED = str(secrets.randbelow(9 * 10**11) + 10**11)  # 12 digits, never in any output
NEIGHBOUR_SECRET = f"NEIGHBOUR-SECRET-{secrets.token_hex(6)}"
FAST_LIMITS = {
    "startup_seconds": "3.0",
    "probe_seconds": "3.0",
    "train_seconds": "3.0",
    "memory_mb": "512",
    "file_size_mb": "16",
}
# Bases an attack builds on: reference/ with these (file, old, new) edits.
BASES = {
    "reference": [],
    "no_backward": [
        (
            "network.py",
            "        if self._outputs is None:\n            raise RuntimeError(",
            '        raise NotImplementedError("TODO: backward")\n'
            "        if self._outputs is None:\n            raise RuntimeError(",
        )
    ],
}


def landlock_abi() -> int:
    from grader.sandbox import strict

    return strict.landlock_abi()


def strict_available() -> tuple[bool, str]:
    from grader.sandbox import strict

    return strict.available()


# --------------------------------------------------------------------------- attacks


@dataclass
class Attack:
    name: str
    folder: Path
    spec: dict

    @property
    def expected_score(self) -> float:
        return float(self.spec["score"])

    @property
    def expected_failed(self) -> set[str]:
        return set(self.spec.get("failed", []))

    def requires(self) -> list[str]:
        return list(self.spec.get("requires", []))


def load_attacks() -> list[Attack]:
    attacks = []
    for folder in sorted(p for p in HERE.iterdir() if (p / "ATTACK.toml").is_file()):
        spec = tomllib.loads((folder / "ATTACK.toml").read_text(encoding="utf-8"))
        attacks.append(Attack(folder.name, folder, spec))
    return attacks


ATTACKS = {a.name: a for a in load_attacks()}
TIERS = ("default", "strict")
PORTABLE = "portable"  # forced on Linux by test_attacks.py (issue 15): it watches, it confines nothing
# Attacks the portable tier cannot stop (no Landlock, seccomp, namespaces, rlimits or subreaper): in it they
# are recorded, not prevented. Each names the tests whose promise it breaks there; those tests then assert
# the record instead (valid results, the tier and what it left unconfined in extra_data, the tier: flag):
# "score" test_graded_to_the_honest_score, "behind" test_nothing_left_behind, "flagged" test_attempt_flagged.
PORTABLE_UNCONFINED: dict[str, tuple[str, set[str]]] = {
    "memory_hog": (
        "no address-space limit: the watcher stops the child past the memory limit, so the reason "
        "names the limit, not a MemoryError",
        {"flagged"},
    ),
    "read_reference": (
        "reads the reference and another student's folder: only Landlock or a private root stop it",
        {"behind"},
    ),
    "read_secret_seed": (
        "reads the grader's /proc/<pid>/environ: only a non-dumpable grader or a PID namespace stop it",
        {"score", "behind"},
    ),
    "network_connect": (
        "opens network connections: only seccomp, Landlock ABI 4 or a network namespace stop it",
        {"score", "behind"},
    ),
    "setsid_daemon": (
        "a double-forked daemon leaves the tree: only a subreaper or a PID namespace catch it",
        {"score", "behind", "flagged"},
    ),
    "prlimit_grader": (
        "sets the grader's rlimits and priority: only seccomp or a PID namespace stop it",
        {"score", "behind", "flagged"},
    ),
    "read_opt": ("lists /opt (wheels, package indexes): only Landlock or a private root stop it", {"score", "behind"}),
    "forged_pipe_pickle": (
        "writes its forgery to fd 1, which the portable child points at its log: the grader "
        "never sees it and grades the honest code, unflagged",
        {"score", "flagged"},
    ),
}
# Of those, attacks that may break their own grading in the portable tier (the grader dies, or the daemon
# forges its results file first: timing decides); when a result of the grader does come out, it must
# still record the tier and what ran unconfined.
PORTABLE_BREAKS_GRADING = {"prlimit_grader", "setsid_daemon"}
# Attacks not even started in the portable tier: run for real they would harm this machine or this test run.
PORTABLE_NOT_RUN = {
    "disk_fill": "would write 100 GB to the disk and to /dev/shm (RAM): the portable tier has no file-size limit",
    "kill_parent": "would SIGKILL the grader's process group, which is this test session's",
    "forge_results_files": "would write results.json files into this repository and into the folders of the "
    "attack runs beside it (seen there as their plants)",
    "read_parent_memory": "would attach to the grader with ptrace and stop it (the run hangs until its timeout)",
    "conftest_injection": "would plant conftest.py files in this repository while its tests run",
    "sitecustomize_plant": "would plant sitecustomize.py and .pth files in this virtual environment",
}


def portable_cases(test: str) -> list:
    """The portable tier's (attack, tier) cases of one test ("score", "behind" or "flagged"); the attacks of
    PORTABLE_NOT_RUN are not cases at all (the list says why), rather than skipped ones."""
    return [pytest.param(name, PORTABLE, id=f"{name}-{PORTABLE}") for name in ATTACKS if name not in PORTABLE_NOT_RUN]


def unconfined_reason(attack: str, tier: str, test: str) -> str:
    """Why `test` cannot hold for `attack` in `tier` (the portable tier confines nothing), or ""."""
    why, tests = PORTABLE_UNCONFINED.get(attack, ("", set()))
    return why if tier == PORTABLE and test in tests else ""


def fast_rubric(path: Path) -> Path:
    """rubric/lab1.toml with FAST_LIMITS (hostile submissions hit their limits in seconds) and one seed."""
    text = (ROOT / "rubric" / "lab1.toml").read_text(encoding="utf-8")
    for key, value in FAST_LIMITS.items():
        text, count = re.subn(rf"(?m)^{key}\s*=\s*[^#\n]*", f"{key} = {value}  ", text)
        assert count == 1, f"rubric/lab1.toml has no single [limits] {key}"
    text = re.sub(r'(?m)^name\s*=\s*"[^"]*"', 'name = "lab1-attacks-fast"', text, count=1)
    # One network seed per training item (the lab's rubric trains three): an attack's honest score
    # does not hang on the seed policy, which tests/check grades with the real rubric.
    text, count = re.subn(r"(?m)^train\s*=\s*\[[^]]*\]", "train = [0]", text)
    assert count == 1, "rubric/lab1.toml has no single [seeds] train"
    text, count = re.subn(r"(?m)^min_passing_seeds\s*=\s*\d+", "min_passing_seeds = 1", text)
    assert count == 2, "rubric/lab1.toml: min_passing_seeds of train_linear and train_xor"
    path.write_text(text, encoding="utf-8")
    return path


def materialize(attack: Attack, target: Path, hints: dict) -> None:
    """The attack's submission: its base, its edits, its files, and hints.json."""
    spec = attack.spec
    base = spec.get("base", "reference")
    target.mkdir(parents=True)
    if base != "none":
        for path in REFERENCE.glob("*.py"):
            shutil.copyfile(path, target / path.name)
        edits = list(BASES[base]) + [(r["file"], r["old"], r["new"]) for r in spec.get("replace", [])]
    else:
        edits = [(r["file"], r["old"], r["new"]) for r in spec.get("replace", [])]
    for path in attack.folder.iterdir():
        if path.name != "ATTACK.toml" and path.is_file():
            shutil.copyfile(path, target / path.name)
    for name in spec.get("shared", []):  # helpers several attacks import (tests/attacks/_shared/)
        shutil.copyfile(HERE / "_shared" / name, target / name)
    for name, old, new in edits:
        text = (target / name).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{attack.name}: {name} no longer contains {old!r}: re-apply the attack"
        (target / name).write_text(text.replace(old, new), encoding="utf-8")
    for name, line in spec.get("append", {}).items():
        with open(target / name, "a", encoding="utf-8") as handle:
            handle.write("\n" + line + "  # ATTACK\n")
    (target / "hints.json").write_text(json.dumps(hints, indent=1), encoding="utf-8")


def make_hints(tag: str, run_dir: Path, json_path: Path, neighbour: Path, port: int) -> dict:
    """What an attacker would dig out of /proc/<ppid>/cmdline, sys.path and the like; hints.json."""
    return {
        "tag": tag,
        "marker": MARKER,
        "run_dir": str(run_dir),
        "submission": str(run_dir / "submission"),
        "json_path": str(json_path),
        "repo_root": str(ROOT),
        "grader_dir": str(ROOT / "grader"),
        "checks_dir": str(ROOT / "grader" / "checks"),
        "reference_dir": str(REFERENCE),
        "site_packages": sysconfig.get_paths()["purelib"],
        "neighbour": str(neighbour),
        "port": port,
    }


def canaries(hints: dict) -> list[Path]:
    """Files an attack may plant outside its sandbox (they carry MARKER when it succeeded)."""
    run = Path(hints["run_dir"])
    places = [
        Path(hints["repo_root"]),
        Path(hints["grader_dir"]),
        Path(hints["checks_dir"]),
        Path(hints["site_packages"]),
        run,
        run.parent,
        run.parent.parent,
        Path(hints["submission"]),
        Path("/tmp"),
        Path(hints["json_path"]).parent,
    ]
    names = [
        "results.json",
        "conftest.py",
        "sitecustomize.py",
        "usercustomize.py",
        "lab1_attack.pth",
        f"{hints['tag']}.txt",
    ]
    found = [place / name for place in places for name in names]
    found += [Path(hints["grader_dir"]) / "check" / "scoring.py", Path(hints["checks_dir"]) / "pytest.ini"]
    return found


def planted(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def remove_plant(path: Path) -> None:
    """Undo a successful plant: strip the marked lines, or delete a file that has nothing else."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    kept = [line for line in lines if MARKER not in line]
    if any(line.strip() for line in kept) and path.name in ("scoring.py", "pytest.ini"):
        path.write_text("".join(kept), encoding="utf-8")
    else:
        path.unlink()


# --------------------------------------------------------------------------- listener


class Listener:
    """TCP and UDP on 127.0.0.1 (one port number for both); records whatever arrives."""

    def __init__(self):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.udp.bind(("127.0.0.1", self.port))
        except OSError:
            self.udp.close()
            self.udp = None
        self.tcp.listen(8)
        self.received: list[str] = []
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import select

        sockets = [s for s in (self.tcp, self.udp) if s is not None]
        while not self.stop:
            ready, _, _ = select.select(sockets, [], [], 0.1)
            for sock in ready:
                if sock is self.tcp:
                    conn, peer = sock.accept()
                    conn.settimeout(1)
                    try:
                        data = conn.recv(100)
                    except OSError:
                        data = b""
                    conn.close()
                    self.received.append(f"tcp connection from {peer}: {data!r}")
                else:
                    data, peer = sock.recvfrom(100)
                    self.received.append(f"udp datagram from {peer}: {data!r}")

    def close(self):
        self.stop = True
        self.thread.join(2)
        for sock in (self.tcp, self.udp):
            if sock is not None:
                sock.close()


# --------------------------------------------------------------------------- runs


@dataclass
class Run:
    attack: str
    tier: str
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    run_dir: Path
    json_path: Path
    leftovers: list[Process] = field(default_factory=list)
    leftover_dirs: list = field(default_factory=list)
    plants: list = field(default_factory=list)
    received: list = field(default_factory=list)
    json_file: str | None = None

    def describe(self) -> str:
        return (
            f"{self.attack} [{self.tier}]: exit {self.returncode} after {self.seconds:.1f} s\n"
            f"$ {' '.join(self.argv)}\n--- stderr (end) ---\n{self.stderr[-2500:]}\n"
            f"--- stdout (start) ---\n{self.stdout[:1500]}"
        )

    @property
    def json(self) -> dict:
        text = self.json_file if self.json_file is not None else self.stdout
        try:
            return json.loads(text)
        except (TypeError, ValueError) as exc:
            raise AssertionError(f"no valid results JSON ({exc})\n{self.describe()}") from None

    @property
    def items(self) -> dict[str, dict]:
        return {t["extra_data"]["key"]: t for t in self.json["tests"]}

    def failed_items(self) -> set[str]:
        return {k for k, t in self.items.items() if t["max_score"] > 0 and t["score"] < t["max_score"]}

    def text(self) -> str:
        """Everything a student or TA would read: the results JSON and what the grader printed."""
        return (self.json_file or "") + self.stdout + self.stderr


class Runner(RunPool[tuple[str, str], Run]):
    def __init__(self, base: Path, rubric: Path, neighbour: Path):
        super().__init__(self._run, "attack")
        self.base, self.rubric, self.neighbour = base, rubric, neighbour

    def _run(self, key: tuple[str, str]) -> Run:
        name, tier = key
        attack = ATTACKS[name]
        run_dir = self.base / tier / name
        tmp = run_dir / "tmp"
        tmp.mkdir(parents=True)
        json_path = run_dir / "out" / "results.json"
        json_path.parent.mkdir()
        listener = Listener() if attack.spec.get("listen") else None
        submission = run_dir / "submission"
        hints = make_hints(
            f"lab1-attack-{tier}-{name}", run_dir, json_path, self.neighbour, listener.port if listener else 0
        )
        materialize(attack, submission, hints)
        done = run_grader(
            [
                "check",
                str(submission),
                "--no-report",
                "--rubric",
                str(self.rubric),
                "--sandbox",
                tier,
                "--json",
                str(json_path) if attack.spec.get("json") == "file" else "-",
            ],
            tmp,
            RUN_TIMEOUT,
            env={"LAB1_SECRET_SEED": SECRET_SEED},
        )
        argv, code, out, err, seconds = done.argv, done.returncode, done.stdout, done.stderr, done.seconds
        run = Run(name, tier, argv, code, out, err, seconds, run_dir, json_path)
        if json_path.exists():
            run.json_file = json_path.read_text(encoding="utf-8", errors="replace")
        # A dying process group gets a moment, then whatever is left is recorded and killed.
        run.leftovers = kill_leftovers(run_dir, environ=True)
        run.leftover_dirs = sorted(str(p) for p in tmp.rglob("lab1-grader-*"))
        run.plants = [str(path) for path in canaries(hints) if planted(path)]
        for path in run.plants:
            remove_plant(Path(path))
        if listener is not None:
            time.sleep(0.2)
            listener.close()
            run.received = list(listener.received)
        return run


# Started first: they wait for time limits.
SLOWEST_FIRST = (
    "sleep_forever_in_train",
    "signals_ignored_hang_at_import",
    "gigabyte_reply",
    "disk_fill",
    "memory_hog",
    "exit_zero_during_probes",
)


def tier_skip(attack: Attack, tier: str) -> str:
    """Why this (attack, tier) cannot run on this machine, or ''."""
    if tier == PORTABLE:
        why = PORTABLE_NOT_RUN.get(attack.name, "")
        return f"portable tier: not run, it {why}" if why else ""
    if tier == "strict":
        ok, why = strict_available()
        if not ok:
            return f"strict tier not available here: {why}"
    abi = landlock_abi()
    for need in attack.requires():
        if need == "landlock" and abi < 1 and tier == "default":
            return (
                "the default tier stops this attack only with Landlock (Linux >= 5.13); without it the "
                "submission could really write outside its sandbox: not run here"
            )
        if need == "landlock_signal" and abi < 6 and tier == "default":
            return "the default tier stops signals to the grader only with Landlock ABI 6 (Linux >= 6.12)"
        if need == "landlock_net" and abi < 4 and tier == "default":
            return "the default tier blocks TCP with Landlock ABI 4 (Linux >= 6.7) or seccomp"
    return ""


_RUNNERS: list[Runner] = []


def start_attack_runs(session) -> None:
    """Queue the runs the selected attack tests read, slowest first, as soon as collection ends: they run
    beside the other folders' tests (the root conftest runs their readers last)."""
    if session.config.option.collectonly:
        return
    keys = []
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "attack" in callspec.params and "tier" in callspec.params:
            key = (callspec.params["attack"], callspec.params["tier"])
            if not tier_skip(ATTACKS[key[0]], key[1]):
                keys.append(key)
    if not keys:
        return
    base = session.config._tmp_path_factory.mktemp("attacks")  # what the tmp_path_factory fixture returns
    neighbour = base / "neighbour_student"
    neighbour.mkdir()
    (neighbour / "network.py").write_text(f'SECRET = "{NEIGHBOUR_SECRET}"\n', encoding="utf-8")
    runner = Runner(base, fast_rubric(base / "fast_rubric.toml"), neighbour)
    _RUNNERS.append(runner)
    runner.start(
        sorted(
            dict.fromkeys(keys),
            key=lambda k: (k[0] not in SLOWEST_FIRST, SLOWEST_FIRST.index(k[0]) if k[0] in SLOWEST_FIRST else 0, k),
        )
    )


@pytest.fixture(scope="session")
def attack_runner():
    if not _RUNNERS:
        pytest.fail("no attack runs were queued: tests/attacks/conftest.py's pytest_collection_finish did not run")
    runner = _RUNNERS[0]
    started = time.perf_counter()
    yield runner
    runner.close()
    runs = runner.finished()
    if runs:
        slow = sorted(runs, key=lambda r: -r.seconds)[:4]
        print(
            f"\ntests/attacks: {len(runs)} grader runs, {sum(r.seconds for r in runs):.1f} s of runs, the last "
            f"{time.perf_counter() - started:.1f} s waited for (2 at a time); slowest: "
            + ", ".join(f"{r.attack}[{r.tier}] {r.seconds:.1f} s" for r in slow)
        )


def finish_attack_runs() -> None:
    """Wait for the runs under way and drop the rest, however the session ended."""
    for runner in _RUNNERS:
        runner.close()
