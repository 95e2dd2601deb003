"""Instructor solution of lab 1: backpropagation from scratch in NumPy.

Same API as ``student/`` (see DESIGN.md), complete, with the extras:
tanh / ReLU / leaky ReLU / identity activations and the Momentum, AdaGrad
and Adam optimizers. Submodules are not imported here so that importing one
of them (or running ``python -m reference.train``) stays cheap.
"""
