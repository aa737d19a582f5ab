"""Stage 5: write the rendered files so that a failure never leaves half an output.

The new tree is assembled in a staging directory beside the output (same filesystem):
the current tree is copied there with its metadata, changed files are written, files no
longer produced are removed. The staging directory is then swapped with the output in
one `renameat2(RENAME_EXCHANGE)` where Linux offers it (two renames elsewhere, with
recovery on the next run). A reader, or a kill at any moment, sees the old tree or the
new one, never a mix. Unchanged files keep their bytes, mode and mtime. A lock file makes
a second concurrent generation into the same directory stop with a clear message.

Hand-written paths (`lib/` of the package, and whatever `sdk.yaml` lists under
`hand_written`) belong to the maintainer: they are never written, removed or compared.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import difflib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Files and folders inside the output that the generator does not own.
NOT_OURS = (
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "dist",
    "CHANGELOG.md",
)
NOT_OURS_SUFFIXES = (".egg-info", ".pyc")


class WriteError(Exception):
    """The output directory cannot be written; `path: error: reason`, like other problems."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: error: {reason}")


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def hand_written(relative: str, keep: tuple[str, ...]) -> bool:
    """Whether `relative` is one of the `keep` paths (a path ending in `/` is a folder)."""
    return any(
        relative == k.rstrip("/") or (k.endswith("/") and relative.startswith(k)) for k in keep
    )


def _ours(relative: str, keep: tuple[str, ...] = ()) -> bool:
    parts = relative.split("/")
    return not any(
        p in NOT_OURS or p.endswith(NOT_OURS_SUFFIXES) for p in parts
    ) and not hand_written(relative, keep)


def existing_files(out_dir: Path, keep: tuple[str, ...] = ()) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if not out_dir.is_dir():
        return found
    for root, dirs, names in os.walk(out_dir):
        base = Path(root).relative_to(out_dir).as_posix()
        prefix = "" if base == "." else base + "/"
        dirs[:] = sorted(d for d in dirs if _ours(prefix + d + "/", keep))
        for name in sorted(names):
            path = Path(root) / name
            relative = prefix + name
            if _ours(relative, keep) and path.is_file():
                found[relative] = path.read_bytes()
    return found


def compare(out_dir: Path, files: dict[str, str], keep: tuple[str, ...] = ()) -> Changes:
    current = existing_files(out_dir, keep)
    wanted = {p: t.encode("utf-8") for p, t in files.items()}
    return Changes(
        added=sorted(p for p in wanted if p not in current),
        changed=sorted(p for p in wanted if p in current and current[p] != wanted[p]),
        removed=sorted(p for p in current if p not in wanted),
    )


def unified_diff(out_dir: Path, files: dict[str, str], keep: tuple[str, ...] = ()) -> str:
    current = existing_files(out_dir, keep)
    chunks: list[str] = []
    for path in sorted(set(current) | set(files)):
        old = current.get(path, b"").decode("utf-8", "replace")
        new = files.get(path, "")
        if old != new:
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"a/{path}" if path in current else "/dev/null",
                    tofile=f"b/{path}" if path in files else "/dev/null",
                )
            )
    return "".join(chunks)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False if unavailable."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result != 0:
        err = ctypes.get_errno()
        if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise OSError(err, os.strerror(err), str(a))
    return True


@contextmanager
def locked(
    out_dir: Path,
    busy: str = "another generation is writing to this directory; try again when it has finished",
) -> Iterator[None]:
    """Hold the lock file beside `out_dir` for the block; WriteError(`busy`) if another
    process holds it."""
    lock_path = out_dir.parent / f".{out_dir.name}.telnyx-codegen.lock"
    try:
        handle = open(lock_path, "a")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise WriteError(
            out_dir, f"cannot create the lock file beside it: {exc.strerror}"
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WriteError(out_dir, busy) from None
        yield
    finally:
        handle.close()


def _recover(out_dir: Path) -> None:
    """Finish or undo a swap that a killed run left half-done (two-rename fallback only)."""
    old = out_dir.parent / f".{out_dir.name}.old"
    if old.exists():
        if not out_dir.exists():
            os.rename(old, out_dir)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for stale in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def write_tree(out_dir: Path, files: dict[str, str], keep: tuple[str, ...] = ()) -> Changes:
    """Make `out_dir` hold exactly `files` (plus what is not ours and the `keep` paths),
    all at once."""
    out_dir = out_dir.resolve()  # a symlinked output: write where it points
    if out_dir.exists() and not out_dir.is_dir():
        raise WriteError(out_dir, "output path exists and is not a directory")
    if not out_dir.parent.is_dir():
        raise WriteError(out_dir.parent, "parent of the output directory does not exist")
    with locked(out_dir):
        _recover(out_dir)
        changes = compare(out_dir, files, keep)
        if not changes:
            return changes
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
        except OSError as exc:
            raise WriteError(out_dir.parent, f"cannot write here: {exc.strerror}") from None
        try:
            tree = staging / "tree"
            if out_dir.exists():
                shutil.copytree(out_dir, tree, symlinks=True, copy_function=shutil.copy2)
            else:
                tree.mkdir()
            for path in changes.removed:
                (tree / path).unlink()
            for path in changes.added + changes.changed:
                target = tree / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(files[path].encode("utf-8"))
            _prune_empty_dirs(tree, keep)
            if not out_dir.exists():
                os.rename(tree, out_dir)
            elif not _exchange(tree, out_dir):
                old = out_dir.parent / f".{out_dir.name}.old"
                os.rename(out_dir, old)
                os.rename(tree, out_dir)
                shutil.rmtree(old)
        except OSError as exc:
            raise WriteError(out_dir, f"writing failed, output left unchanged: {exc}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return changes


def _prune_empty_dirs(root: Path, keep: tuple[str, ...]) -> None:
    for current, _dirs, _names in os.walk(root, topdown=False):
        path = Path(current)
        if (
            path != root
            and not any(path.iterdir())
            and not hand_written(path.relative_to(root).as_posix() + "/", keep)
        ):
            path.rmdir()
