"""Harness of the red-team suite (attack_harness.py): hostile submissions graded end to end, in both sandbox tiers.

The attacks themselves, and how each becomes a submission, are in attack_specs.py. Here, when
collection ends (``start_attack_runs``, called by conftest.py), every selected (attack, tier)
submission is materialized in its own run folder and graded with
``python -m grader check SUB --no-report --json - --rubric FAST`` with the run's own TMPDIR, two at
a time, slowest first, once per session (``Runner``); the tests read the results (``Run``) through
the ``attack_runner`` fixture.

After each run it records what the attack could have left behind: processes whose command line,
working folder or environment mention the run folder (then kills them), sandbox folders not
deleted, canary files carrying the attack marker (then deletes them), connections and datagrams
the run's listener received, and the secret seed anywhere in the output.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.attacks.attack_specs import (
    ATTACKS,
    NEIGHBOUR_SECRET,
    canaries,
    fast_rubric,
    make_hints,
    materialize,
    planted,
    remove_plant,
    tier_skip,
)
from tests.support.processes import Process, kill_leftovers
from tests.support.runner import RunPool, run_grader

RUN_TIMEOUT = 240
SECRET_SEED = str(secrets.randbelow(9 * 10**11) + 10**11)  # 12 digits, never in any output


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
        super().__init__(self._run)
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


_RUNNERS: list[Runner] = []


def start_attack_runs(session) -> None:
    """Queue the runs the selected attack tests read, slowest first, as soon as collection ends: they run
    beside the other folders' tests (the root conftest runs their readers last)."""
    if session.config.option.collectonly:
        return
    cases = []
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "attack" in callspec.params and "tier" in callspec.params:
            cases.append((callspec.params["attack"], callspec.params["tier"]))
    if not cases:
        return
    keys = [key for key in cases if not tier_skip(ATTACKS[key[0]], key[1])]  # a skipped case never asks
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
