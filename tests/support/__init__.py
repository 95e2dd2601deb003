"""What the tests share (import as `from tests.support.<module> import ...`):

runner.py       run_grader: `python -m grader ...` as a separate process; RunPool: queued on the session's two run threads
processes.py    what a run left behind: live processes mentioning a path or token, gone(pid)
fixtures.py     fixture submissions as edits of reference/ (tests/submissions/NAME.toml)
fake_grader.py  a fast stand-in for run_check in batch tests (marker files pick its failure mode)
machine.py      require_strict_tier: skip where the strict sandbox is missing, fail on CI where it should work
"""
