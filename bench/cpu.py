"""CPU time of a process tree and of the PostgreSQL server, read from /proc (Linux).

The load test divides the CPU each part used during the steady state by the requests served:
where a request's cost goes (gunicorn, PostgreSQL, locust itself) on the machine that runs them all.
"""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_seconds(pid: int) -> float:
    """CPU seconds (user + system) of ``pid``, its live descendants and the children it reaped."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # utime, stime, cutime, cstime: fields 14 to 17 of /proc/PID/stat (11 to 14 after the name).
    own = sum(int(value) for value in fields[11:15]) / TICK
    return own + sum(tree_seconds(child) for child in _children(pid))


def postgres_seconds() -> float:
    """CPU seconds of the local PostgreSQL server: its postmaster's tree (every backend, live or
    ended, and the background processes). Zero if it cannot be seen (another machine)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        name = lines[0].split()[-1] if lines else ""
        ppid = next((line.split()[1] for line in lines if line.startswith("PPid:")), "0")
        if name in ("postgres", "postmaster") and ppid == "1":
            return tree_seconds(int(status.parent.name))
    return 0.0


def snapshot(server_pid: int) -> dict[str, float]:
    return {
        "gunicorn": tree_seconds(server_pid),
        "postgres": postgres_seconds(),
        "locust": tree_seconds(os.getpid()),
    }
