"""Whole-process figures, as a user's machine sees them: each command runs as its own process,
and the kernel says what it cost (``wait4``'s resource usage: user + system CPU, and the peak
resident set size of that process alone), with wall time around it. Never tracemalloc, which
counts Python objects only and slows the code it measures.

``measure`` runs a command several times and keeps every run; ``Figures`` gives medians and
ranges. Other bench parts use it as it is: ``measure([...], runs=5)`` and print ``.cell()``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: The project's own ``otg``: the one installed beside this Python.
OTG = str(Path(sys.executable).with_name("otg"))
#: The project's folder (an editable install runs its modules from here).
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss: float  # MiB, peak resident set size of the process


@dataclass
class Figures:
    runs: list[Run] = field(default_factory=list)

    def median(self, what: str) -> float:
        return statistics.median(getattr(r, what) for r in self.runs)

    def spread(self, what: str) -> tuple[float, float]:
        values = [getattr(r, what) for r in self.runs]
        return min(values), max(values)

    def cell(self, what: str, digits: int = 2) -> str:
        """``1.23 (1.20–1.31)``: the median, and the range over the runs."""
        low, high = self.spread(what)
        return f"{self.median(what):.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


#: Runs the measured command and reports what the kernel says of it. The command is started from
#: this small process (Python without site, some 8 MiB), not from the bench: a child's peak RSS
#: counts the memory of the process it was forked from until its exec, and the bench holds far
#: more than a command's baseline.
LAUNCH = """
import json, os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
print(json.dumps([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                  os.waitstatus_to_exitcode(status)]))
"""


def run_once(argv: Sequence[str], cwd: Path | None = None) -> Run:
    """One process: its wall time, CPU time and peak RSS. A failing command stops the bench."""
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(  # noqa: S603 - our own commands
            [sys.executable, "-S", "-c", LAUNCH, *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=err,
            check=False,
        )
        wall, cpu, maxrss, code = json.loads(done.stdout)
        if code not in (0, 1):  # 1: some cards skipped or failed, as on a real night
            err.seek(0)
            said = err.read().decode(errors="replace")[-500:]
            raise RuntimeError(f"{' '.join(argv)} exited {code}: {said}")
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    return Run(wall, cpu, maxrss / (2**20 if sys.platform == "darwin" else 2**10))


def measure(
    argv: Sequence[str],
    *,
    runs: int = 5,
    cwd: Path | None = None,
    before: Callable[[], None] | None = None,
) -> Figures:
    """``runs`` runs of one command (``before`` each, unmeasured: say, a fresh state)."""
    figures = Figures()
    for _ in range(runs):
        if before is not None:
            before()
        figures.runs.append(run_once(argv, cwd))
    return figures


def python(code: str) -> list[str]:
    """A command that runs ``code`` in this Python (for floors)."""
    return [sys.executable, "-c", code]


def bytecode_cached() -> None:
    """The project's modules compiled, as installing it leaves them (pip compiles a wheel's
    modules). In a clone run with ``PYTHONDONTWRITEBYTECODE`` set, nothing writes them, and
    every command would compile its sources anew on every run: 0.03 s of `otg --help`'s 0.1 s,
    which no user's machine spends."""
    import compileall

    for module in sorted(ROOT.glob("cli*.py")):
        compileall.compile_file(module, quiet=2)
    for package in ("sync", "jobs", "config", "bench"):
        compileall.compile_dir(ROOT / package, quiet=2)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {load()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def load() -> str:
    """The machine's load average over the last minute (and five): a busy machine stretches the
    wall times (other processes share its cores), less the CPU times."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} (5 min: {five:.1f})"
