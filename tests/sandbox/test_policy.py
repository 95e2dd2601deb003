"""What the child may read: not all of /opt, never an installed framework's folder."""

from __future__ import annotations

import os
import sys

from grader.sandbox import strict
from grader.sandbox.strict import plan


def test_reads_do_not_cover_opt_unless_python_lives_there(tmp_path):
    policy = strict.confine_policy([str(tmp_path)], view=False)
    python_under_opt = any(root.startswith("/opt/") for root in strict.python_roots())
    assert "/opt" not in policy["readable"]
    assert python_under_opt or not any(path.startswith("/opt") for path in policy["readable"])


def test_framework_folders_are_found_without_import_and_kept_unreadable(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    (site / "fakeframework").mkdir(parents=True)
    (site / "fakeframework" / "__init__.py").write_text("raise SystemExit('imported!')\n")
    (site / "numpylike").mkdir()
    (site / "numpylike" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(plan, "python_roots", lambda: [str(site.resolve())])
    monkeypatch.setattr(plan, "_FRAMEWORK_DIRS", {})
    found = strict.framework_dirs(["fakeframework", "notinstalled"])
    assert found == [os.path.realpath(site / "fakeframework")]
    assert "fakeframework" not in sys.modules
    policy = strict.confine_policy([str(tmp_path / "box")], view=False, hidden=found)
    assert policy["hidden"] == found
    trees = [tree for path in [str(site)] for tree in strict_trees(path, policy["hidden"])]
    assert os.path.realpath(site / "numpylike") in trees and os.path.realpath(site / "fakeframework") not in trees


def strict_trees(path: str, hidden: list[str]) -> list[str]:
    from grader.sandbox.strict import confine

    return confine._allowed_trees(path, hidden)
