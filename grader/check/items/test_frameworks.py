"""The no-framework rule: a static scan of the files and the child's runtime import audit."""

import pytest


@pytest.mark.rubric("frameworks")
def test_no_framework(lab, context, grade):
    lab.sandbox.imports()  # make sure the child imported everything before reading its audit
    scan = context.scan
    static = [f"{v.path}:{v.line} imports {v.module}" for v in scan.violations if v.framework]
    runtime = list(lab.sandbox.audit_events)
    others = [f"{v.path}:{v.line} imports {v.module}" for v in scan.violations if not v.framework]
    grade.data.update(static=static, runtime=runtime, other_imports=others)
    assert not static and not runtime, (
        "deep-learning frameworks are not allowed in this lab (NumPy only): " + "; ".join(static + runtime)
    )
    assert not others, "imports outside the allowed list (standard library, numpy, matplotlib): " + "; ".join(others)
