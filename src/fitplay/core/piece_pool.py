"""Parsing a large CSV's pieces in two worker processes.

numpy's parser holds the interpreter lock and takes most of a large file's load (ten million rows: 3.9 of
4.2 s on this project's 2-core machine), so threads do not help; processes do. The workers start from a fork
server (a process that has loaded the data module and nothing else: forking the app itself, with its threads,
is not safe), ignore ctrl+c (the app answers it) and end with the app, however it ends. Each talks to the app
through a pipe of its own: concurrent.futures' pool keeps its queues open in the workers, which then wait for
work for ever once the app is killed, and a killed app leaves its queues' semaphores for multiprocessing to
warn about on the terminal. A worker that dies (killed, out of memory) costs speed, not the load: its piece,
and every later one, is parsed in this process instead."""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing import Process
    from multiprocessing.connection import Connection

WORKERS = 2


class Job:
    """A job's result: computed at once, or asked of a worker that was sent the job."""

    def __init__(self, job: Callable[..., Any], args: tuple, worker: Connection | None = None) -> None:
        self.job, self.args, self.worker = job, args, worker
        self.done, self.error, self.value = False, None, None
        if worker is None:
            self._run_here()

    def _run_here(self) -> None:
        try:
            self.value = self.job(*self.args)
        except Exception as error:  # raised where the result is asked for, as from a worker
            self.error = error
        self.done = True

    def result(self) -> Any:
        """The job's value, or its error raised here; computed here if its worker is gone."""
        if not self.done:
            try:
                ok, answer = self.worker.recv()
                self.value, self.error = (answer, None) if ok else (None, answer)
                self.done = True
            except (EOFError, OSError):
                self._run_here()
        if self.error is not None:
            raise self.error
        return self.value


class Pool:
    """Runs jobs in WORKERS processes in turn (workers=True), or at once in this one. Results must be asked for
    in the order the jobs were given, each worker's one at a time."""

    def __init__(self, workers: bool) -> None:
        self._pipes: list[Connection] = []
        self._processes: list[Process] = []
        self._turn = 0
        if workers:
            import multiprocessing  # only for a large file: 5 to 10 ms of every start otherwise

            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["fitplay.core.data"])
            for _ in range(WORKERS):
                here, there = context.Pipe()
                process = context.Process(target=_serve, args=(there, os.getpid()), daemon=True)
                process.start()
                there.close()
                self._pipes.append(here)
                self._processes.append(process)

    def submit(self, job: Callable[..., Any], *args: Any) -> Job:
        while self._pipes:
            pipe = self._pipes[self._turn % len(self._pipes)]
            self._turn += 1
            try:
                pipe.send((job, args))
                return Job(job, args, pipe)
            except OSError:  # the worker is gone
                self._pipes.remove(pipe)
        return Job(job, args)

    def close(self) -> None:
        for pipe in self._pipes:
            try:
                pipe.send(None)
            except OSError:
                pass
            pipe.close()
        for process in self._processes:
            process.join(1.0)
            if process.is_alive():
                process.kill()


def _serve(pipe: Connection, owner: int) -> None:
    """A worker: runs the jobs that come through its pipe until None comes, or the pipe or the app ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(owner,), daemon=True).start()
    while True:
        try:
            request = pipe.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        job, args = request
        try:
            answer = (True, job(*args))
        except Exception as error:
            answer = (False, error)
        try:
            pipe.send(answer)
        except OSError:  # the app has gone
            return


def _end_with(owner: int) -> None:
    """Wait for the process `owner` to end (asleep on its pidfd), then end this one."""
    try:
        ended = os.pidfd_open(owner)
    except ProcessLookupError:
        os._exit(0)
    select.select([ended], [], [])
    os._exit(0)
