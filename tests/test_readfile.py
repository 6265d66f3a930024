"""codemod.readfile: a whole file read in few calls, whatever the size it is told."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codemod.readfile import read_file


@pytest.mark.parametrize("told", [None, 0, 5, 11, 12, 4096])
def test_the_whole_file_is_read_whatever_size_it_is_told(tmp_path: Path, told: int | None) -> None:
    """The size told is a stat made before: the file may have grown or shrunk since."""
    path = tmp_path / "f.go"
    path.write_bytes(b"package p\n\n")
    assert read_file(path, told) == b"package p\n\n"


def test_a_file_larger_than_one_read_is_read_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "big.go"
    data = os.urandom(3 << 20)
    path.write_bytes(data)
    assert read_file(str(path), 10) == data
    assert read_file(path) == data


def test_an_empty_file_and_a_symbolic_link(tmp_path: Path) -> None:
    (tmp_path / "empty.go").write_bytes(b"")
    (tmp_path / "link.go").symlink_to(tmp_path / "empty.go")
    assert read_file(tmp_path / "empty.go", 0) == b""
    assert read_file(tmp_path / "link.go") == b""


def test_what_cannot_be_read_raises_the_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "missing.go")
    with pytest.raises(IsADirectoryError):
        read_file(tmp_path)
