"""The starter's GitHub Actions workflow: install the grader, grade, publish the results.

Third-party actions are pinned to full commit SHAs (the tag in the comment), so a moved tag
cannot change what runs with the repository's token.
"""

from __future__ import annotations

REPORT_DIR = "grade-report"
PYTHON_VERSION = "3.11"
CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1  # v7.0.1"
SETUP_PYTHON = "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97  # v7.0.0"
UPLOAD_ARTIFACT = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f  # v7.0.0"
JUNIT_REPORTER = "mikepenz/action-junit-report@d9f48fc87bc235f7e214acf696ca5abc0a986f16  # v6.4.2"


def install_command(requirement: str) -> str:
    """The shell command that installs the grader: the starter's wheel or the instructor's requirement."""
    return f'python -m pip install --quiet "{requirement}"'


def grade_command(fail_under: float) -> str:
    """The shell command that grades student/ in CI (the job summary is written by the grader itself)."""
    return f"grade check student --out {REPORT_DIR} --fail-under {fail_under:g}"


def workflow_yaml(requirement: str, fail_under: float) -> str:
    """.github/workflows/grade.yml of the starter."""
    return f"""# Grades the lab on every push and pull request (written by `grade release`).
# The score table lands in the job summary, the report is kept as an artifact, and every
# rubric item shows up as a test in the "grade" check.
name: grade

on:
  push:
  pull_request:

permissions:
  contents: read
  checks: write  # the JUnit reporter publishes the "grade" check run

jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: {CHECKOUT}
      - uses: {SETUP_PYTHON}
        with:
          python-version: "{PYTHON_VERSION}"
      - name: Install the grader
        run: {install_command(requirement)}
      - name: Grade
        run: {grade_command(fail_under)}
      - name: Keep the report
        if: ${{{{ !cancelled() }}}}
        uses: {UPLOAD_ARTIFACT}
        with:
          name: {REPORT_DIR}
          path: {REPORT_DIR}/
          if-no-files-found: warn
      - name: Publish the test report
        if: ${{{{ !cancelled() }}}}
        uses: {JUNIT_REPORTER}
        with:
          report_paths: {REPORT_DIR}/junit.xml
          check_name: grade
          include_passed: true
          require_tests: true
"""
