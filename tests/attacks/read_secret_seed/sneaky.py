from .libc_io import _ct, _libc, raw_read, raw_write  # tests/attacks/_shared/libc_io.py
import os
found = [os.environ.get("LAB1_SECRET_SEED")]
ppid = os.getppid()
for name in ("environ", "cmdline"):
    path = "/proc/%d/%s" % (ppid, name)
    try:
        found.append(open(path, "rb").read())
    except OSError:
        found.append(raw_read(path, 1 << 16))
for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
    if pid.isdigit():
        found.append(raw_read("/proc/%s/environ" % pid, 1 << 16))
for item in found:
    text = item.decode("latin-1") if isinstance(item, bytes) else (item or "")
    if "LAB1_SECRET_SEED=" in text or (item and "LAB1_SECRET_SEED" not in text and text.isdigit()):
        seed = text.split("LAB1_SECRET_SEED=")[-1].split("\0")[0]
        print("seed", seed)
        raise RuntimeError("ATTACK-SUCCEEDED: the secret seed is " + seed)
