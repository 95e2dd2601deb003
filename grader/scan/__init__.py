"""Static scans of a submission's source: imports against the allow-list and tampering."""
