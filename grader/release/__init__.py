"""`grade release`: the student starter repository and the student build of the grader."""
