import os

found = []
for folder in ("/opt", "/opt/pypi", "/opt/pypi-more"):
    try:
        found += [os.path.join(folder, name) for name in os.listdir(folder)]
    except OSError:
        pass
if found:
    raise RuntimeError(f"ATTACK-SUCCEEDED: listed {len(found)} entries of /opt, e.g. {found[:3]}")
