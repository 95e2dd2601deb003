"""`grade bundle gradescope`: the autograder zip a Gradescope course uploads.

    from grader.bundle.gradescope import build_bundle
    build_bundle("autograder.zip")     # setup.sh, run_autograder, the grader wheel, pinned requirements

Modules: gradescope (writes the zip), autograder (what run_autograder runs inside the container), cli.
"""
