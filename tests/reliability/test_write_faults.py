"""Faults while writing, made by the kernel itself: a file-size limit the process cannot
pass (what a full disk does to a writer: the write fails midway), and the process killed
with SIGKILL in the middle of writing. Either way: a clear error or none at all, never a
truncated or half-written file, and the previous file exactly as it was."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cop_graph.files import write_atomically
from cop_graph.publish.generate import write_synthetic

from ..conftest import VIRTUOSO_SLOW_DESCRIPTION, store_settings

pytestmark = pytest.mark.every_store

EXAMPLES = Path(__file__).parents[1] / "examples"
PREVIOUS = "the previous export, which must survive\n"


def _run(cop_graph_bin: str, *args: str, cwd: Path, max_bytes: int | None = None,
         unprivileged: bool = False) -> subprocess.CompletedProcess:
    def limit() -> None:  # in the child: writes past max_bytes fail with EFBIG, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    environment = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    environment.update(store_settings(), COP_GRAPH_VALIDATION_CACHE="off")
    child = limit if max_bytes else _without_override if unprivileged else None
    return subprocess.run([cop_graph_bin, *args], cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=300, preexec_fn=child)


_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE = 24, 1  # <linux/prctl.h>, <linux/capability.h>


def _without_override() -> None:
    """In the child, before it runs the command: root (as in CI) passes every permission
    check through CAP_DAC_OVERRIDE; out of the bounding set, the command run next is held
    to file permissions like any user. A user other than root is held to them already."""
    if os.geteuid() == 0 and ctypes.CDLL(None, use_errno=True).prctl(_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, 0, 0, 0):
        raise OSError(ctypes.get_errno(), "cannot drop CAP_DAC_OVERRIDE")


def _read_only(folder: Path) -> list[tuple[str, int, bytes]]:
    """Take write permission from ``folder`` and all in it; return what it holds, to compare after."""
    held = []
    for path in sorted([folder, *folder.rglob("*")], reverse=True):
        path.chmod(path.stat().st_mode & ~0o222)
        held.append((str(path.relative_to(folder)), path.stat().st_mode,
                     path.read_bytes() if path.is_file() else b""))
    return held


@pytest.fixture
def read_only(tmp_path):
    yield _read_only
    for path in [tmp_path, *tmp_path.rglob("*")]:  # so that pytest can remove them
        path.chmod(path.stat().st_mode | 0o200)


@pytest.mark.parametrize("command", [
    ["export", "--format", "nt", "-o", "{target}"],
    ["network", "export", "--projection", "full", "--format", "graphml", "-o", "{target}"],
])
def test_a_write_that_fails_midway_leaves_the_previous_file(cop_graph_bin, store, tmp_path, command):
    assert _run(cop_graph_bin, "stats", cwd=tmp_path).returncode == 0  # the store is built before the limit
    target = tmp_path / "out"
    target.write_text(PREVIOUS, encoding="utf-8")
    proc = _run(cop_graph_bin, *[a.format(target=target) for a in command], cwd=tmp_path, max_bytes=64 * 1024)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{target}: cannot write the file: File too large" in proc.stderr
    assert target.read_text(encoding="utf-8") == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary file left behind


@pytest.mark.full
def test_an_export_killed_midway_leaves_the_previous_file_and_the_next_run_completes(cop_graph_bin, store, tmp_path):
    data = tmp_path / "big.nt"
    write_synthetic(100_000, data, 0, "nt", lambda _: None)
    target = tmp_path / "out.nt"
    target.write_text(PREVIOUS, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COP_GRAPH_")}
    environment.update(store_settings(), COP_GRAPH_VALIDATION_CACHE="off")
    argv = [cop_graph_bin, "export", "--format", "nt", "--no-validate", "-o", str(target), "--data", str(data)]
    writer = subprocess.Popen(argv, cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while not any(p.name.startswith(".out.nt.") for p in tmp_path.iterdir()):  # the temporary file is being written
        if writer.poll() is not None and store == "virtuoso":
            said = writer.stderr.read().decode()
            if "its own time limit" in said or "did not answer in time" in said:
                pytest.xfail(VIRTUOSO_SLOW_DESCRIPTION)
            pytest.fail(said)
        assert writer.poll() is None and time.monotonic() < deadline, "the export ended before it could be killed"
        time.sleep(0.01)
    writer.kill()
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    assert target.read_text(encoding="utf-8") == PREVIOUS
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(f".out.nt.{writer.pid}.")]  # what it left
    again = subprocess.run(argv, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert target.read_text(encoding="utf-8").count("\n") > 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.nt", "out.nt"]  # the killed run's file removed


@pytest.mark.full
def test_an_oxigraph_store_that_cannot_be_written_keeps_the_version_it_had(cop_graph_bin, tmp_path):
    folder, data = tmp_path / "store", tmp_path / "data"
    data.mkdir()
    small, big = data / "small.ttl", data / "big.nt"
    small.write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    write_synthetic(100_000, big, 0, "nt", lambda _: None)
    store = ["--store", "oxigraph", "--store-path", str(folder)]
    before = _run(cop_graph_bin, "stats", *store, "--data", str(small), cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    proc = _run(cop_graph_bin, "stats", *store, "--data", str(small), "--data", str(big), cwd=tmp_path,
                max_bytes=1024 * 1024)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "File too large" in proc.stderr and ("cannot build the Oxigraph store" in proc.stderr
                                                 or f"{big}: cannot load the file" in proc.stderr)
    assert not [p.name for p in folder.iterdir() if p.name.startswith("building-")]
    after = _run(cop_graph_bin, "stats", *store, "--data", str(small), cwd=tmp_path)
    assert after.returncode == 0 and after.stdout == before.stdout


def test_only_this_targets_files_no_writer_holds_are_removed(tmp_path):
    ended = subprocess.Popen(["true"])
    ended.wait()
    left = tmp_path / f".export.{ended.pid}.abcdefgh.tmp"  # a killed writer of "export"
    reused = tmp_path / f".export.{os.getpid()}.abcdefgh.tmp"  # a killed writer whose process id is in use again
    running = tmp_path / f".export.{ended.pid}.ijklmnop.tmp"  # a writer still at work: it holds its file
    other = tmp_path / f".export.2024.nt.{ended.pid}.abcdefgh.tmp"  # another target's file
    mine = tmp_path / ".export.notes.tmp"  # not one of ours at all
    for path in (left, reused, running, other, mine):
        path.write_text("partial", encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1]); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print(flush=True); time.sleep(60)", str(running)],
                              stdout=subprocess.PIPE, text=True)
    try:
        writer.stdout.readline()  # it holds the lock
        write_atomically(tmp_path / "export", lambda path: path.write_text("whole", encoding="utf-8"))
    finally:
        writer.kill()
        writer.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, other.name, mine.name, "export"])


@pytest.mark.parametrize("command", [
    ["export", "--format", "nt", "-o", "{target}"],
    ["network", "export", "--projection", "full", "--format", "graphml", "-o", "{target}"],
    ["import", str(EXAMPLES / "rdr-sample" / "mapping.yml"), "-o", "{target}"],
    ["link", str(EXAMPLES / "rdr-sample" / "rdr-sample.ttl"), "-o", "{target}"],
])
def test_a_folder_that_cannot_be_written_is_refused_and_the_previous_file_kept(
        cop_graph_bin, store, tmp_path, read_only, command):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "previous.ttl"
    target.write_text(PREVIOUS, encoding="utf-8")
    before = read_only(folder)
    proc = _run(cop_graph_bin, *[a.format(target=target) for a in command], cwd=tmp_path, unprivileged=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{target}: cannot write in {folder}: Permission denied" in proc.stderr
    assert read_only(folder) == before


@pytest.mark.full
def test_a_store_folder_that_cannot_be_written_serves_the_version_built_there(cop_graph_bin, tmp_path, read_only):
    folder, extra = tmp_path / "store", tmp_path / "extra.ttl"
    extra.write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    store = ["--store", "oxigraph", "--store-path", str(folder)]
    built = _run(cop_graph_bin, "stats", *store, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    before = read_only(folder)  # another user's store, or a read-only mount
    again = _run(cop_graph_bin, "stats", *store, cwd=tmp_path, unprivileged=True)
    assert again.returncode == 0 and again.stdout == built.stdout, again.stderr
    other = _run(cop_graph_bin, "stats", *store, "--data", str(extra), cwd=tmp_path, unprivileged=True)
    assert other.returncode == 2 and "Traceback" not in other.stderr, other.stderr
    assert (f"cannot build the Oxigraph store for these data files in {folder}: Permission denied"
            in other.stderr)
    assert read_only(folder) == before


@pytest.mark.full
def test_an_empty_store_folder_that_cannot_be_written_is_a_clean_error(cop_graph_bin, tmp_path, read_only):
    folder = tmp_path / "store"
    folder.mkdir()
    read_only(folder)
    proc = _run(cop_graph_bin, "stats", "--store", "oxigraph", "--store-path", str(folder), cwd=tmp_path,
                unprivileged=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"cannot build the Oxigraph store for these data files in {folder}: Permission denied" in proc.stderr
    assert list(folder.iterdir()) == []


def test_a_linkset_and_its_review_report_are_replaced_together_or_not_at_all(cop_graph_bin, store, tmp_path):
    linkset = tmp_path / "rdr-sample-links.ttl"
    argv = ["link", str(EXAMPLES / "rdr-sample" / "rdr-sample.ttl"), "-o", str(linkset)]
    first = _run(cop_graph_bin, *argv, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(written) == ["rdr-sample-links.ttl", "rdr-sample-review.csv", "rdr-sample-review.html"]
    for path in tmp_path.iterdir():
        path.write_bytes(b"previous " + path.name.encode())
    html = tmp_path / "rdr-sample-review.html"
    html.unlink()
    html.mkdir()  # the last of the three cannot be written
    proc = _run(cop_graph_bin, *argv, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{html}: is a folder" in proc.stderr
    assert linkset.read_bytes() == b"previous rdr-sample-links.ttl"
    assert (tmp_path / "rdr-sample-review.csv").read_bytes() == b"previous rdr-sample-review.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(written)  # no temporary file left
    html.rmdir()
    again = _run(cop_graph_bin, *argv, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    for name in written:  # all three new again (the linkset dates itself: not compared)
        assert not (tmp_path / name).read_bytes().startswith(b"previous ")
    assert (tmp_path / "rdr-sample-review.csv").read_bytes() == written["rdr-sample-review.csv"]
