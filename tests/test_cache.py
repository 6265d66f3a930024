"""The result cache never serves a stale result, and a warm run equals a cold one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import write_module
from test_inputs import OWNER, SUGGESTION

from codemod.api import collect
from codemod.discovery import discover
from codemod.runner import Options

KEEPALIVE = Options(select=("keepalive",))


def run(root: Path, cache: Path, options: Options = KEEPALIVE) -> dict[str, bytes | None]:
    report, errors = collect(discover([root]), options, jobs=1, cache_dir=cache)
    assert errors == []
    return {str(o.path.relative_to(root)): o.result for o in report.changed_files()}


def test_warm_run_equals_cold_run(tmp_path: Path) -> None:
    write_module(tmp_path / "m", {"w.go": OWNER, "x/x.go": "package x\n"})
    cold = run(tmp_path / "m", tmp_path / "cache")
    assert list(cold) == ["w.go"]
    assert any((tmp_path / "cache" / "dirs").iterdir())
    assert run(tmp_path / "m", tmp_path / "cache") == cold


def test_same_size_edit_right_after_a_run_invalidates(tmp_path: Path) -> None:
    root = write_module(tmp_path / "m", {"w.go": OWNER})
    assert list(run(root, tmp_path / "cache")) == ["w.go"]
    edited = OWNER.replace("\tC.use(w.c)\n", "\t_ = w.c   \n")
    assert len(edited) == len(OWNER)
    (root / "w.go").write_text(edited)
    assert run(root, tmp_path / "cache") == {}


def test_old_stat_entries_are_trusted_only_while_the_stat_matches(tmp_path: Path) -> None:
    root = write_module(tmp_path / "m", {"w.go": OWNER})
    old = 1_600_000_000
    os.utime(root / "w.go", (old, old))
    assert list(run(root, tmp_path / "cache")) == ["w.go"]
    (root / "w.go").write_text(OWNER.replace("\tC.use(w.c)\n", "\t_ = w.c   \n"))
    os.utime(root / "w.go", (old, old))  # same mtime and size: the inode's ctime still differs
    assert run(root, tmp_path / "cache") == {}


def test_options_and_go_mod_are_part_of_the_key(tmp_path: Path) -> None:
    root = write_module(tmp_path / "m", {"w.go": SUGGESTION})
    cache = tmp_path / "cache"
    assert run(root, cache) == {}
    unsafe = Options(select=("keepalive",), unsafe_fixes=True)
    assert list(run(root, cache, unsafe)) == ["w.go"]
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    report, _ = collect(discover([root]), unsafe, jobs=1, cache_dir=cache)
    assert report.findings and list(run(root, cache, unsafe)) == ["w.go"]
    from codemod.cache import key
    from codemod.context import find_module
    from codemod.runner import DirTask, cache_inputs

    find_module.cache_clear()
    task = DirTask(root, [root / "w.go"], unsafe, cache)
    first = key(root, {"w.go": "x"}, cache_inputs(task))
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.23\n")
    find_module.cache_clear()
    assert key(root, {"w.go": "x"}, cache_inputs(task)) != first


def test_a_finalizer_in_another_package_invalidates_a_cgo_directory(tmp_path: Path) -> None:
    """gtk's findings depend on the finalizer glib registers: changing glib must not be
    answered with gtk's cached result (cgo directories are keyed by the module's files)."""
    import shutil

    from conftest import REPO

    root = tmp_path / "m"
    shutil.copytree(REPO / "golden" / "keepalive" / "cross_package" / "in", root)
    cache = tmp_path / "cache"
    assert "gtk/widget.go" in run(root, cache)
    glib = root / "glib" / "object.go"
    glib.write_text(
        glib.read_text().replace("\truntime.SetFinalizer(obj, (*Object).Unref)\n", "\t_ = runtime.GOOS\n")
    )
    assert run(root, cache) == {}, "no finalizer any more: nothing to report in gtk"


def test_a_caller_in_another_package_invalidates_a_deepcopy_directory(tmp_path: Path) -> None:
    """store's fix is unsafe because package revoke writes through the map Tokens returns; once
    revoke stops writing, the cached result of store must not be served: the fix becomes safe."""
    import shutil

    from conftest import REPO

    root = tmp_path / "m"
    shutil.copytree(REPO / "golden" / "deepcopy" / "writer_in_other_package" / "in", root)
    cache = tmp_path / "cache"
    deepcopy = Options(select=("deepcopy",))
    assert run(root, cache, deepcopy) == {}, "the only fix is unsafe"
    revoke = root / "revoke" / "revoke.go"
    revoke.write_text(revoke.read_text().replace("\t\ttokens[cluster] = nil\n", ""))
    assert "store/store.go" in run(root, cache, deepcopy), "nothing writes through it any more"


def test_deferred_entries_are_written_in_groups_and_on_leaving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cache.deferred_writes holds the entries cached() stores and writes them when DEFERRED
    are waiting and when the block is left, by an exception too; outside it, each is written
    at once."""
    from codemod import cache

    monkeypatch.setattr(cache, "DEFERRED", 3)
    root = tmp_path / "cache"

    def written() -> list[str]:
        return sorted(p.name for p in (root / "dirs").glob("*"))

    def store(i: int) -> str:
        directory = tmp_path / f"d{i}"
        directory.mkdir()
        (directory / "a.go").write_text(f"package d{i}\n")
        cache.cached(root, directory, ["a.go"], lambda flags: (), lambda read: i, keep=lambda r: True)
        return os.path.basename(cache._entry_path(root, directory))

    with pytest.raises(KeyError), cache.deferred_writes():
        names = [store(i) for i in range(2)]
        assert written() == []
        names.append(store(2))  # the third waiting: all three written
        assert written() == sorted(names)
        names.append(store(3))
        assert written() == sorted(names[:3])
        raise KeyError("left by an exception")
    assert written() == sorted(names)
    names.append(store(4))
    assert written() == sorted(names)
    assert cache.cached(root, tmp_path / "d4", ["a.go"], lambda flags: (), lambda read: -1, keep=bool) == 4
