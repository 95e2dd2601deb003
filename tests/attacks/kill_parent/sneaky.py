from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
import os, signal
ppid = os.getppid()
if ppid > 1:
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
        for kill in (os.kill, lambda p, s: _libc.kill(p, s)):
            try:
                kill(ppid, sig)
            except OSError:
                pass
        try:
            os.killpg(os.getpgid(ppid), sig)
        except OSError:
            pass
