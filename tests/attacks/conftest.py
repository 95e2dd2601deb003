"""Fixtures of the red-team suite; the harness lives in attack_harness.py (a unique module name)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from attack_harness import attack_runner  # noqa: E402,F401  (the session fixture)
