"""Forked worker processes for large inputs and outputs, results in order (no I/O).

Measured on two idle cores, 10,000 entries: a .bib file is read in 0.75 s rather than
1.15 s, and written in 0.41-0.48 s rather than 0.58 s. On a machine whose cores are busy they
cost about a tenth more CPU time than working alone (pickling, the pool's thread), so only
idle cores get one (`idle_cores`). The workers are forked (they start in milliseconds, with
the modules and the records already in memory: nothing is sent to them but the tasks),
ignore interrupts (the process that started them stops them), and end when that process is
gone. Where a process cannot be forked safely (no `fork`, or threads running that a fork
would not copy) the caller works alone.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # concurrent.futures costs 7 ms of start-up: imported when workers start
    from concurrent.futures import Future

Task = TypeVar("Task")
Result = TypeVar("Result")
Item = TypeVar("Item")

# Tasks handed out ahead of the one the caller waits for, per worker: keeps every core busy
# while the results waiting to be taken (and each worker's memory) stay a few tasks' worth.
_AHEAD = 2


def count(large: bool, workers: int | None) -> int:
    """How many workers to start: `workers` when given, else one per idle core for a
    `large` job; 0 (work alone) where processes cannot be forked safely."""
    if workers is None:
        workers = idle_cores() if large else 0
    if workers < 1 or not hasattr(os, "fork") or threading.active_count() > 1:
        return 0
    return workers


def idle_cores() -> int:
    """The cores this process may use less the ones busy, judged by the 1-minute load
    average as `make -l` does, less one core's worth: the average still counts the run a
    moment ago (`refexport build` twice in a row went serial the second time, 16.7 s instead
    of 8.7 s). Measured on two cores, 10,000 entries read: idle, 0.75-0.85 s
    with workers, 1.15 s alone; beside one busy process, 1.34-1.45 s and 1.53-1.73 s, but the
    writer gains nothing; loaded 2-3, workers lose (read 1.30 s vs 1.15 s; in the bench, the
    BibLaTeX write took 0.78 s with workers, 0.60 s alone in an earlier, less loaded run)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        busy = round(max(0.0, os.getloadavg()[0] - 1))
    except OSError:  # no load average on this system
        busy = 0
    return max(0, cores - busy)


def in_order(
    function: Callable[[Task], Result],
    tasks: Iterable[Task],
    workers: int,
    setup: Callable[..., None] | None = None,
    setup_args: tuple[Any, ...] = (),
    here: Callable[[Task], Result] | None = None,
) -> Iterator[tuple[Task, Result]]:
    """(task, `function(task)`) for each task, in order, computed by `workers` forked
    processes; each runs `setup(*setup_args)` first (the arguments are inherited, not sent).
    With `here`, the calling process does its share too: every (workers + 1)th task, with
    `here(task)`, as soon as it is handed out, while the workers do theirs (measured: done
    when its result's turn came, it waited for the workers' tasks before it, and `refexport
    build` of the blog corpus gained nothing). An exception of `function` is raised here."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: list[tuple[Task, Future[Result] | _Done[Result]]] = []
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_started,
        initargs=(os.getpid(), setup, setup_args),
    )
    ahead = (workers + (here is not None)) * _AHEAD  # the workers' tasks, and ours among them
    # The pool's own thread hands out the tasks and takes in the results, while this thread
    # works on them: with Python's 5 ms between thread switches it waited, and so did the
    # workers (10,000 records written to CSL-JSON with one worker: 0.26-0.30 s, 0.20 s so).
    # The interval is the process's, but no other thread runs here (`count` forks only then).
    switch = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_INTERVAL)
    try:
        for index, task in enumerate(tasks):
            if here is not None and index % (workers + 1) == workers:
                pending.append((task, _Done(here(task))))
            else:
                pending.append((task, pool.submit(function, task)))
            if len(pending) > ahead:
                task, future = pending.pop(0)
                yield task, future.result()
        for task, future in pending:
            yield task, future.result()
    finally:
        sys.setswitchinterval(switch)
        pool.shutdown(wait=True, cancel_futures=True)


_SWITCH_INTERVAL = 0.0001  # seconds


class _Done(Generic[Result]):
    """A result this process computed, taken like a future's."""

    __slots__ = ("value",)

    def __init__(self, value: Result) -> None:
        self.value = value

    def result(self) -> Result:
        return self.value


def mapped(
    function: Callable[[Item], Result], items: Sequence[Item], large: bool, workers: int | None = None
) -> Iterator[Result]:
    """`function(item)` for each item, in order: in this process alone, or, for a `large`
    job (`workers` processes, else one per idle core; see `count`), by this process and
    forked workers, one process per core. The results are the same either way."""
    processes = count(large, workers)
    if not processes:
        return map(function, items)
    return each(function, items, max(1, processes - 1))  # this process is one of them


def each(function: Callable[[Item], Result], items: Sequence[Item], workers: int) -> Iterator[Result]:
    """`function(item)` for each item, in order, by `workers` forked processes and this one
    (every other batch of `_BATCH` items with one worker): the items and the function are
    inherited, only the results are sent back."""
    batches = [(start, min(start + _BATCH, len(items))) for start in range(0, len(items), _BATCH)]

    def here(batch: tuple[int, int]) -> list[Result]:
        return [function(items[index]) for index in range(*batch)]

    for _, results in in_order(_adopted_batch, batches, workers, _adopt, (function, items), here):
        yield from results


_BATCH = 250  # items per task (250 .bib entries: about 200 KB of text)
_adopted: tuple[Callable[[Any], Any], Sequence[Any]] = (repr, ())


def _adopt(function: Callable[[Any], Any], items: Sequence[Any]) -> None:
    """In a worker: what `each` works on (inherited, not sent)."""
    global _adopted
    _adopted = (function, items)


def _adopted_batch(batch: tuple[int, int]) -> list[Any]:
    function, items = _adopted
    return [function(items[index]) for index in range(*batch)]


def _started(parent: int, setup: Callable[..., None] | None, setup_args: tuple[Any, ...]) -> None:
    gc.disable()  # a task's objects are freed by reference counting; the worker lives one job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    if setup is not None:
        setup(*setup_args)


def _exit_with(parent: int) -> None:
    """End this worker once the process that started it is gone (killed: nobody else would)."""
    import time

    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
