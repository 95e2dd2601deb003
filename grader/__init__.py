"""lab1-grader: auto-grading harness for the lab 'backpropagation from scratch in NumPy'."""

__version__ = "0.1.0"
