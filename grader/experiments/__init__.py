"""`grade experiments`: the lab's discussion experiments, run with the student's own code.

    from grader.experiments import run_experiments
    report = run_experiments("student", "out/", datasets=("xor",), jobs=2)
    report.paths["markdown"], report.paths["json"], report.figures  # what was written

Starting from the student's config (clamped), one setting is varied at a time (learning
rate, hidden units, no activation, and each extra activation and optimizer the submission
implements; see grader.experiments.plan). Every run trains a fresh network with the
student's train() inside a sandbox, in ~50 chunks of epochs; the parent computes the
accuracy after each chunk and the final loss from the returned parameters. The submission
is never imported in this process. Writes, atomically, into out_dir:

    <dataset>_<experiment>.png   learning curves of the variants (one figure per experiment)
    experiments.md               one Markdown table per experiment, figures by relative path
    experiments.json             the raw numbers

A failing run (crash, timeout, bad reply, exception) is reported with its reason and the
others still run; bad submissions never raise. Results are deterministic (seeds from the
rubric) and do not depend on the number of jobs.
"""

from grader.experiments.report import ExperimentRow, ExperimentsReport
from grader.experiments.session import JSON_NAME, MARKDOWN_NAME, run_experiments
from grader.usage import UsageError

__all__ = ["JSON_NAME", "MARKDOWN_NAME", "ExperimentRow", "ExperimentsReport", "UsageError", "run_experiments"]
