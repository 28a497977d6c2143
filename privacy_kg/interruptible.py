"""Running a call that Python cannot interrupt (a SPARQL evaluation inside pyoxigraph's Rust code, which
neither checks signals nor takes a cancellation token) in a forked worker process, so that a timeout or
Ctrl-C stops it at once: the worker is killed. The fork shares the parent's loaded store copy-on-write,
so nothing is reloaded."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class TimedOut(RuntimeError):
    """The call did not finish within its time limit (its worker was killed)."""


class WorkerFailed(RuntimeError):
    """The worker died or its call raised something that cannot be passed back."""


def call(fn: Callable[[], T], timeout: float | None) -> T:
    """fn() in a forked worker; its result (or exception) is returned (raised) here. TimedOut after
    `timeout` seconds (None: no limit); KeyboardInterrupt kills the worker and propagates."""
    parent, child = multiprocessing.get_context("fork").Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the caller's code
        parent.close()
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent decides; a group Ctrl-C just ends us
        code = 0
        try:
            try:
                message = ("ok", fn())
            except BaseException as e:  # noqa: BLE001 - passed back to the parent, which re-raises it
                message = ("error", e)
            try:
                child.send(message)
            except Exception:  # an unpicklable exception: its text instead
                child.send(("error", WorkerFailed("".join(traceback.format_exception_only(message[1])).strip())))
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    child.close()
    try:
        if not parent.poll(timeout):
            raise TimedOut(f"no answer within {timeout:g} s")
        try:
            kind, payload = parent.recv()
        except (EOFError, pickle.UnpicklingError):
            raise WorkerFailed("the worker process died without an answer") from None
    finally:
        parent.close()
        _end(pid)
    if kind == "error":
        raise payload
    return payload


def _end(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
