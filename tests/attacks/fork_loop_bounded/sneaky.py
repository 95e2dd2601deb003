import os, signal, time
for _ in range(50):
    try:
        pid = os.fork()
    except OSError:  # the strict tier refuses new processes
        break
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(1000)
        os._exit(0)
