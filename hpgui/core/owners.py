"""Who runs a trial or holds a lock: "host:pid" names, and whether that process still lives."""

from __future__ import annotations

import os
import socket
import sys


def worker_id(pid: int | None = None) -> str:
    """Names a process that runs trials ("host:pid")."""
    return f"{socket.gethostname()}:{os.getpid() if pid is None else pid}"


def _pid_alive(pid: int) -> bool | None:
    """True/False on POSIX; None where it cannot be told cheaply."""
    if sys.platform.startswith("win"):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped by its parent) is dead for our purpose
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def owner_is_dead(owner: str | None) -> bool:
    """A "host:pid" of this machine whose process is gone."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return _pid_alive(int(pid)) is False


def owner_is_alive_here(owner: str | None) -> bool:
    """A "host:pid" of this machine whose process still runs (its heartbeat may lag: sleep, a stall)."""
    if not owner or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and _pid_alive(int(pid)) is True
