"""Lab 1: backpropagation from scratch in NumPy. Your submission.

Fill in every function that raises NotImplementedError("TODO: ..."), in this
order: activations.py, losses.py, network.py, optimizers.py, train.py; then
tune config.py. data.py and gradcheck.py are provided. Only NumPy and the
standard library are allowed (matplotlib is used by data.show_result only).
Keep every name and signature: the grader calls them. Check your gradients
with `python -m student.gradcheck`, your work with `grade check student/`,
and run it with `python -m student.train --dataset xor`.
"""
