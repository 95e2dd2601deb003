"""Write Gradescope's autograder zip: setup.sh, run_autograder, the grader wheel, pinned requirements, the rubric.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once when building the image,
then run_autograder for every submission (spec: gradescope-autograders.readthedocs.io). The
hidden-point seed is read from $LAB1_SECRET_SEED when the bundle is built, stored as
source/secret_seed (the zip is the instructor's), and never printed.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from grader.bundle.autograder import ROOT_VARIABLE, SEED_FILE
from grader.release.wheel import build_clean_wheel
from grader.usage import UsageError

if TYPE_CHECKING:
    from grader.rubric.model import Rubric

SEED_VARIABLE = "LAB1_SECRET_SEED"
# The grader's run-time dependencies, pinned to the versions the bundle was built and tested with.
PINNED = ("numpy", "click", "pytest", "pytest-json-report", "matplotlib", "psutil", "pyyaml")

BUILT_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # the pins below were resolved on it

SETUP_SH = """#!/usr/bin/env bash
# Runs once, when Gradescope builds the autograder image (Ubuntu): Python, a venv, the grader.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip > /dev/null
# The pins were resolved on Python @PY@: an older python3 (Ubuntu 22.04 has 3.10) gets python@PY@.
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "@PY@".split("."))))'; then
    apt-get install -y -qq python@PY@ python@PY@-venv > /dev/null
    PYTHON=python@PY@
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements.txt /autograder/source/wheels/*.whl
# Draw one figure now: matplotlib builds its font cache in the image, not during every grading.
MPLCONFIGDIR=/autograder/mplconfig /autograder/venv/bin/python -c "import matplotlib; matplotlib.use('Agg'); \\
import matplotlib.pyplot as plt; plt.figure(); plt.savefig('/tmp/warm.png')"
""".replace("@PY@", BUILT_PYTHON)

RUN_AUTOGRADER = f"""#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission into /autograder/results/results.json.
# {ROOT_VARIABLE} moves /autograder (tests); LAB1_AUTOGRADER_PYTHON picks the interpreter.
set -uo pipefail
ROOT="${{{ROOT_VARIABLE}:-/autograder}}"
PYTHON="${{LAB1_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
export MPLCONFIGDIR="${{MPLCONFIGDIR:-$ROOT/mplconfig}}"
unset {SEED_VARIABLE}
exec "$PYTHON" -m grader.bundle.autograder --root "$ROOT"
"""


@dataclass(frozen=True)
class Bundle:
    """What build_bundle wrote."""

    path: Path
    wheel: str
    seed_source: str  # "secret" (from $LAB1_SECRET_SEED) or "public"
    files: list[str]


def requirements() -> str:
    """requirements.txt: each run-time dependency pinned to the installed version."""
    lines = [f"# resolved on Python {BUILT_PYTHON} (setup.sh installs at least it)"]
    for name in PINNED:
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise UsageError(f"{name} is not installed here: install the grader (pip install .) first") from None
    return "\n".join(lines) + "\n"


def secret_seed() -> tuple[str, str]:
    """(seed text, "secret") from $LAB1_SECRET_SEED, or ("", "public"); UsageError when it is not an integer."""
    value = os.environ.get(SEED_VARIABLE, "").strip()
    if not value:
        return "", "public"
    try:
        int(value)
    except ValueError:
        raise UsageError(f"{SEED_VARIABLE} is set but is not an integer") from None  # the value is never shown
    return value, "secret"


def build_bundle(out: str | Path, rubric: Rubric | str | Path | None = None, wheel: str | Path | None = None) -> Bundle:
    """Write the autograder zip to out (atomically) and return what is in it."""
    from grader.usage import resolve_rubric

    out = Path(out)
    loaded = resolve_rubric(rubric)
    seed, source = secret_seed()
    with tempfile.TemporaryDirectory(prefix="lab1-bundle-") as tmp:
        wheel_path = Path(wheel) if wheel else build_clean_wheel(Path(tmp))
        if not wheel_path.is_file():
            raise UsageError(f"--wheel {wheel_path} does not exist")
        entries: dict[str, tuple[bytes, int]] = {
            "setup.sh": (SETUP_SH.encode(), 0o755),
            "run_autograder": (RUN_AUTOGRADER.encode(), 0o755),
            "requirements.txt": (requirements().encode(), 0o644),
            "lab1.toml": (Path(loaded.path).read_bytes(), 0o644),
            f"wheels/{wheel_path.name}": (wheel_path.read_bytes(), 0o644),
        }
        if seed:
            entries[SEED_FILE] = (seed.encode() + b"\n", 0o600)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, (data, mode) in entries.items():
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(partial, out)
    return Bundle(path=out, wheel=wheel_path.name, seed_source=source, files=sorted(entries))
