"""Near-duplicate detection: renaming hides nothing, the skeleton makes no one a duplicate, 500 is fast."""

from __future__ import annotations

import random
import re
import shutil

from grader.batch.similarity import (
    MIN_SHINGLES,
    duplicate_groups,
    fingerprint,
    jaccard,
    normalized_code,
    signature,
    similar_pairs,
)
from tests.batch.batch_support import REFERENCE, STUDENT, copy_submission


def test_normalization_erases_names_literals_and_docstrings():
    a = normalized_code('def f(x, y=2):\n    """Doc."""\n    total = x + y * 3  # comment\n    return total\n')
    b = normalized_code("def g(a, b=7):\n    s = a + b * 10\n    return s\n")
    assert a == b
    assert a != normalized_code("def g(a, b=7):\n    s = a - b * 10\n    return s\n")
    assert normalized_code("def broken(:") == ""


def _rename_identifiers(folder):
    """A student's disguise: rename every local name and change the comments and constants."""
    for path in folder.glob("*.py"):
        text = path.read_text()
        for old, new in (
            ("grads", "gradient_dict"),
            ("delta", "err_signal"),
            ("self.params", "self.params"),
            ("# ", "# my own words: "),
            ("losses", "history"),
        ):
            text = text.replace(old, new)
        text = re.sub(r"\b0\.5\b", "0.50", text)
        path.write_text(text)


def test_renamed_copy_is_flagged_and_the_skeleton_is_not(tmp_path):
    original = copy_submission(REFERENCE, tmp_path / "a")
    disguised = copy_submission(REFERENCE, tmp_path / "b")
    _rename_identifiers(disguised)
    skel_1 = copy_submission(STUDENT, tmp_path / "s1")
    skel_2 = copy_submission(STUDENT, tmp_path / "s2")
    prints = {p.name: fingerprint(p, baseline=STUDENT) for p in (original, disguised, skel_1, skel_2)}
    assert len(prints["s1"]) < MIN_SHINGLES and len(prints["s2"]) < MIN_SHINGLES  # nothing of their own
    pairs = similar_pairs(prints, 0.9)
    assert [(p.a, p.b) for p in pairs] == [("a", "b")]
    assert pairs[0].similarity == 1.0


def test_data_py_alone_never_makes_duplicates(tmp_path):
    prints = {}
    for name in ("x", "y"):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(REFERENCE / "data.py", folder / "data.py")
        prints[name] = fingerprint(folder)
    assert prints == {"x": [], "y": []}
    assert similar_pairs(prints) == []


def test_threshold_and_groups():
    rng = random.Random(1)
    base = [rng.getrandbits(64) for _ in range(400)]
    prints = {
        "a": base,
        "b": base[:380] + [rng.getrandbits(64) for _ in range(20)],  # J = 380/420
        "c": base[:390] + [rng.getrandbits(64) for _ in range(10)],  # J(a, c) = 390/410
        "d": [rng.getrandbits(64) for _ in range(400)],
        "e": None,
    }
    assert round(jaccard(set(prints["a"]), set(prints["b"])), 4) == round(380 / 420, 4)
    pairs = similar_pairs(prints, 0.9)
    assert [(p.a, p.b, p.similarity) for p in pairs] == [
        ("a", "c", round(390 / 410, 4)),
        ("a", "b", round(380 / 420, 4)),
        ("b", "c", round(380 / 420, 4)),
    ]
    assert duplicate_groups(pairs) == [["a", "b", "c"]]
    assert [(p.a, p.b) for p in similar_pairs(prints, 0.95)] == [("a", "c")]
    assert similar_pairs(prints, 0.96) == []


def test_five_hundred_submissions_compare_only_minhash_candidates(monkeypatch):
    """Why 500 submissions compare fast (timed in bench/similarity.py): the exact Jaccard runs only
    on the pairs whose MinHash signatures agree, not on all 124,750."""
    from grader.batch import similarity

    rng = random.Random(2)
    base = [rng.getrandbits(64) for _ in range(2500)]
    prints = {f"copy{i}": base for i in range(20)}
    prints.update({f"own{i}": [rng.getrandbits(64) for _ in range(2500)] for i in range(480)})
    signatures = {k: signature(v) for k, v in prints.items()}  # computed by the workers in a batch
    exact = []
    monkeypatch.setattr(similarity, "jaccard", lambda a, b: exact.append(1) or jaccard(a, b))
    pairs = similar_pairs(prints, 0.9, signatures)
    assert len(exact) == 20 * 19 // 2  # the copies' pairs, none of the 124,560 others
    assert len(pairs) == 20 * 19 // 2
    assert duplicate_groups(pairs) == [sorted(f"copy{i}" for i in range(20))]
