"""A worker process for the build: it runs jobs one after the other and sends their
results back, so that the site generator can go on with the pages on this core.

A job is a function ``job(send, position, *args)``: it calls ``send(kind, body)`` for
each result and may read ``position()``, a number the process that started it updates
as it goes (``Worker.position``). A message's body goes through a file in a spool
folder, and only its name through the queue: a queue's pipe holds 64 KB, and a busy
worker's thread that feeds it gets a turn only every few milliseconds, so a megabyte of
pages trickled in while MkDocs waited for them.

Jobs are numbered: when a job is started, an earlier one still running stops at its
next ``send`` and whatever it sent is dropped, so a build that was given up half-way
neither delays the next one nor leaks into it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import itertools
import multiprocessing
import pickle
import queue
import shutil
import tempfile
import weakref
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

Send = Callable[[str, object], None]
Job = Callable[..., None]  # job(send, position, *args)


class Cancelled(BaseException):
    """Raised by ``send`` in a job that a newer one replaced. A ``BaseException``: a job
    that reports its own failures (``except Exception``) lets it through."""


def _serve(
    tasks: multiprocessing.Queue[Any],
    out: multiprocessing.Queue[Any],
    position: ctypes.c_int,
    current: ctypes.c_int,
    spool: Path,
) -> None:
    """The worker process: jobs, one after the other, until told to stop. What a job
    leaves in the process (``kb.library``'s parse cache) is there for the next one."""
    sent = itertools.count()

    def send(number: int, kind: str, body: object) -> None:
        if current.value != number:
            raise Cancelled
        path = spool / f"{number}-{next(sent)}.pickle"
        path.write_bytes(pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL))
        out.put((number, kind, path))

    while (task := tasks.get()) is not None:
        number, job, args = task
        if current.value != number:
            continue  # replaced before it started
        with contextlib.suppress(Cancelled):
            job(functools.partial(send, number), lambda: position.value, *args)


def _unspooled(path: Path) -> Any:
    body = pickle.loads(path.read_bytes())
    path.unlink()
    return body


class Worker:
    """A worker process, started with its first job. ``mkdocs serve`` keeps one for all
    its rebuilds (``close`` it after); a single build starts and closes its own."""

    def __init__(self) -> None:
        self.process: BaseProcess | None = None
        self.jobs = 0
        self.held: list[tuple[str, Any]] = []  # received by poll(), not of the kind it was after

    def start(self, job: Job, *args: object) -> None:
        """Start a job (a module-level function: it is pickled by name); its messages
        replace those of any job before it."""
        if self.process is None or not self.process.is_alive():
            # "spawn": a fresh interpreter, not a fork of one running a site generator.
            context = multiprocessing.get_context("spawn")
            self.tasks: multiprocessing.Queue[Any] = context.Queue()
            self.messages: multiprocessing.Queue[Any] = context.Queue()
            self._position: ctypes.c_int = context.Value("i", -1, lock=False)
            self._current: ctypes.c_int = context.Value("i", 0, lock=False)  # the job to run; others stop
            self.spool = Path(tempfile.mkdtemp(prefix="kb-worker-"))
            # Removed with this object, or at exit: after the process, which writes there, is gone.
            weakref.finalize(self, shutil.rmtree, self.spool, ignore_errors=True)
            self.process = context.Process(
                target=_serve, args=(self.tasks, self.messages, self._position, self._current, self.spool), daemon=True
            )
            self.process.start()
        self.jobs += 1
        self.held = []
        self.position = -1
        self._current.value = self.jobs
        self.tasks.put((self.jobs, job, args))

    @property
    def position(self) -> int:
        return int(self._position.value)

    @position.setter
    def position(self, value: int) -> None:
        self._position.value = value

    def poll(self, kind: str) -> list[Any]:
        """The bodies of the current job's ``kind`` messages that have arrived, without waiting."""
        bodies = []
        while True:
            try:
                number, got, path = self.messages.get_nowait()
            except queue.Empty:
                return bodies
            if number != self.jobs:  # a job given up on: its body is not read
                path.unlink(missing_ok=True)
                continue
            body = _unspooled(path)
            if got == kind:
                bodies.append(body)
            else:
                self.held.append((got, body))

    def receive(self) -> tuple[str, Any]:
        """The current job's next message; ``("failed", why)`` if the process ended."""
        assert self.process is not None, "start() comes first"
        if self.held:
            return self.held.pop(0)
        while True:
            try:
                number, kind, path = self.messages.get(timeout=0.5)
            except queue.Empty:
                if not self.process.is_alive() and self.messages.empty():
                    return ("failed", f"the worker process ended with exit code {self.process.exitcode}")
                continue
            if number == self.jobs:  # not a job given up on
                return kind, _unspooled(path)
            path.unlink(missing_ok=True)

    def cancel(self) -> None:
        """Stop the current job at its next ``send`` (a build that failed, say)."""
        if self.process is not None:
            self._current.value = 0

    def close(self, wait: bool = True) -> None:
        """Let the process end; ``wait=False`` returns at once (it takes a second to free a
        large library's memory, and a build that has what it needs need not wait)."""
        if self.process is not None and self.process.is_alive():
            self.tasks.put(None)
            if wait:
                self.process.join(timeout=5)
                if self.process.is_alive():
                    self.process.kill()
        self.process = None
