"""The grader's checks: pytest tests run in the trusted parent, each tagged with its rubric item."""
