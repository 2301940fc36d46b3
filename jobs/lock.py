"""One run at a time: the scheduler's jobs and manual `otg sync` / `otg roundup` share one lock;
and one scheduler at a time: `otg jobs run` also holds a lock of its own (``SchedulerLock``).

The lock is an exclusive ``flock`` on a file beside the state database. The operating system lets
go of it the moment its holder exits, however it exits, so a lock left by a dead process is never
in the way; the file only says who holds it, for the message a second run prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from sync.dates import now_utc
from sync.errors import OtgError, Stopped, UsageError
from sync.private import FILE_MODE, make_folder
from sync.stopping import pause_unless_stopped, stop_requested


class LockBusy(OtgError):
    """Another otg run holds the lock."""

    exit_code = 3


class RunLock:
    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self._fd: int | None = None

    def acquire(
        self,
        wait: float = 0.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = pause_unless_stopped,
    ) -> None:
        """Take the lock, waiting up to ``wait`` seconds for another run to finish (a stop
        requested meanwhile ends the wait: ``Stopped``)."""
        try:
            make_folder(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:  # a read-only folder, or another user's lock file
            raise UsageError(
                f"cannot open the run lock {self.path}: {exc.strerror or exc}",
                "run as the user that owns the state database, or set state_db to a folder "
                "this user can write (the lock lives beside it)",
            ) from None
        deadline = clock() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() >= deadline:
                    os.close(fd)
                    raise self.busy() from None
                sleep(min(0.5, max(0.0, deadline - clock())))
                if stop_requested():
                    os.close(fd)
                    raise Stopped(
                        f"stopped by a signal while waiting for the run lock ({self.holder()})",
                        "nothing was done",
                    ) from None
        holder = {
            "pid": os.getpid(),
            "what": self.what,
            "since": now_utc().isoformat(timespec="seconds"),
        }
        try:  # who holds it, for the messages of others: a full disk leaves it unsaid
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(holder).encode())
        except OSError:
            pass
        self._fd = fd

    def held(self) -> bool:
        """Whether a process holds the lock now. On Linux this is read from /proc/locks, which
        takes nothing and so can never get in the way of a run or a scheduler starting that
        moment; elsewhere a shared lock is taken and let go at once."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:  # no lock file: no run has ever held it
            return False
        try:
            listed = _listed_as_held(os.fstat(fd), self.holder_info().get("pid"))
            if listed is not None:
                return listed
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing lets go of a shared lock taken here
        return False

    def busy(self) -> LockBusy:
        return LockBusy(
            f"another otg run is in progress ({self.holder()})",
            "wait for it to finish (see `otg status`), or pass --wait SECONDS",
        )

    def holder_info(self) -> dict[str, object]:
        """What the holder wrote in the file: its pid, what it is, and since when."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def holder(self) -> str:
        info = self.holder_info()
        if not info:
            return "holder unknown"
        return f"{info.get('what', 'a run')}, pid {info.get('pid', '?')}, since {info.get('since')}"

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class SchedulerLock(RunLock):
    """One scheduler per state database: `otg jobs run` holds this for as long as it runs.

    Each job already takes the run lock, but two schedulers would both run every job, one after
    the other. A second one is refused at once (it does not wait), naming the first. Like the run
    lock, it is a ``flock``, released by the system when its holder exits, however it exits."""

    def busy(self) -> LockBusy:
        info = self.holder_info()
        pid = info.get("pid", "?")
        return LockBusy(
            f"another scheduler (otg jobs run) uses this state database: pid {pid}, since "
            f"{info.get('since', '?')}",
            f"stop it first (kill {pid}, or systemctl stop otg-sync), or leave it running: "
            "one scheduler runs every job",
        )


def _listed_as_held(stat: os.stat_result, pid: object) -> bool | None:
    """Whether /proc/locks lists an flock on this file (None: there is no /proc/locks to read).

    Its lines read ``1: FLOCK  ADVISORY  WRITE 1234 fe:00:2146320 0 EOF``: the holder's pid, then
    the file's device (major:minor, in hex) and inode; a process waiting for the lock has a line
    of its own, marked ``->``. A file on an overlay (a container) may be listed with another
    device than ``stat`` gives: there the inode and the pid the holder wrote in the file say it.
    """
    try:
        table = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}"
    for line in table.splitlines():
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK" or "->" in fields:
            continue
        holder, where = fields[4], fields[5].rsplit(":", 1)
        same_inode = len(where) == 2 and where[1] == str(stat.st_ino)
        if same_inode and (where[0] == device or holder == str(pid)):
            return True
    return False


def lock_for(state_db: Path, what: str) -> RunLock:
    return RunLock(state_db.with_name(state_db.name + ".lock"), what)


def scheduler_lock_for(state_db: Path) -> SchedulerLock:
    return SchedulerLock(state_db.with_name(state_db.name + ".scheduler.lock"), "otg jobs run")
