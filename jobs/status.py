"""`otg status` and `otg jobs list`: the last runs, what they did, what needs an operator, and
when each job runs next."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from config import Config
from jobs.lock import scheduler_lock_for
from jobs.timetable import next_runs
from sync.roundup.period import last_drafted
from sync.state.records import CONTENT, DRAFTED
from sync.state.store import DIED, State
from sync.text import one_line, plural


def schedule_rows(
    cfg: Config, now: datetime, count: int = 3, available: set[str] | None = None
) -> list[dict[str, Any]]:
    """Each job, when it runs and its next ``count`` runs; jobs not in ``available`` (not built
    yet) are shown as such."""
    tz = cfg.tz
    rows = []
    for job in cfg.jobs:
        on = job.enabled and (available is None or job.name in available)
        rows.append(
            {
                "job": job.name,
                "when": job.describe(),
                "enabled": job.enabled,
                "available": available is None or job.name in available,
                "next": [
                    run.astimezone(tz).isoformat(timespec="minutes")
                    for run in next_runs(job, now, tz, count)
                ]
                if on
                else [],
            }
        )
    return rows


def status(
    cfg: Config,
    state: State,
    now: datetime,
    available: set[str] | None = None,
    in_progress: bool = False,
    scheduler: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Each job's last run and next run, whether a scheduler runs them (``scheduler``, from
    ``scheduler_running``), and the intents awaiting an operator. ``in_progress`` says whether a
    run holds the run lock now: if none does, a run marked ``running`` is dead."""
    nexts = {row["job"]: row["next"][:1] for row in schedule_rows(cfg, now, 1, available)}
    jobs = []
    for name in [job.name for job in cfg.jobs]:
        jobs.append(
            {
                "job": name,
                "last_run": last_run(state, name, in_progress),
                "next_run": (nexts.get(name) or [None])[0],
            }
        )
    pending = [
        {
            "id": i.id,
            "kind": i.kind,
            "key": i.key,
            "since": i.created_at,
            "title": str(i.payload.get("title") or i.payload.get("name") or i.key),
            "board": str(i.payload.get("board") or ""),
            "what": i.payload,
        }
        for i in state.intents(status="pending")
    ]
    data = {
        "jobs": jobs,
        "scheduler": scheduler or {"running": False},
        "pending_intents": pending,
        "drafts_gone": drafts_gone(state),
        "roundup": last_roundup(state, cfg.tz),
    }
    data["problems"] = problems(data)
    data["healthy"] = not data["problems"]
    return data


def last_roundup(state: State, tz: ZoneInfo) -> dict[str, Any] | None:
    """The last roundup drafted: the instants it covered (the next one starts at its end)."""
    latest = last_drafted(state, tz)
    if latest is None:
        return None
    period, data = latest
    start, end = period.bounds(tz)
    return {
        "period": period.label,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "covers": period.covers(tz),
        "where": data.get("where", ""),
    }


#: A last run that says something is wrong (interrupted was asked for: it is not).
UNHEALTHY = ("failed", "crashed", "killed")
#: What each kind of intent is, for the operator.
INTENT_KINDS = {
    "medium-post": "a Medium draft",
    "roundup-post": "the roundup's Medium draft",
    "trello-comment": "a Trello comment",
    "trello-card": "a Trello card",
}


def problems(data: dict[str, Any]) -> list[str]:
    """What `otg status --check` fails on, one line each: a job whose last run failed, crashed
    or was killed (with why), and each request that waits for an operator."""
    found = []
    for job in data["jobs"]:
        run = job["last_run"]
        if run and run["status"] in UNHEALTHY:
            why = (run["failures"] or [run["error"] or ""])[0]
            more = len(run["failures"]) - 1
            found.append(
                f"{job['job']}: last run {run['id']} {run['status']}"
                + (f": {one_line(why)}" if why else "")
                + (f" (and {more} more)" if more > 0 else "")
            )
    for intent in data["pending_intents"]:
        found.append(f"waiting for an operator: {intent_line(intent)}")
    return found


def intent_line(intent: dict[str, Any]) -> str:
    """A pending intent named for a person: its card's title and board, what it is, since when,
    and how to settle it."""
    board = f' on board "{one_line(intent["board"])}"' if intent.get("board") else ""
    what = INTENT_KINDS.get(intent["kind"], intent["kind"])
    since = intent["since"][:16].replace("T", " ")
    return (
        f'#{intent["id"]} "{one_line(intent["title"])}"{board}: {what} of unknown outcome '
        f"since {since} UTC — check, then `otg ledger resolve {intent['id']} --url URL` "
        "(or --retry, --abandon)"
    )


def last_run(state: State, job: str, in_progress: bool = False) -> dict[str, Any] | None:
    """The job's latest run as `otg status` shows it, or None. ``in_progress``: a run holds the
    run lock now; if none does, a run still marked ``running`` died without a word (killed)."""
    runs = state.runs(job, limit=1)
    if not runs:
        return None
    run = runs[0]
    dead = run.status == "running" and not in_progress
    return {
        "id": run.id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": "killed" if dead else run.status,
        "counts": run.summary.get("counts", {}),
        "failures": run.summary.get("failures", []),
        "waiting": run.summary.get("waiting", []),
        "error": DIED if dead else run.error,
    }


