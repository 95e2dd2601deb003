### BEGIN SOLUTION
### TODO: the package docstring (the student's is the STARTER block below).
"""Instructor solution of lab 1: backpropagation from scratch in NumPy.

Same API as ``student/`` (see DESIGN.md), complete, with the extras:
tanh / ReLU / leaky ReLU / identity activations and the Momentum, AdaGrad
and Adam optimizers. Submodules are not imported here so that importing one
of them (or running ``python -m reference.train``) stays cheap. The student
skeleton is generated from this package: ``python -m grader.release.skeleton``.
"""
### END SOLUTION
### BEGIN STARTER
# """Lab 1: backpropagation from scratch in NumPy. Your submission.
#
# Fill in every function that raises NotImplementedError("TODO: ..."), in this
# order: activations.py, losses.py, network.py, optimizers.py, train.py; then
# tune config.py. data.py and gradcheck.py are provided. Only NumPy and the
# standard library are allowed (matplotlib is used by data.show_result only).
# Keep every name and signature: the grader calls them. Check your gradients
# with `python -m student.gradcheck`, your work with `grade check student/`,
# and run it with `python -m student.train --dataset xor`.
# """
### END STARTER
