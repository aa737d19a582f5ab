"""Work beside the caller, in forked child processes.

A forked child starts with the caller's memory, so the loaded spec is not copied or
pickled on the way in; only the result travels back, through a pipe. Where the platform
cannot fork, or the child dies, the work runs in the caller when its result is asked for.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class ChildFailed(Exception):
    """The work raised in the child; its exception type's name and message, as text (the
    exception itself may not survive pickling)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux's PR_SET_PDEATHSIG), so
    a parent killed with SIGKILL, which runs no clean-up, leaves no worker behind."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: a daemon child still goes at a normal exit
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _run_and_send(work: Callable[[], Any], connection: Any, parent: int) -> None:
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        outcome: tuple[bool, Any] = (True, work())
    except BaseException as exc:  # noqa: BLE001 - handed to the parent (a Rust panic is no Exception)
        outcome = (False, (type(exc).__name__, str(exc)))
    connection.send(outcome)
    connection.close()


class Forked(Generic[T]):
    """`work()` under way in a forked child: `result()` waits for it (and raises what it
    raised, as ChildFailed); `cancel()` stops it when it is no longer wanted."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work: Callable[[], T] | None = work
        self._child: Any = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._reader, writer = context.Pipe(duplex=False)
            self._child = context.Process(
                target=_run_and_send, args=(work, writer, os.getpid()), daemon=True
            )
            self._child.start()
            writer.close()

    def result(self) -> T:
        work, self._work = self._work, None
        if work is None:
            raise RuntimeError("the result was taken, or the work cancelled")
        if self._child is None:
            return work()
        try:
            ok, value = self._reader.recv()
        except EOFError:  # the child died: do the work here
            ok = None
        except BaseException:  # Ctrl-C while waiting: the child goes too, not on after it
            self._child.terminate()
            raise
        finally:
            self._reader.close()
            self._child.join()
        if ok is None:
            return work()
        if not ok:
            raise ChildFailed(*value)
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        if self._work is None:
            return
        self._work = None
        if self._child is not None:
            if self._child.is_alive():
                self._child.terminate()
            self._child.join()
            self._reader.close()
