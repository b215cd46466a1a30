"""The build's worker process: it runs build jobs one after the other and sends their
results back, so that the site generator can go on with the pages on this core.

A job is a function ``job(send, position, cache, *args)``: it calls ``send(message)``
for each result (``kb.build.messages``), may read ``position()``, a number the process
that started it updates as it goes (``Worker.position``), and reads and fills ``cache``,
the process's parse cache, which outlives the job for the next one.

A message goes through a file in a spool folder, and only its name through the queue:
a queue's pipe holds 64 KB, and a busy worker's thread that feeds it gets a turn only
now and then, so a large message would trickle in while the site generator waits for it.

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
from typing import Any, TypeVar

from kb.build.messages import Failed
from kb.load.cache import ParseCache

Send = Callable[[object], None]
Job = Callable[..., None]  # job(send, position, cache, *args)
MessageT = TypeVar("MessageT")


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
    """The worker process: jobs, one after the other, until told to stop, all with the
    one parse cache."""
    sent = itertools.count()
    cache: ParseCache[Any] = ParseCache()

    def send(number: int, message: object) -> None:
        if current.value != number:
            raise Cancelled
        path = spool / f"{number}-{next(sent)}.pickle"
        path.write_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        out.put((number, path))

    while (task := tasks.get()) is not None:
        number, job, args = task
        if current.value != number:
            continue  # replaced before it started
        with contextlib.suppress(Cancelled):
            job(functools.partial(send, number), lambda: position.value, cache, *args)


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
        self.held: list[object] = []  # received by poll(), not of the kind it was after

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

    def poll(self, kind: type[MessageT]) -> list[MessageT]:
        """The current job's messages of type ``kind`` that have arrived, without waiting."""
        found = []
        while True:
            try:
                number, path = self.messages.get_nowait()
            except queue.Empty:
                return found
            if number != self.jobs:  # a job given up on: its message is not read
                path.unlink(missing_ok=True)
                continue
            message = _unspooled(path)
            if isinstance(message, kind):
                found.append(message)
            else:
                self.held.append(message)

    def receive(self) -> object:
        """The current job's next message; ``Failed`` if the process ended."""
        assert self.process is not None, "start() comes first"
        if self.held:
            return self.held.pop(0)
        while True:
            try:
                number, path = self.messages.get(timeout=0.5)
            except queue.Empty:
                if not self.process.is_alive() and self.messages.empty():
                    return Failed(f"the worker process ended with exit code {self.process.exitcode}")
                continue
            if number == self.jobs:  # not a job given up on
                return _unspooled(path)
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
