"""`grade release`: the student starter repository and the student build of the grader.

    from grader.release import write_starter
    write_starter("starter/", reference_dir=Path("reference"), rubric=load_rubric(), fail_under=60, wheel=whl)

Modules: starter (the repository), readme (its README), workflow (its CI workflow), skeleton
(student/ from reference/'s solution markers), curves (the packaged reference curves), wheel
(the grader's wheel from a clean copy of the checkout), cli.
"""

from grader.release.starter import write_starter

__all__ = ["write_starter"]
