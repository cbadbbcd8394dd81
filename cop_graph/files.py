"""Writing a file so that a failure never leaves a truncated or half-written one.

The content goes to a temporary file beside the target, is checked, and only then
replaces the target in one rename, made durable by syncing the folder; the target keeps its
permissions. Files that belong together (a linkset and its review report) are all written
and checked before the first replaces its target. The temporary file's name carries the
writer's process id, so the next write of the same target removes what a killed writer
left, and never what a running one is writing.
"""

from __future__ import annotations

import contextlib
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
            temp = _temporary(target)
            cleanup.callback(temp.unlink, missing_ok=True)
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


def _temporary(target: Path) -> Path:
    """An empty file beside ``target``, with the permissions ``target`` has or will have."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{target}: the folder {folder} does not exist")
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give the name of a file to write")
    _remove_left_behind(folder, target.name)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    temp = Path(name)
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
    below) whose writer is no longer running."""
    ours = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[a-z0-9_]{{8}}\.tmp")
    for left in folder.glob(f".{glob.escape(name)}.*.tmp"):
        found = ours.fullmatch(left.name)
        if found and not _running(int(found[1])):
            with contextlib.suppress(OSError):  # another user's file, or already gone
                left.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 less umask)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
