"""Reading a file a user named: regular files only, size-limited while reading, and (for files
a scenario names) only inside the scenario file's own folder.

A file's reported size proves nothing (/dev/zero and /proc files report 0, a FIFO never ends),
so the limit is enforced on the bytes actually read, and anything that is not a regular file is
refused before a byte is read (the open does not block on a FIFO). Messages name the file and
the rule it broke; they never quote what the file holds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePath

from estimator.errors import EstimatorError

READ_CHUNK = 1 << 20


class FileRefused(EstimatorError):
    """A file cannot be read: one line naming the field or file and what to do."""


def _mb(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def read_limited(path: str | os.PathLike[str], limit: int, *, what: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or FileRefused."""
    p = Path(path)
    name = what or str(p)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise FileRefused(f"{name}: cannot read it ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{name}: is not a regular file; give a file, not a device or pipe")
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                block = os.read(fd, min(READ_CHUNK, limit + 1 - total))
            except OSError as exc:
                raise FileRefused(f"{name}: cannot read it ({exc.strerror})") from None
            if not block:
                break
            total += len(block)
            if total > limit:
                raise FileRefused(
                    f"{name}: is larger than {_mb(limit)}; files are limited to {_mb(limit)}"
                )
            chunks.append(block)
        return b"".join(chunks)
    finally:
        os.close(fd)


def resolve_inside(relative: str, folder: Path, *, what: str) -> Path:
    """`relative` resolved inside `folder`: no absolute path, no `..`, no symlink leading out.

    Raises FileRefused naming `what` (the scenario field) and the fix.
    """
    fix = "put the file in the scenario file's folder (or below it) and give its relative path"
    if not relative or "\x00" in relative:
        raise FileRefused(f"{what}: is not a file name; {fix}")
    pure = PurePath(relative)
    if pure.is_absolute() or relative.startswith(("/", "\\", "~")) or ":" in pure.parts[0]:
        raise FileRefused(f"{what}: absolute paths are not accepted; {fix}")
    if ".." in pure.parts or ".." in relative.replace("\\", "/").split("/"):
        raise FileRefused(f"{what}: `..` is not accepted in the path; {fix}")
    base = folder.resolve()
    target = base / pure
    try:
        real = target.resolve(strict=True)
    except (OSError, RuntimeError):
        raise FileRefused(f"{what}: no such file in the scenario's folder; {fix}") from None
    if not real.is_relative_to(base):
        raise FileRefused(f"{what}: leads out of the scenario's folder (a symlink); {fix}")
    return real
