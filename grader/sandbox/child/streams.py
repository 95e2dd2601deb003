"""The child's standard streams: output kept up to a cap (the rest counted), stdin that explains."""

import io


class CappedWriter(io.TextIOBase):
    """A text stream that keeps the first `cap` characters and counts the rest."""

    def __init__(self, cap):
        self.cap, self.parts, self.kept, self.dropped = cap, [], 0, 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self):
        """Return (kept text, dropped count) and start again."""
        text, dropped = "".join(self.parts), self.dropped
        self.parts, self.kept, self.dropped = [], 0, 0
        return text, dropped


class NoStdin(io.TextIOBase):
    """Stdin that explains, instead of blocking, when the submission asks for input."""

    def readable(self):
        return True

    def read(self, *args):
        raise EOFError("the grader gives no input: remove input() and stdin reads from your code")

    readline = read

    def fileno(self):
        raise io.UnsupportedOperation("stdin is closed while grading")
