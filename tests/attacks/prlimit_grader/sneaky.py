import ctypes as _ct
import os
import resource

_libc = _ct.CDLL(None, use_errno=True)
ppid = os.getppid()
if ppid > 1:  # the strict child's parent is outside its PID namespace (0): nothing to aim at
    for res, limit in ((resource.RLIMIT_CPU, (1, 1)), (resource.RLIMIT_NOFILE, (3, 3)), (resource.RLIMIT_FSIZE, (0, 0))):
        try:
            resource.prlimit(ppid, res, limit)
        except OSError:
            pass
        new = (_ct.c_ulong * 2)(*limit)
        _libc.prlimit(ppid, res, new, None)  # libc: no audit event
    for attempt in (lambda: os.setpriority(os.PRIO_PROCESS, ppid, 19),
                    lambda: os.sched_setaffinity(ppid, {0}),
                    lambda: os.close(os.pidfd_open(ppid))):
        try:
            attempt()
        except OSError:
            pass
