
"""A tiny reverse-mode autograd engine on NumPy arrays, micrograd style (vendored)."""
import numpy as np


class Tensor:
    def __init__(self, data, parents=(), backward=None):
        self.data = np.asarray(data, dtype=float)
        self.grad = np.zeros_like(self.data)
        self._parents, self._backward = parents, backward

    def __matmul__(self, other):
        out = Tensor(self.data @ other.data, (self, other))

        def backward():
            self.grad += out.grad @ other.data.T
            other.grad += self.data.T @ out.grad
        out._backward = backward
        return out

    def __add__(self, other):
        out = Tensor(self.data + other.data, (self, other))

        def backward():
            self.grad += out.grad
            other.grad += out.grad.sum(axis=0) if other.data.ndim < out.data.ndim else out.grad
        out._backward = backward
        return out

    def sigmoid(self):
        s = 1.0 / (1.0 + np.exp(-self.data))
        out = Tensor(s, (self,))

        def backward():
            self.grad += out.grad * s * (1 - s)
        out._backward = backward
        return out

    def mse(self, target):
        diff = self.data - target
        out = Tensor(np.mean(diff ** 2), (self,))

        def backward():
            self.grad += out.grad * 2 * diff / diff.size
        out._backward = backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node._parents:
                    visit(parent)
                order.append(node)
        visit(self)
        self.grad = np.ones_like(self.data)
        for node in reversed(order):
            if node._backward:
                node._backward()
