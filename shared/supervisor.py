"""The supervisor of `bookcross up`: starts the network's processes in the foreground, shows
their output line by line (`12:00:01 catalog_worker | …`), and restarts a process that exits
— with a growing pause (1 s, 2 s, 4 s … RESTART_MAX_PAUSE), reset once it has stayed up for
STABLE_AFTER — while the rest keep running. Ctrl-C or SIGTERM stops them all.

(honcho, which this replaces, stops the whole network when any one process exits.)
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TextIO

RESTART_FIRST_PAUSE = 1.0
RESTART_MAX_PAUSE = 30.0
STABLE_AFTER = 60.0


@dataclass
class Program:
    name: str
    args: list[str]
    # Called after each start: returns when the program is ready (e.g. Redis answers a ping).
    ready: Callable[[], None] | None = None
    popen: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    pause: float = RESTART_FIRST_PAUSE
    restart_at: float | None = None
    held: bool = False  # stopped on purpose: not restarted until resumed
    readers: list[threading.Thread] = field(default_factory=list)


class Supervisor:
    def __init__(self, programs: list[Program], *, env: dict | None = None, cwd: str | None = None,
                 out: TextIO = sys.stdout):
        self.programs = programs
        self.env = env
        self.cwd = cwd
        self.out = out
        self.width = max(len(p.name) for p in programs)
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # --- output ------------------------------------------------------------------------------

    def say(self, name: str, line: str) -> None:
        with self._lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {line.rstrip()}\n")
            self.out.flush()

    def _pipe(self, program: Program) -> None:
        stream = program.popen.stdout
        for raw in iter(stream.readline, b""):
            self.say(program.name, raw.decode("utf-8", errors="replace"))
        stream.close()

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self, program: Program) -> None:
        program.popen = subprocess.Popen(
            program.args, env=self.env, cwd=self.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)  # its own group: signals reach its children
        program.started_at = time.monotonic()
        program.restart_at = None
        reader = threading.Thread(target=self._pipe, args=(program,), daemon=True)
        reader.start()
        program.readers.append(reader)
        self.say("supervisor", f"started {program.name} (pid {program.popen.pid})")
        if program.ready is not None:
            program.ready()

    def run(self) -> int:
        """Start everything, keep it running until told to stop; returns the exit code."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for program in self.programs:
                if self._stopping.is_set():
                    break
                if program.popen is None:  # not started ahead (Redis is, before migrations)
                    self.start(program)
            while not self._stopping.wait(0.2):
                self.tend()
        finally:
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def tend(self) -> None:
        """Notice programs that exited, and restart those whose pause is over."""
        now = time.monotonic()
        for program in list(self.programs):
            if program.popen is None or program.held:
                continue
            code = program.popen.poll()
            if code is not None and program.restart_at is None:
                if now - program.started_at >= STABLE_AFTER:
                    program.pause = RESTART_FIRST_PAUSE
                program.restart_at = now + program.pause
                self.say("supervisor", f"{program.name} exited with code {code}; "
                                       f"restarting it in {program.pause:.0f} s (the rest keep running)")
                program.pause = min(program.pause * 2, RESTART_MAX_PAUSE)
            elif code is not None and now >= program.restart_at:
                program.restarts += 1
                try:
                    self.start(program)
                except Exception as exc:  # not ready in time: it will be noticed and retried
                    self.say("supervisor", f"{program.name} did not come up: {exc}")

    def program(self, name: str) -> Program:
        return next(p for p in self.programs if p.name == name)

    def add(self, program: Program) -> None:
        """Start one more program under supervision (a second beat, a scaled-out worker)."""
        self.width = max(self.width, len(program.name))
        self.programs.append(program)
        self.start(program)

    def hold(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop a program on purpose and keep it stopped until `resume`."""
        program = self.program(name)
        program.held = True
        if program.popen is not None and program.popen.poll() is None:
            _signal_group(program.popen, sig)
            try:
                program.popen.wait(15)
            except subprocess.TimeoutExpired:
                _signal_group(program.popen, signal.SIGKILL)
                program.popen.wait(5)
        self.say("supervisor", f"{name} held (stopped on purpose)")

    def resume(self, name: str) -> None:
        program = self.program(name)
        program.held, program.pause = False, RESTART_FIRST_PAUSE
        self.start(program)

    def remove(self, name: str) -> None:
        self.hold(name)
        self.programs.remove(self.program(name))

    def _on_signal(self, signum, _frame) -> None:
        self._stopping.set()

    def stop(self) -> None:
        self._stopping.set()

    def stop_all(self, timeout: float = 15.0) -> None:
        running = [p for p in reversed(self.programs) if p.popen is not None and p.popen.poll() is None]
        for program in running:
            _signal_group(program.popen, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for program in running:
            try:
                program.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(program.popen, signal.SIGKILL)
                program.popen.wait(5)
        for program in self.programs:
            for reader in program.readers:
                reader.join(2)
        self.say("supervisor", "stopped")


def _signal_group(popen: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(popen.pid, sig)
    except ProcessLookupError:
        pass
