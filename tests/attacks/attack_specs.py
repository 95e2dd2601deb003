"""The attacks of the red-team suite (attack_specs.py): what each one is, what it must earn, and how it becomes a submission.

Each folder here is one attack: ``ATTACK.toml`` (what it does, its base, the score its honest part
earns, what must be flagged) and the files it adds to or changes in its base (a copy of
``reference/``, or nothing), plus the helpers of ``_shared/`` it names (``shared = [...]``).

This module loads them (``ATTACKS``), says which (attack, tier) cases exist and which cannot run on
this machine (``TIERS``, the portable tier's ``PORTABLE_*`` sets, ``tier_skip``), and builds a
submission folder from one (``materialize``) with its ``hints.json`` (``make_hints``: paths an
attacker would dig out of /proc or sys.path: the grader's --json file, the repository,
site-packages, a neighbouring student's folder, a listening port), graded with a fast rubric
(``fast_rubric``). ``canaries``, ``planted`` and ``remove_plant`` find and undo the files an attack
managed to plant outside its sandbox. Running the gradings is attack_harness.py's job; the batch
tests and bench/fault_injection.py use this module alone.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REFERENCE = ROOT / "reference"
MARKER = "lab1-attack-forged"  # every file an attack plants carries it
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


def landlock_abi() -> int:
    from grader.sandbox import strict

    return strict.landlock_abi()


def strict_available() -> tuple[bool, str]:
    from grader.sandbox import strict

    return strict.available()


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


# --------------------------------------------------------------------------- submissions


def fast_rubric(path: Path) -> Path:
    """rubric/lab1.toml with FAST_LIMITS (hostile submissions hit their limits in seconds), one network seed
    and short extra trainings."""
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
    # The extras are bonus points, which no attack expectation reads (they hold the autograded 100):
    # their three XOR trainings get a quarter of the epochs.
    text, count = re.subn(r"(?m)^xor_epochs\s*=\s*\d+", "xor_epochs = 150", text)
    assert count == 1, "rubric/lab1.toml has no single xor_epochs (extra_optimizers)"
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
