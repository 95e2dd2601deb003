"""Entry point of the sandboxed child: ``python -I grader/sandbox/child/main.py CONFIG_JSON``.

Order matters: the strict view (namespaces, private root, unprivileged uid) before numpy; numpy
before the kernel confinement (Landlock, seccomp) and the audit hook (numpy may use ctypes); the
submission last. The sandbox code is loaded by path under a private package name
(``_lab1_grader_sandbox``): the child never imports the ``grader`` package, and a submission
cannot shadow these modules with files of its own.
"""

import importlib
import importlib.machinery
import json
import os
import sys
import types

PACKAGE = "_lab1_grader_sandbox"
SANDBOX_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_sandbox_package():
    """Register grader/sandbox/ (and its strict/ and child/ folders) as the private package PACKAGE,
    without running any of their __init__.py files (those import the grader package)."""
    for name, folder in (
        (PACKAGE, SANDBOX_DIR),
        (f"{PACKAGE}.strict", os.path.join(SANDBOX_DIR, "strict")),
        (f"{PACKAGE}.child", os.path.join(SANDBOX_DIR, "child")),
    ):
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
        module.__spec__.submodule_search_locations = [folder]
        module.__path__ = [folder]
        module.__package__ = name
        sys.modules[name] = module


def sandbox_module(name):
    """One module of the sandbox package, loaded by path under the private name."""
    return importlib.import_module(f"{PACKAGE}.{name}")


def protocol_off_stdio():
    """Portable tier: the protocol arrives on stdin and stdout. Move it to fresh descriptors and point
    fd 0 at the null device and fd 1 at stderr (the grader's log of this child), so that code reading
    fd 0 or writing fd 1 cannot touch the protocol. Returns (fd_in, fd_out)."""
    fd_in, fd_out = os.dup(0), os.dup(1)
    if sys.platform == "win32":  # binary pipes: no newline translation
        import msvcrt

        for fd in (fd_in, fd_out):
            msvcrt.setmode(fd, os.O_BINARY)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    return fd_in, fd_out


def main():
    config = json.loads(sys.argv[1])
    portable = bool(config.get("stdio"))  # the portable tier: no kernel layer, the protocol on stdin/stdout
    fd_in, fd_out = protocol_off_stdio() if portable else (config["fd_in"], config["fd_out"])
    load_sandbox_package()
    # Every module of the sandbox now: after confine() Landlock hides the grader's folder.
    protocol, view, kernel_guard = (
        sandbox_module("protocol"),
        sandbox_module("strict.view"),
        sandbox_module("strict.confine"),
    )
    streams, audit, guard = (
        sandbox_module("child.streams"),
        sandbox_module("child.audit"),
        sandbox_module("child.guard"),
    )
    server = sandbox_module("child.server")
    if config.get("view"):  # strict tier: private root, unprivileged uid (see strict/view.py)
        try:
            view.enter_view(config["view"])
        except Exception as exc:  # noqa: BLE001  - the grader's fault, never the student's
            os.write(2, f"lab1-grader: the strict sandbox could not be set up: {exc}\n".encode())
            os._exit(97)
    import numpy  # noqa: F401  (imported before the audit hook: numpy may use ctypes)

    # no_new_privs, Landlock, seccomp (none in the portable tier: it runs as it would on Windows or macOS)
    confinement = [] if portable else kernel_guard.confine(config.get("confine", {}))
    sys.dont_write_bytecode = True  # -I ignores PYTHONDONTWRITEBYTECODE
    guard.forget_editable_installs()
    writer = streams.CappedWriter(config["output_chars"])
    sys.stdout = sys.stderr = writer
    sys.stdin = streams.NoStdin()
    sys.path.insert(0, config["workdir"])
    sys.path.append(os.path.join(config["workdir"], "student"))  # flat `import network` works too
    os.chdir(config["workdir"])
    child = server.Child(config)
    child.writer = writer
    child.confinement = (["namespaces"] if config.get("view") else []) + confinement
    child.audit = audit.Audit(
        config["frameworks"],
        config.get("sandbox_roots", ()),
        config.get("protected", ()),
        (config.get("view") or {}).get("ro", ()),
        child.student_root,
        config.get("framework_dirs", ()),
    )
    sys.meta_path.insert(0, guard.make_guard(child.audit, child.student_root))
    handlers = child.dispatch()  # bound now: patching the server's class later changes nothing
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]  # the submission cannot look the server up by name
    sys.argv = ["train.py"]  # a plain command line: an unguarded main() must not read the grader's
    sys.addaudithook(child.audit)
    child.import_all()
    server.serve(child, protocol, fd_in, fd_out, writer, handlers)


if __name__ == "__main__":
    main()
