"""setuptools build hook: carry the top-level rubric/*.toml inside the built grader package.

rubric/ stays the repository's source of truth; a wheel (built from the checkout or from the
sdist, which MANIFEST.in makes carry rubric/) gets a copy at grader/rubric/, where
grader.rubric.loader finds it with importlib.resources. Editable installs read rubric/ itself.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py

RUBRIC_SOURCE = Path("rubric")
RUBRIC_PACKAGE_DIR = Path("grader") / "rubric"


class BuildPyWithRubric(build_py):
    """build_py that also copies rubric/*.toml into the built grader.rubric package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's rubric/ directly
        rubrics = sorted(RUBRIC_SOURCE.glob("*.toml"))
        if not rubrics:
            raise FileNotFoundError("rubric/*.toml not found: the grader cannot be built without its rubric")
        target = Path(self.build_lib) / RUBRIC_PACKAGE_DIR
        self.mkpath(str(target))
        for source in rubrics:
            self.copy_file(str(source), str(target / source.name))
