"""Run calls in forked children with a wall-clock timeout and a memory bound.

A hostile input must end in records, problems or a refusal; a hang, a blow-up or a crash
of the interpreter must fail that one case, not the test run. Each call runs in a child
forked from the test process (the modules are already imported, so a fork costs a few
milliseconds, not an interpreter start), under `RLIMIT_AS` = the child's address space
at the fork plus `hard_limit`, and is killed when it outlives its timeout. The child reports
what the call returned (or raised), how long it took and how much resident memory it added
(`VmHWM` after the call less `VmRSS` before it, the high-water mark reset at the start),
so a test can hold every case to a tighter bound than the hard stop. Calls run `jobs` at a
time (the machine's cores).
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import selectors
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

MIB = 2**20


@dataclass(frozen=True)
class Outcome:
    kind: str  # "returned", "raised", "memory" (MemoryError), "timeout", "crashed"
    value: Any = None  # what the call returned (it must pickle)
    error: str = ""  # the traceback, or how the child died
    seconds: float = 0.0
    peak: int = 0  # resident bytes the call added at its peak

    def describe(self) -> str:
        detail = f"{self.kind} after {self.seconds:.2f} s, +{self.peak / MIB:.0f} MiB"
        return f"{detail}\n{self.error}" if self.error else detail


@dataclass(frozen=True)
class User:
    """Run the call as this user (the child drops root's privileges before the call)."""

    uid: int
    gid: int


def run_bounded(
    calls: Sequence[Callable[[], Any]],
    *,
    timeout: float | Sequence[float],
    hard_limit: int = 1024 * MIB,
    jobs: int | None = None,
    user: User | None = None,
) -> list[Outcome]:
    """The outcome of every call, in order. `timeout` is one for all or one per call."""
    timeouts = [timeout] * len(calls) if isinstance(timeout, int | float) else list(timeout)
    jobs = jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    outcomes: list[Outcome | None] = [None] * len(calls)
    selector = selectors.DefaultSelector()
    running: dict[int, _Child] = {}  # by read descriptor
    waiting = list(range(len(calls)))
    while waiting or running:
        while waiting and len(running) < jobs:
            index = waiting.pop(0)
            child = _start(index, calls[index], timeouts[index], hard_limit, user)
            running[child.fd] = child
            selector.register(child.fd, selectors.EVENT_READ)
        now = time.monotonic()
        first_deadline = min(child.deadline for child in running.values())
        for key, _ in selector.select(max(0.0, first_deadline - now)):
            child = running[key.fd]
            chunk = os.read(child.fd, 1 << 20)
            if chunk:
                child.received.append(chunk)
                continue
            selector.unregister(child.fd)
            del running[child.fd]
            outcomes[child.index] = _finish(child)
        now = time.monotonic()
        for child in [c for c in running.values() if c.deadline <= now]:
            selector.unregister(child.fd)
            del running[child.fd]
            outcomes[child.index] = _kill(child)
    selector.close()
    return [outcome for outcome in outcomes if outcome is not None]


def run_one(
    call: Callable[[], Any], *, timeout: float, hard_limit: int = 1024 * MIB, user: User | None = None
) -> Outcome:
    return run_bounded([call], timeout=timeout, hard_limit=hard_limit, jobs=1, user=user)[0]


@dataclass
class _Child:
    index: int
    pid: int
    fd: int
    started: float
    deadline: float
    received: list[bytes]


def _start(index: int, call: Callable[[], Any], timeout: float, hard_limit: int, user: User | None) -> _Child:
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child_main(call, write_fd, hard_limit, user)
    os.close(write_fd)
    started = time.monotonic()
    return _Child(index, pid, read_fd, started, started + timeout, [])


def _child_main(call: Callable[[], Any], write_fd: int, hard_limit: int, user: User | None) -> None:
    status = 0
    try:
        faulthandler.disable()  # a crash is reported by the parent, one line
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        before = _status_kib("VmRSS")
        _reset_peak()  # before dropping privileges: /proc/self/clear_refs is root's then
        if user is not None:
            os.setgroups([])
            os.setgid(user.gid)
            os.setuid(user.uid)
        address_space = _status_kib("VmSize") * 1024 + hard_limit
        if address_space > hard_limit:  # (without /proc, no bound but the timeout)
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash is a finding, not a core file
        started = time.perf_counter()
        try:
            value, kind, error = call(), "returned", ""
        except MemoryError:
            value, kind, error = None, "memory", "MemoryError"
        except BaseException:  # what the call raised is the finding: report it
            value, kind, error = None, "raised", traceback.format_exc()
        seconds = time.perf_counter() - started
        peak = max(0, _status_kib("VmHWM") - before) * 1024
        payload = pickle.dumps(Outcome(kind, value, error, seconds, peak))
        _write_all(write_fd, payload)
    except BaseException:
        status = 3
    finally:
        os._exit(status)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _finish(child: _Child) -> Outcome:
    os.close(child.fd)
    _, status = os.waitpid(child.pid, 0)
    seconds = time.monotonic() - child.started
    if child.received and os.waitstatus_to_exitcode(status) == 0:
        outcome: Outcome = pickle.loads(b"".join(child.received))
        return outcome
    return Outcome("crashed", error=_death(status), seconds=seconds)


def _kill(child: _Child) -> Outcome:
    os.kill(child.pid, signal.SIGKILL)
    os.waitpid(child.pid, 0)
    os.close(child.fd)
    return Outcome("timeout", error="killed at its timeout", seconds=time.monotonic() - child.started)


def _death(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exited with status {code} without a report"


def _status_kib(field: str) -> int:
    """A field of /proc/self/status in KiB (0 without /proc: no memory figures there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> None:
    """Reset `VmHWM` to the current resident size (Linux: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass  # the peak then includes the fork's own resident size: a looser check


class Hang(BaseException):
    """A call outlived `time_limit` (a BaseException: a reader's `except Exception` cannot
    swallow it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in this process after `seconds` (SIGALRM; for in-process fuzzing, where a
    fork per example would cost more than the example: Python code is interrupted, a C
    call only when it returns)."""

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
