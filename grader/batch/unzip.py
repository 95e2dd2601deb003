"""Safe extraction of a submission zip or tar: no path escapes, no links, caps on size, ratio and file count.

Folders a student never wrote (.venv, .git, __pycache__, node_modules, __MACOSX) are skipped
before any cap is counted: a zipped repository with its virtualenv is still graded.
"""

from __future__ import annotations

import re
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_CHUNK = 1 << 16
_DRIVE = re.compile(r"^[A-Za-z]:")
_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
# Never the student's own work; skipped before the caps (IGNORED_NAMES of grader.batch.discover, and __MACOSX).
SKIPPED_FOLDERS = frozenset(
    {
        "__MACOSX",
        "__pycache__",
        ".git",
        ".venv",
        "venv",
        "node_modules",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".pytest_cache",
    }
)


@dataclass(frozen=True)
class ZipLimits:
    """Caps on what one submission zip may extract to."""

    max_files: int = 2000
    max_total_bytes: int = 200 << 20
    max_ratio: float = 200.0  # uncompressed / compressed size of one member...
    ratio_min_bytes: int = 1 << 20  # ...checked only for members larger than this


class UnsafeZipError(Exception):
    """A zip the grader refuses to extract; str() is the reason, worded for the student."""


def member_path(name: str) -> PurePosixPath | None:
    """The relative path a member extracts to; None for litter to skip; UnsafeZipError if it escapes."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or _DRIVE.match(cleaned):
        raise UnsafeZipError(f"it contains an absolute path ({name!r})")
    parts = [p for p in cleaned.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeZipError(f"it contains a path leaving its folder ({name!r})")
    if any(p.startswith("\0") or "\0" in p for p in parts):
        raise UnsafeZipError(f"it contains an invalid file name ({name!r})")
    if (
        not parts
        or any(p in SKIPPED_FOLDERS for p in parts[:-1])
        or parts[-1] in _LITTER
        or parts[-1].startswith("._")
        or parts[-1].endswith(".pyc")
    ):
        return None
    return PurePosixPath(*parts)


def _check_member(info: zipfile.ZipInfo, limits: ZipLimits) -> None:
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        raise UnsafeZipError(f"it contains a symbolic link ({info.filename!r}): zip the files themselves")
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IFMT(mode):
        raise UnsafeZipError(f"it contains a special file ({info.filename!r})")
    if info.flag_bits & 0x1:
        raise UnsafeZipError(f"it is encrypted ({info.filename!r}): submit it without a password")
    if info.file_size > limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise UnsafeZipError(
            f"{info.filename!r} expands {info.file_size / max(info.compress_size, 1):.0f}x "
            f"(more than {limits.max_ratio:g}x): it looks like a zip bomb"
        )


def safe_extract(zip_path: str | Path, dest: str | Path, limits: ZipLimits | None = None) -> list[str]:
    """Extract zip_path into the empty folder dest; returns the extracted paths; UnsafeZipError when refused."""
    limits = limits or ZipLimits()
    dest = Path(dest)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            return _extract(archive, dest, limits)
    except UnsafeZipError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise UnsafeZipError(f"it is not a readable zip file ({type(exc).__name__}: {exc})") from None
    except OSError as exc:
        raise UnsafeZipError(f"it cannot be extracted ({exc.strerror or exc})") from None


def _extract(archive: zipfile.ZipFile, dest: Path, limits: ZipLimits) -> list[str]:
    plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    seen: set[str] = set()
    declared = 0
    for info in archive.infolist():
        rel = member_path(info.filename)
        if rel is None:
            continue
        _check_member(info, limits)
        if info.is_dir():
            continue
        if str(rel) in seen:
            raise UnsafeZipError(f"it contains {str(rel)!r} twice")
        seen.add(str(rel))
        declared += info.file_size
        plan.append((info, rel))
        if len(plan) > limits.max_files:
            raise UnsafeZipError(f"it holds more than {limits.max_files} files")
        if declared > limits.max_total_bytes:
            raise UnsafeZipError(_too_big(limits))
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    written = 0
    for info, rel in plan:
        target = (root / rel).resolve()
        if root not in target.parents:
            raise UnsafeZipError(f"it contains a path leaving its folder ({info.filename!r})")
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, open(target, "xb") as out:
            member_bytes = 0
            while chunk := source.read(_CHUNK):
                member_bytes += len(chunk)
                written += len(chunk)
                if member_bytes > info.file_size or written > limits.max_total_bytes:
                    raise UnsafeZipError(
                        _too_big(limits)
                        if written > limits.max_total_bytes
                        else f"{info.filename!r} is larger than its zip entry says"
                    )
                out.write(chunk)
    return [str(rel) for _, rel in plan]


def _too_big(limits: ZipLimits) -> str:
    return f"it extracts to more than {limits.max_total_bytes >> 20} MB: remove data sets and outputs from it"


def extract_archive(path: str | Path, dest: str | Path, limits: ZipLimits | None = None) -> list[str]:
    """Extract a .zip, .tar, .tar.gz or .tgz safely into dest (UnsafeZipError when refused)."""
    name = str(path).lower()
    if name.endswith((".tar", ".tar.gz", ".tgz")):
        return safe_extract_tar(path, dest, limits)
    return safe_extract(path, dest, limits)


def safe_extract_tar(tar_path: str | Path, dest: str | Path, limits: ZipLimits | None = None) -> list[str]:
    """Extract a tar (plain or gzip) into the empty folder dest under the zip's rules; UnsafeZipError when refused."""
    limits = limits or ZipLimits()
    dest = Path(dest)
    try:
        with tarfile.open(tar_path, "r:*") as archive:
            return _extract_tar(archive, dest, limits)
    except UnsafeZipError:
        raise
    except (tarfile.TarError, zlib.error, EOFError, ValueError) as exc:
        raise UnsafeZipError(f"it is not a readable tar file ({type(exc).__name__}: {exc})") from None
    except OSError as exc:
        raise UnsafeZipError(f"it cannot be extracted ({exc.strerror or exc})") from None


def _extract_tar(archive: tarfile.TarFile, dest: Path, limits: ZipLimits) -> list[str]:
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    seen: set[str] = set()
    written = 0
    count = 0
    for info in archive:  # streamed: a member is read once, in order
        rel = member_path(info.name)
        if rel is None or info.isdir():
            continue
        if info.issym() or info.islnk():
            raise UnsafeZipError(f"it contains a link ({info.name!r}): archive the files themselves")
        if not info.isfile():
            raise UnsafeZipError(f"it contains a special file ({info.name!r})")
        if str(rel) in seen:
            raise UnsafeZipError(f"it contains {str(rel)!r} twice")
        seen.add(str(rel))
        count += 1
        if count > limits.max_files:
            raise UnsafeZipError(f"it holds more than {limits.max_files} files")
        if written + info.size > limits.max_total_bytes:
            raise UnsafeZipError(_too_big(limits))
        target = (root / rel).resolve()
        if root not in target.parents:
            raise UnsafeZipError(f"it contains a path leaving its folder ({info.name!r})")
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(info)
        if source is None:
            continue
        with source, open(target, "xb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > limits.max_total_bytes:
                    raise UnsafeZipError(_too_big(limits))
                out.write(chunk)
    return sorted(seen)