def scheduler_running(state_db: Path) -> dict[str, Any]:
    """Whether `otg jobs run` runs on this state database: it holds the scheduler lock for as
    long as it runs. Only looked at: the lock is neither taken nor created."""
    lock = scheduler_lock_for(state_db)
    if not lock.held():
        return {"running": False}
    info = lock.holder_info()  # empty for the moment between taking the lock and writing it
    return {"running": True, "pid": info.get("pid"), "since": info.get("since")}


def drafts_gone(state: State) -> list[dict[str, Any]]:
    """Drafts whose files a sync found gone from the drafts folder (said once, then listed
    here until `otg sync --new-version CARD` writes them again, or they are put back)."""
    gone = [
        {
            "card": record.data.get("short_link") or record.key,
            "title": record.data.get("title", ""),
            "files": list(record.data["files_gone"]),
            "since": record.data.get("files_gone_at", ""),
        }
        for record in state.items_holding(CONTENT, DRAFTED, "files_gone")
        if record.data.get("files_gone")
    ]
    return sorted(gone, key=lambda g: (g["since"], g["title"]))


def _local(stamp: str, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp).astimezone(tz).strftime("%a %d %b %H:%M")


#: Every status a run can have; the longest decides the width of the status column.
RUN_STATUSES = ("ok", "failed", "crashed", "interrupted", "killed", "running")


def render_status(data: dict[str, Any], tz: ZoneInfo) -> str:
    """One line per job, in columns two spaces apart: the longest job name and the longest status
    word decide the widths, so that the dates line up whatever the runs' outcomes."""
    shown = [job["last_run"]["status"] for job in data["jobs"] if job["last_run"]]
    name_width = max([len(job["job"]) for job in data["jobs"]] + [11]) + 2
    status_width = max(len(word) for word in (*RUN_STATUSES, *shown)) + 2
    lines = []
    for job in data["jobs"]:
        run = job["last_run"]
        nxt = f"; next {_local(job['next_run'], tz)}" if job["next_run"] else ""
        if run is None:
            lines.append(f"{job['job']:<{name_width}}never run{nxt}")
            continue
        counts = ", ".join(f"{n} {k}" for k, n in sorted(run["counts"].items())) or "nothing"
        lines.append(
            f"{job['job']:<{name_width}}{run['status']:<{status_width}}"
            f"{_local(run['started_at'], tz)} (run {run['id']}): {counts}{nxt}"
        )
        lines += [f"{'':<{name_width}}failed: {one_line(f)}" for f in run["failures"][:5]]
        if run["error"] and not run["failures"]:  # crashed, killed: why, in its one line
            lines.append(f"{'':<{name_width}}why: {one_line(run['error'])}")
    lines.append(_scheduler_line(data.get("scheduler") or {"running": False}, tz))
    roundup = data.get("roundup")
    if roundup:
        lines.append(
            f"last roundup drafted: {roundup['period']}, covering {roundup['covers']} "
            "(the next one starts there)"
        )
    pending = data["pending_intents"]
    if pending:
        lines.append(
            f"{plural(len(pending), 'request')} of unknown outcome need an operator "
            "(see `otg ledger list`):"
        )
        lines += [f"  {intent_line(p)}" for p in pending]
    else:
        lines.append("No requests of unknown outcome.")
    gone = data.get("drafts_gone") or []
    if gone:
        lines.append(
            f"{plural(len(gone), 'draft is', 'drafts are')} no longer in the drafts folder "
            f"(`otg sync --new-version CARD` writes {'it' if len(gone) == 1 else 'them'} again):"
        )
        lines += [f"  {g['card']} {one_line(g['title'])}: {_files(g, tz)}" for g in gone]
    return "\n".join(lines)


def _scheduler_line(scheduler: dict[str, Any], tz: ZoneInfo) -> str:
    if not scheduler["running"]:
        return "scheduler: not running (cron or systemd timers may run the jobs)"
    about = ["otg jobs run"]
    if scheduler.get("pid"):
        about.append(f"pid {scheduler['pid']}")
    since = scheduler.get("since")
    if isinstance(since, str):
        with suppress(ValueError):  # not a time: the file was written by hand, or half-written
            about.append(f"since {_local(since, tz)}")
    return f"scheduler: running ({', '.join(about)})"


def _files(gone: dict[str, Any], tz: ZoneInfo) -> str:
    files = gone["files"]
    names = f"{files[0]} and .html" if len(files) == 2 else files[0]
    since = _local(gone["since"], tz)[:10] if gone["since"] else "?"
    return f"{names} (gone since {since})"


def render_schedule(rows: list[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        if not row["enabled"] or not row["available"]:
            why = "disabled" if not row["enabled"] else "not available in this version"
            lines.append(f"{row['job']:<12} {row['when']:<31} {why}")
            continue
        lines.append(
            f"{row['job']:<12} {row['when']:<31} next: "
            + ", ".join(datetime.fromisoformat(n).strftime("%a %d %b %H:%M") for n in row["next"])
        )
    return "\n".join(lines)
