"""CPU time spent by the processes of a benchmark run, measured from /proc (psutil).

A meter snapshots, at `start()` and `stop()`, the user + system CPU seconds of:
- our processes: the given root pids and all their descendants (gunicorn and its workers,
  Celery workers and their pool children, beat);
- Redis: the server listening on the run's port;
- PostgreSQL: the backends connected to the run's databases (their process title names the
  database).
Processes that exist only between the two snapshots are not seen, which is why every bench
warms its pools first (connections and pool children live for the whole run).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import psutil


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return 0.0


@dataclass
class Cpu:
    ours: float = 0.0
    redis: float = 0.0
    postgres: float = 0.0
    # our processes' share, by program (e.g. "donations web", "notifications worker")
    programs: dict = field(default_factory=dict)
    # the servers' share: "redis", and "postgres <database's label>" when the meter has labels
    servers: dict = field(default_factory=dict)

    def add(self, other: "Cpu") -> None:
        """Count `other` (another burst of the same kind) in this one."""
        self.ours += other.ours
        self.redis += other.redis
        self.postgres += other.postgres
        for mine, theirs in ((self.programs, other.programs), (self.servers, other.servers)):
            for name, spent in theirs.items():
                mine[name] = mine.get(name, 0.0) + spent

    @property
    def total(self) -> float:
        return self.ours + self.redis + self.postgres

    def breakdown(self, per: int, *, servers: bool = False) -> str:
        """Milliseconds per unit (`per` units), by program (or by server), largest first."""
        shares = self.servers if servers else self.programs
        return ", ".join(f"{name} {seconds * 1000 / per:.1f}" for name, seconds in
                         sorted(shares.items(), key=lambda item: -item[1]) if seconds * 1000 / per >= 0.05)


def program(cmdline: str) -> str:
    """A short name for one of our processes."""
    for service in ("catalog", "donations", "notifications", "bare"):
        if f"services.{service}" in cmdline or f"bench.{service}" in cmdline or f"-Q {service}" in cmdline:
            return f"{service} {'web' if 'gunicorn' in cmdline else 'worker'}"
    if " beat " in cmdline:
        return "beat"
    return cmdline.split(" ")[-1][:30] or "?"


class CpuMeter:
    def __init__(self, roots: list[int], *, redis_port: int | None = None,
                 databases: tuple[str, ...] | dict[str, str] = ()):
        """`databases`: their names, or a mapping name → label to see each one's share."""
        self.roots = roots
        self.redis_port = redis_port
        self.labels = dict(databases) if isinstance(databases, dict) else {name: "" for name in databases}
        self.databases = tuple(self.labels)
        self.before: dict[int, tuple] = {}

    def _processes(self) -> dict[int, tuple[str, psutil.Process, str]]:
        """pid → (kind, process, its database for a PostgreSQL backend)."""
        found: dict[int, tuple[str, psutil.Process, str]] = {}
        for pid in self.roots:
            try:
                root = psutil.Process(pid)
            except psutil.NoSuchProcess:
                continue
            for process in [root, *root.children(recursive=True)]:
                found[process.pid] = ("ours", process, "")
        for process in psutil.process_iter(["name", "cmdline"]):
            cmdline = " ".join(process.info.get("cmdline") or [])
            if self.redis_port and "redis" in (process.info.get("name") or "") \
                    and f":{self.redis_port}" in cmdline:
                found[process.pid] = ("redis", process, "")
            elif self.databases and cmdline.startswith("postgres:"):
                database = next((db for db in self.databases if f" {db} " in cmdline), None)
                if database is not None:
                    found[process.pid] = ("postgres", process, database)
        return found

    def snapshot(self) -> dict[int, tuple[str, float, str]]:
        found = {}
        for pid, (kind, process, database) in self._processes().items():
            if kind == "ours":
                try:
                    name = program(" ".join(process.cmdline()))
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    name = kind
            else:
                name = f"{kind} {self.labels.get(database, '')}".strip()
            found[pid] = (kind, _cpu(process), name)
        return found

    def start(self) -> None:
        self.before = self.snapshot()

    def stop(self) -> Cpu:
        spent = Cpu()
        for pid, (kind, seconds, name) in self.snapshot().items():
            earlier = self.before[pid][1] if pid in self.before else 0.0
            used = max(0.0, seconds - earlier)
            setattr(spent, kind, getattr(spent, kind) + used)
            shares = spent.programs if kind == "ours" else spent.servers
            shares[name] = shares.get(name, 0.0) + used
        return spent
