"""A 1-D convolution layer (valid cross-correlation, stride 1), in NumPy only. [extra]

Shapes: x (N, in_channels, L); W (out_channels, in_channels, kernel_size); b (out_channels,);
output (N, out_channels, L - kernel_size + 1). out[n, o, t] = b[o] + sum_{c,k} W[o, c, k] * x[n, c, t + k].
"""
import numpy as np


class Conv1D:
    """Valid 1-D cross-correlation with stride 1.

    Attributes:
    - params: dict "W" (out_channels, in_channels, kernel_size), "b" (out_channels,);
      forward reads it, so assigning it sets the layer.
    """

    def __init__(self, in_channels, out_channels, kernel_size, seed=0):
        """Random weights (scaled normal, from default_rng(seed)), zero biases."""
        self.in_channels, self.out_channels, self.kernel_size = int(in_channels), int(out_channels), int(kernel_size)
        rng = np.random.default_rng(seed)
        fan_in = self.in_channels * self.kernel_size
        self.params = {
            "W": rng.normal(0.0, 1.0 / np.sqrt(fan_in), (self.out_channels, self.in_channels, self.kernel_size)),
            "b": np.zeros(self.out_channels),
        }
        self._x = None  # the input of the last forward, for backward

    def forward(self, x):
        """Cross-correlate a batch.

        Input: x (N, in_channels, L). Output: (N, out_channels, L - kernel_size + 1).
        """
        ### BEGIN SOLUTION
        ### TODO (extra): the valid cross-correlation of the module docstring (stride 1) plus the bias of
        ### each output channel; keep what backward needs.
        x = np.asarray(x, dtype=float)
        self._x = x
        windows = np.lib.stride_tricks.sliding_window_view(x, self.params["W"].shape[2], axis=2)  # (N, C, T, K)
        return np.einsum("nctk,ock->not", windows, self.params["W"]) + self.params["b"][None, :, None]
        ### END SOLUTION

    def backward(self, dout):
        """Gradients for the x of the last forward.

        Input: dout (N, out_channels, T) = d loss / d output, T = L - kernel_size + 1.
        Output: (dx (N, in_channels, L), {"W": like W, "b": like b}); fresh arrays every call.
        """
        ### BEGIN SOLUTION
        ### TODO (extra): d loss / d x, d loss / d W and d loss / d b from dout, for the x of the last
        ### forward; new arrays every call (nothing accumulates).
        if self._x is None:
            raise RuntimeError("call forward(x) before backward(dout)")
        dout = np.asarray(dout, dtype=float)
        W = self.params["W"]
        K, T = W.shape[2], dout.shape[2]
        windows = np.lib.stride_tricks.sliding_window_view(self._x, K, axis=2)  # (N, C, T, K)
        dW = np.einsum("not,nctk->ock", dout, windows)
        db = dout.sum(axis=(0, 2))
        dx = np.zeros_like(self._x)
        for k in range(K):  # output t saw input t + k through W[:, :, k]
            dx[:, :, k:k + T] += np.einsum("not,oc->nct", dout, W[:, :, k])
        return dx, {"W": dW, "b": db}
        ### END SOLUTION
