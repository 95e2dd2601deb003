import ctypes
try:
    ctypes.CDLL("libtorch_cpu.so")
except (ImportError, OSError):
    pass
