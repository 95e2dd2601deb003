"""The sandboxed child (run as a script: main.py), loaded by path under a private package name.

    main.py      entry point: strict view, numpy, kernel confinement, audit hook, then the submission
    server.py    the probe server: imports the submission, answers probes
    audit.py     the audit policy: refused imports, security events
    guard.py     the import guard (first finder on sys.meta_path), editable installs forgotten
    streams.py   capped stdout/stderr, a stdin that explains

The parent never imports these modules (this file is not run in the child either).
"""
