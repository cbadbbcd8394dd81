"""Writing a file so that a failure never leaves a truncated or half-written one.

The content goes to a temporary file beside the target, is checked, and only then
replaces the target in one rename, made durable by syncing the folder; the target keeps its
permissions. Files that belong together (a linkset and its review report) are all written
and checked before the first replaces its target. A writer holds a lock on its temporary
file until it is done (the kernel lets go of it when the writer dies), so the next write of
the same target removes what a killed writer left, and never what a running one is writing;
the name carries the writer's process id for people, but a process id can be reused by the
time anyone looks, so the lock decides.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from cop_graph.errors import OutputError

Writer = Callable[[Path], None]


def write_atomically(target: Path, write: Writer, check: Writer | None = None) -> int:
    """Write ``target`` through ``write(temporary_path)``; ``check`` may refuse the result
    by raising. Returns the size written."""
    return write_together([(target, write, check)])[0]


def write_together(files: list[tuple[Path, Writer, Writer | None]]) -> list[int]:
    """Write several targets so that a failure in any leaves every one as it was; returns
    the sizes written."""
    with contextlib.ExitStack() as cleanup:
        written = []
        for target, write, check in files:
            temp = _temporary(target, cleanup)
            try:
                write(temp)
                with open(temp, "rb") as handle:
                    os.fsync(handle.fileno())
                if check is not None:
                    check(temp)
                written.append((temp, target, temp.stat().st_size))
            except OSError as exc:
                raise OutputError(f"{target}: cannot write the file: {exc.strerror or exc}") from None
        for temp, target, _ in written:
            try:
                os.replace(temp, target)
            except OSError as exc:
                raise OutputError(f"{target}: cannot write the file: {exc.strerror or exc}") from None
            _sync_folder(target)
    return [size for _, _, size in written]


def _temporary(target: Path, cleanup: contextlib.ExitStack) -> Path:
    """An empty file beside ``target``, with the permissions ``target`` has or will have,
    locked by this writer until ``cleanup`` closes (which also removes it if it is still there)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{target}: the folder {folder} does not exist")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give the name of a file to write")
    _remove_left_behind(folder, target.name)
    while True:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from None
        cleanup.callback(os.close, fd)
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(fd, name):
            break  # else another writer took it for a killed one's in the moment before the lock: again
    temp = Path(name)
    cleanup.callback(temp.unlink, missing_ok=True)
    try:
        os.chmod(temp, _mode_for(target))
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write the file: {exc.strerror or exc}") from None
    return temp


def _sync_folder(target: Path) -> None:
    """The rename reaches the disk with the folder's entry; without this a power cut may
    leave the old name pointing at nothing."""
    with contextlib.suppress(OSError):  # a file system that cannot sync folders
        fd = os.open(target.parent if str(target.parent) else ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_left_behind(folder: Path, name: str) -> None:
    """The temporary files of this target (exactly: ``.NAME.PID.xxxxxxxx.tmp``, as made
    below) that no writer holds any more."""
    ours = re.compile(rf"\.{re.escape(name)}\.\d+\.[a-z0-9_]{{8}}\.tmp")
    for left in folder.glob(f".{glob.escape(name)}.*.tmp"):
        if ours.fullmatch(left.name):
            # held by a running writer (BlockingIOError), another user's, or already gone: left alone
            with contextlib.suppress(OSError), open(left, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                left.unlink()


def _same_file(fd: int, name: str) -> bool:
    try:
        return os.stat(name).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 less umask)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
