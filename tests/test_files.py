"""`-o FILE` as a shell's `>` would write it, but whole: links stay links, pipes and devices are written
through, parallel runs never share a temporary file, and `-o ''` is a usage error."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import cmtriage

ROTATION = """\
start: 2026-01-05
members:
  - name: Ada
"""
NOW = "2026-11-24T15:00:00Z"
LINE = "Community PM this week (2026-11-23 – 2026-11-29): @ada (Ada)\n"
SRC = str(Path(cmtriage.__file__).parents[1])  # the cmtriage under test, in a child process too


@pytest.fixture
def who(write_config, run_cli, monkeypatch):
    write_config(rotation=ROTATION)
    monkeypatch.setenv("CMTRIAGE_NOW", NOW)
    return lambda *args: run_cli("rotation", "who", "-f", "markdown", *args)


def test_a_symlink_stays_a_link_and_its_target_gets_the_text(who, tmp_path: Path):
    target = tmp_path / "real.md"
    target.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    assert who("-o", str(link)) == (0, "", "")
    assert link.is_symlink() and target.read_text() == LINE


def test_a_symlink_to_a_missing_file_creates_the_file_it_names(who, tmp_path: Path):
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "new.md")
    assert who("-o", str(link)) == (0, "", "")
    assert link.is_symlink() and (tmp_path / "new.md").read_text() == LINE


def test_a_fifo_is_written_through_not_replaced(who, tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    try:
        assert who("-o", str(fifo)) == (0, "", "")
    finally:
        reader.join(5)
        if reader.is_alive():  # the write never opened the pipe: let the reader go
            # Non-blocking: a reader that has just finished would leave a blocking open waiting forever.
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(5)
    assert got == [LINE] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_device_is_written_through_not_replaced(who, tmp_path: Path):
    device = tmp_path / "null"  # /dev/null's twin: as root, replacing the real one breaks the machine
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device needs root")
    assert who("-o", str(device)) == (0, "", "")
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_dash_o_proc_self_fd_1_writes_to_stdout(write_config, tmp_path: Path):
    folder = write_config(rotation=ROTATION)
    env = {**os.environ, "PYTHONPATH": SRC, "CMTRIAGE_NOW": NOW, "CMTRIAGE_CONFIG_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-m", "cmtriage", "rotation", "who", "-f", "markdown", "-o",
                           "/proc/self/fd/1"], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, LINE, "")


def test_an_existing_file_keeps_its_mode(who, tmp_path: Path):
    target = tmp_path / "out.md"
    target.write_text("old\n")
    target.chmod(0o640)
    assert who("-o", str(target)) == (0, "", "")
    assert (target.read_text(), stat.S_IMODE(target.stat().st_mode)) == (LINE, 0o640)


def test_parallel_runs_to_one_path_each_write_whole_and_leave_no_temporary_file(tmp_path: Path):
    from cmtriage.commands._common import write_text

    target = tmp_path / "out.txt"
    texts = [f"{n}\n" * 20000 for n in range(20)]
    with ThreadPoolExecutor(20) as pool:
        list(pool.map(lambda text: write_text(text, target), texts))
    assert target.read_text() in texts
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_output_name_is_a_usage_error(who, value: str):
    code, out, err = who("-o", value)
    assert (code, out) == (2, "")
    assert f"Invalid value for '-o' / '--output': expected a file name, got {value!r}" in err


def test_an_empty_output_name_on_a_report_is_a_usage_error_before_any_work(run_cli):
    code, _, err = run_cli("snoozed", "-o", "")
    assert code == 2 and "expected a file name, got ''" in err


def test_a_folder_that_does_not_exist_is_a_usage_error(who, tmp_path: Path):
    target = tmp_path / "nowhere" / "out.md"
    message = f"cmtriage: error: cannot write {target}: No such file or directory\n"
    assert who("-o", str(target)) == (2, "", message)


def test_a_nul_in_a_file_or_folder_name_is_a_usage_error(who):
    code, _, err = who("-o", "a\0b")
    assert code == 2 and "Invalid value for '-o' / '--output': a file name cannot hold a NUL character" in err
    code, _, err = who("--config-dir", "a\0b")
    assert code == 2 and "Invalid value for '--config-dir': a folder name cannot hold a NUL character" in err
