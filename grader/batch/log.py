"""batch.log.jsonl: one JSON event per line (batch started/finished, submission started/finished/error)."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path


class EventLog:
    """Append-only JSON-lines log; each event is one write() of one whole line, so a kill never splits one."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._started = time.monotonic()

    def event(self, event: str, **fields) -> dict:
        """Write one event with the wall-clock time and the seconds since the log was opened."""
        record = {
            "event": event,
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "elapsed": round(time.monotonic() - self._started, 3),
            **fields,
        }
        line = json.dumps(record, default=str, ensure_ascii=False) + "\n"
        if self._fd is not None:
            os.write(self._fd, line.encode("utf-8"))
        return record

    def close(self) -> None:
        """Flush the log to disk and close it."""
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_events(path: str | Path) -> list[dict]:
    """The events of a log, skipping a line that is not JSON."""
    events = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events
