"""Defaults of `grade batch` options, apart so the CLI can show them without loading the batch."""

DEFAULT_TIMEOUT = 600.0  # seconds for one submission: Gradescope's limit
DEFAULT_NAME_PATTERN = r"^(?P<id>[^_]+)_(?P<name>.+?)(?:_lab1)?$"  # <student id>_<name>_lab1[.zip]
DEFAULT_THRESHOLD = 0.9  # Jaccard similarity of normalized code that flags a pair
