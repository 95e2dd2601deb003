"""The sandbox's own view of the attacks (in process): the tier that ran, the kernel layers the child
applied, the security events its audit hook recorded, and the strict tier's fallback."""

from __future__ import annotations

import struct

import pytest

from grader.sandbox import ChildLimits, Sandbox, strict
from grader.scan.imports import FRAMEWORKS
from tests.attacks.attack_specs import ATTACKS, canaries, make_hints, materialize, planted
from tests.support.machine import require_strict_tier

LIMITS = ChildLimits(startup_seconds=10, probe_seconds=5, train_seconds=5, memory_mb=512, file_size_mb=16)
TIERS = ["default", "strict"]
RECORDED = [
    "kill_parent",
    "forge_results_files",
    "read_reference",
    "read_secret_seed",
    "read_parent_memory",
    "network_connect",
    "sitecustomize_plant",
]


def _box(tmp_path, name: str, tier: str) -> Sandbox:
    (tmp_path / "neighbour").mkdir()
    hints = make_hints(
        f"lab1-attack-inproc-{name}", tmp_path, tmp_path / "out" / "results.json", tmp_path / "neighbour", 9
    )
    materialize(ATTACKS[name], tmp_path / "submission", hints)
    return Sandbox(tmp_path / "submission", LIMITS, frameworks=sorted(FRAMEWORKS), tier=tier)


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("name", RECORDED)
def test_security_events_recorded(tmp_path, name, tier):
    """The child words what it saw; run_check has only to copy Sandbox.security_events."""
    if tier == "strict":
        require_strict_tier()  # on CI, fails where the machine supports the tier
    if name == "kill_parent" and tier == "default" and strict.landlock_abi() < 6:
        pytest.skip("needs Landlock ABI 6 to be harmless in the default tier")
    if name == "sitecustomize_plant" and tier == "default" and strict.landlock_abi() < 1:
        pytest.skip("needs Landlock to be harmless in the default tier")
    with _box(tmp_path, name, tier) as box:
        box.imports()
        events = " | ".join(box.security_events)
        assert box.tier == tier
    spec = ATTACKS[name].spec
    for words in spec.get("security", []) + spec.get(f"security_{tier}", []):
        assert words in events, f"{name}: {words!r} not in {events!r}"
    hints = make_hints(
        f"lab1-attack-inproc-{name}", tmp_path, tmp_path / "out" / "results.json", tmp_path / "neighbour", 9
    )
    assert not [path for path in canaries(hints) if planted(path)], "the attack planted a file"


@pytest.mark.parametrize("tier", TIERS)
def test_confinement_reported(tmp_path, tier):
    if tier == "strict":
        require_strict_tier()
    with _box(tmp_path, "fork_loop_bounded", tier) as box:
        box.imports()
        layers = " ".join(box.confinement)
    if tier == "strict":
        assert "namespaces" in layers
    if strict.landlock_abi() >= 1:
        assert "landlock" in layers
    if strict.seccomp_program() is not None:
        assert "seccomp" in layers


def test_strict_falls_back_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(strict.plan, "_AVAILABLE", (False, "no namespaces on this test machine"))
    with _box(tmp_path, "fork_loop_bounded", "strict") as box:
        assert box.tier == "default"
        assert "no namespaces on this test machine" in box.tier_note
        assert box.imports()["network"]["status"] == "ok"


def test_seccomp_program_is_well_formed():
    program = strict.seccomp_program()
    if program is None:
        pytest.skip("no syscall table for this architecture")
    assert len(program) % 8 == 0 and len(program) // 8 < 4096
    last = struct.unpack("HBBI", program[-8:])
    assert last == (0x06, 0, 0, 0x7FFF0000), "the filter ends by allowing what it did not refuse"
    for index in range(0, len(program), 8):
        code, jt, jf, _ = struct.unpack("HBBI", program[index : index + 8])
        assert index // 8 + 1 + max(jt, jf) < len(program) // 8 or code == 0x06, "a jump past the end"
