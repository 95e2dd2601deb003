"""Near-duplicate code: token shingles of the AST with names and literals erased, Jaccard over submissions.

A fingerprint is the set of hashed shingles of a submission's graded modules, minus the
shingles of the skeleton (the code every student was given). Pairs are found with MinHash
signatures first, then confirmed with the exact Jaccard similarity of their fingerprints.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from grader.batch.defaults import DEFAULT_THRESHOLD

# data.py is provided complete: identical for everyone, so never evidence of copying.
COMPARED_MODULES = ("activations.py", "losses.py", "network.py", "optimizers.py", "train.py", "config.py")
SHINGLE_TOKENS = 12
MIN_SHINGLES = 25  # fewer left after removing the skeleton: nothing of the student's own to compare
MINHASH_PERMUTATIONS = 128
MINHASH_MARGIN = 0.12  # candidates: estimated similarity >= threshold - margin (about 4 standard errors)
MAX_SOURCE_BYTES = 1 << 20
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|[()\[\]]")


class _Eraser(ast.NodeTransformer):
    """Erase identifiers and literals, drop docstrings and bare strings: renaming hides nothing."""

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None
        return self.generic_visit(node)

    def visit_Constant(self, node):
        return ast.Constant(value=0)

    def visit_JoinedStr(self, node):
        return ast.Constant(value=0)

    def visit_Name(self, node):
        return ast.Name(id="_", ctx=node.ctx)

    def visit_arg(self, node):
        node = self.generic_visit(node)
        node.arg = "_"
        return node

    def visit_Attribute(self, node):
        node = self.generic_visit(node)
        node.attr = "_"
        return node

    def visit_keyword(self, node):
        node = self.generic_visit(node)
        node.arg = "_" if node.arg else None
        return node

    def visit_alias(self, node):
        return ast.alias(name="_", asname="_" if node.asname else None)

    def _named(self, node):
        node = self.generic_visit(node)
        node.name = "_"
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _named

    def visit_ImportFrom(self, node):
        node = self.generic_visit(node)
        node.module = "_" if node.module else None
        return node

    def visit_ExceptHandler(self, node):
        node = self.generic_visit(node)
        node.name = "_" if node.name else None
        return node

    def visit_Global(self, node):
        return type(node)(names=["_"] * len(node.names))

    visit_Nonlocal = visit_Global


def normalized_code(source: str) -> str:
    """ast.dump of the source with names and literals erased; '' when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return ""
    tree = _Eraser().visit(tree)
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def shingles(normalized: str, label: str = "", width: int = SHINGLE_TOKENS) -> set[int]:
    """64-bit hashes of the runs of `width` tokens of a normalized module (prefixed with its label)."""
    tokens = _TOKEN.findall(normalized)
    if not tokens:
        return set()
    width = min(width, len(tokens))
    prefix = label.encode() + b"\0"
    found = set()
    for start in range(len(tokens) - width + 1):
        text = " ".join(tokens[start : start + width]).encode()
        found.add(int.from_bytes(hashlib.blake2b(prefix + text, digest_size=8).digest(), "big"))
    return found


def _module_shingles(root: Path) -> set[int]:
    found: set[int] = set()
    for name in COMPARED_MODULES:
        path = Path(root) / name
        try:
            if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_SOURCE_BYTES:
                continue
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        found |= shingles(normalized_code(source), name)
    return found


@functools.lru_cache(maxsize=4)
def baseline_shingles(baseline: str | None) -> frozenset[int]:
    """Shingles of the skeleton folder (cached per process); empty without one."""
    if not baseline or not Path(baseline).is_dir():
        return frozenset()
    return frozenset(_module_shingles(Path(baseline)))


def fingerprint(root: str | Path, baseline: str | Path | None = None) -> list[int]:
    """Sorted shingle hashes of a submission's graded modules that are not in the skeleton."""
    own = _module_shingles(Path(root)) - baseline_shingles(str(baseline) if baseline else None)
    return sorted(own)


def jaccard(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """|a & b| / |a | b|; 0 for two empty sets."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


@dataclass(frozen=True)
class SimilarPair:
    """Two submissions whose normalized code is (nearly) the same."""

    a: str
    b: str
    similarity: float


def similar_pairs(
    fingerprints: dict[str, list[int] | set[int] | None],
    threshold: float = DEFAULT_THRESHOLD,
    signatures: dict[str, list[int]] | None = None,
) -> list[SimilarPair]:
    """Pairs with Jaccard similarity >= threshold, most similar first; keys sorted within a pair.

    signatures: MinHash signatures already computed (by the workers), by key; missing ones are computed.
    """
    import numpy as np

    sets = {k: frozenset(v) for k, v in fingerprints.items() if v is not None and len(v) >= MIN_SHINGLES}
    keys = sorted(sets)
    if len(keys) < 2:
        return []
    signatures = signatures or {}
    matrix = np.array(
        [signatures[k] if len(signatures.get(k) or ()) == MINHASH_PERMUTATIONS else signature(sets[k]) for k in keys],
        dtype=np.uint64,
    )
    pairs = []
    cutoff = max(0.0, threshold - MINHASH_MARGIN)
    for i in range(len(keys) - 1):
        estimates = (matrix[i + 1 :] == matrix[i]).mean(axis=1)
        for offset in np.nonzero(estimates >= cutoff)[0]:
            j = i + 1 + int(offset)
            value = jaccard(sets[keys[i]], sets[keys[j]])
            if value >= threshold:
                pairs.append(SimilarPair(keys[i], keys[j], round(value, 4)))
    return sorted(pairs, key=lambda p: (-p.similarity, p.a, p.b))


def signature(values) -> list[int]:
    """MinHash signature of a fingerprint: multiply-shift hashes (64-bit products wrap), top 32 bits, minima."""
    import numpy as np

    a, b = _hash_parameters()
    if not values:
        return [2**32] * MINHASH_PERMUTATIONS
    x = np.fromiter(values, dtype=np.uint64, count=len(values))[:, None]
    with np.errstate(over="ignore"):
        hashed = np.multiply(x, a)  # in place from here: no temporaries of this (n, 128) array
        hashed += b
        hashed >>= np.uint64(32)
        minima: list[int] = hashed.min(axis=0).tolist()
        return minima


@functools.lru_cache(maxsize=1)
def _hash_parameters():
    import numpy as np

    rng = np.random.default_rng(20260101)
    a = rng.integers(0, 2**63, size=MINHASH_PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=MINHASH_PERMUTATIONS, dtype=np.uint64)
    return a, b


def duplicate_groups(pairs: list[SimilarPair]) -> list[list[str]]:
    """Connected groups of the pairs, each sorted, ordered by their first member."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for pair in pairs:
        ra, rb = find(pair.a), find(pair.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for key in parent:
        groups.setdefault(find(key), []).append(key)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])
