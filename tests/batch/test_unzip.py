"""Safe extraction: every refused zip names its reason; a good one extracts without litter."""

from __future__ import annotations

import stat
import zipfile

import pytest

from grader.batch.unzip import UnsafeZipError, ZipLimits, member_path, safe_extract


def _zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members:  # name: a str or a ZipInfo
            archive.writestr(name, data)
    return path


def test_good_zip_extracts_without_macosx_litter(tmp_path):
    src = _zip(
        tmp_path / "s.zip",
        [
            ("lab1/network.py", "x = 1\n"),
            ("__MACOSX/lab1/._network.py", "junk"),
            ("lab1/.DS_Store", "junk"),
            ("lab1/sub/", ""),
            ("lab1\\losses.py", "y = 2\n"),
        ],
    )
    files = safe_extract(src, tmp_path / "out")
    assert sorted(files) == ["lab1/losses.py", "lab1/network.py"]
    assert (tmp_path / "out" / "lab1" / "network.py").read_text() == "x = 1\n"
    assert not (tmp_path / "out" / "__MACOSX").exists()


@pytest.mark.parametrize(
    "name, reason",
    [
        ("/etc/passwd", "absolute path"),
        ("C:/x.py", "absolute path"),
        ("a/../../x.py", "leaving its folder"),
        ("..\\x.py", "leaving its folder"),
    ],
)
def test_paths_that_escape_are_refused(tmp_path, name, reason):
    src = _zip(tmp_path / "s.zip", [(name, "x")])
    with pytest.raises(UnsafeZipError, match=reason):
        safe_extract(src, tmp_path / "out")
    assert not (tmp_path / "x.py").exists()


def test_symlink_members_are_refused(tmp_path):
    info = zipfile.ZipInfo("lab1/network.py")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    src = _zip(tmp_path / "s.zip", [(info, "/etc/passwd")])
    with pytest.raises(UnsafeZipError, match="symbolic link"):
        safe_extract(src, tmp_path / "out")


def test_caps_on_ratio_size_and_count(tmp_path):
    bomb = _zip(tmp_path / "bomb.zip", [("big.py", b"\0" * (4 << 20))])
    with pytest.raises(UnsafeZipError, match="zip bomb"):
        safe_extract(bomb, tmp_path / "o1")
    big = _zip(tmp_path / "big.zip", [("a.bin", b"a" * 3000), ("b.bin", b"b" * 3000)], zipfile.ZIP_STORED)
    with pytest.raises(UnsafeZipError, match="more than"):
        safe_extract(big, tmp_path / "o2", ZipLimits(max_total_bytes=5000))
    many = _zip(tmp_path / "many.zip", [(f"f{i}.py", "") for i in range(11)])
    with pytest.raises(UnsafeZipError, match="more than 10 files"):
        safe_extract(many, tmp_path / "o3", ZipLimits(max_files=10))


def test_lying_header_is_caught_while_extracting(tmp_path):
    src = _zip(tmp_path / "s.zip", [("a.py", b"a" * 5000)], zipfile.ZIP_STORED)
    data = bytearray(src.read_bytes())
    # shrink the declared size in the central directory and the local header
    data = data.replace((5000).to_bytes(4, "little"), (100).to_bytes(4, "little"))
    src.write_bytes(bytes(data))
    with pytest.raises(UnsafeZipError):
        safe_extract(src, tmp_path / "out")


def test_not_a_zip_and_encrypted(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip")
    with pytest.raises(UnsafeZipError, match="not a readable zip"):
        safe_extract(junk, tmp_path / "o1")
    info = zipfile.ZipInfo("a.py")
    src = _zip(tmp_path / "enc.zip", [(info, "x")])
    data = bytearray(src.read_bytes())
    data[6] |= 1  # general purpose flag of the local header
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1  # and of the central directory
    src.write_bytes(bytes(data))
    with pytest.raises(UnsafeZipError, match="encrypted"):
        safe_extract(src, tmp_path / "o2")


def test_member_path_skips_litter():
    assert member_path("__MACOSX/x") is None
    assert member_path("a/._b.py") is None
    assert str(member_path("./a//b.py")) == "a/b.py"


def test_tar_archives_are_extracted_under_the_same_rules(tmp_path):
    import io
    import tarfile

    from grader.batch.unzip import extract_archive

    good = tmp_path / "good.tar.gz"
    with tarfile.open(good, "w:gz") as archive:
        for name, text in (
            ("lab1/network.py", b"x = 1\n"),
            ("lab1/.venv/lib/a.py", b"y\n"),
            ("lab1/__pycache__/n.pyc", b"\0"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text))
    assert extract_archive(good, tmp_path / "out") == ["lab1/network.py"]
    bad = tmp_path / "bad.tgz"
    with tarfile.open(bad, "w:gz") as archive:
        link = tarfile.TarInfo("lab1/evil")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    with pytest.raises(UnsafeZipError, match="link"):
        extract_archive(bad, tmp_path / "out2")
    escape = tmp_path / "escape.tar"
    with tarfile.open(escape, "w") as archive:
        info = tarfile.TarInfo("../../x.py")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(UnsafeZipError, match="leaving its folder"):
        extract_archive(escape, tmp_path / "out3")


def test_virtualenvs_and_caches_are_skipped_before_the_file_cap(tmp_path):
    path = tmp_path / "repo.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("repo/network.py", "x = 1\n")
        for number in range(30):
            archive.writestr(f"repo/.venv/lib/p{number}.py", "")
            archive.writestr(f"repo/node_modules/m{number}.js", "")
    assert safe_extract(path, tmp_path / "out", ZipLimits(max_files=5)) == ["repo/network.py"]
