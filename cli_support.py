"""The plumbing under `cli.py`: one place where errors become one line and an exit code, logging
is set up (redacted, optionally to a rotated file), the config and state are opened, and the
options every command shares are defined."""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from jobs.lock import lock_for
from sync import stopping
from sync.errors import OtgError, StateError, UsageError
from sync.redaction import RedactingFilter, redact
from sync.stopping import graceful_signals
from sync.text import one_line

if TYPE_CHECKING:  # imported where used: `otg --help` reads no config and opens no state
    from config import Config
    from sync.state.store import State

log = logging.getLogger("otg")


class OtgGroup(click.Group):
    """Turns every error into one line on stderr and the right exit code."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:  # the group's own options: --log-file DIR, -x
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            _usage_error(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a command's arguments, or no such command
            _usage_error(exc)
        except OtgError as exc:
            click.echo(redact(f"error: {exc}", _SECRETS), err=True)
            sys.exit(stopping.exit_code(exc.exit_code))
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:  # Ctrl-C outside a run, or a second signal in one
            if isinstance(exc, stopping.StopNow):
                click.echo(stopping.STOPPED_NOW, err=True)
                sys.exit(128 + exc.signum)
            click.echo("interrupted", err=True)
            sys.exit(130)
        except sqlite3.Error as exc:  # pages damaged behind an intact header: met on reading
            from sync.state.opening import read_problem  # only when it is needed

            what, fix = read_problem(exc)
            click.echo(
                redact(f"error: the state database cannot be read: {what} — {fix}", _SECRETS),
                err=True,
            )
            sys.exit(stopping.exit_code(StateError.exit_code))
        except BrokenPipeError:  # `otg check | head`: the reader left; nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if verbosity(ctx) >= 2:
                raise
            click.echo(
                redact(f"error: unexpected {type(exc).__name__}: {exc}", _SECRETS)
                + " (rerun with -vv for details, and please report it)",
                err=True,
            )
            sys.exit(1)


def _usage_error(exc: click.UsageError) -> NoReturn:
    """Click's usage error as one line, like every other error, naming the help to read."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # `otg` alone: the help
        raise exc
    where = exc.ctx.command_path if exc.ctx else "otg"
    message = exc.format_message()
    param = getattr(exc, "param", None)
    from_env = (
        exc.ctx is not None
        and param is not None
        and param.name is not None
        and exc.ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT
    )
    if not from_env:  # Click names the variable even when the value was typed
        message = re.sub(r" \(env var: [^)]*\)", "", message, count=1)
    click.echo(one_line(f"error: {message} — see `{where} --help`"), err=True)
    sys.exit(exc.exit_code)


def verbosity(ctx: click.Context) -> int:
    """-v given before and after the command name, added up (``otg -v sync -v`` is -vv)."""
    root = ctx.find_root()
    return (root.obj or {}).get("verbose", (root.params or {}).get("verbose", 0))


def quiet(ctx: click.Context) -> bool:
    """-q, before or after the command name: errors only (for cron, which mails any output)."""
    root = ctx.find_root()
    return bool((root.obj or {}).get("quiet", (root.params or {}).get("quiet", False)))


#: The --log-file handler the last ``setup_logging`` opened (none or one), closed by the next.
_LOG_FILES: list[logging.Handler] = []


def setup_logging(verbose: int, log_file: str | None = None, quiet: bool = False) -> None:
    """Log to stderr (warnings, or more with -v, or errors only with -q), and with --log-file to
    a rotated file that always gets one line per action (INFO)."""
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z"
    )
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.ERROR if quiet else logging.WARNING - 10 * min(verbose, 2))
    handlers: list[logging.Handler] = [console]
    if log_file:
        from sync.log_file import open_log_file  # only then: logging.handlers is 6 ms

        try:
            handlers.append(open_log_file(log_file))
        except OSError as exc:
            raise UsageError(
                f"cannot write the log file {log_file}: {exc.strerror}",
                "pass a writable --log-file path",
            ) from None
        handlers[-1].setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter(_known_secrets))
    root = logging.getLogger()
    while _LOG_FILES:  # set up again (-v after the command): the old log file is closed
        _LOG_FILES.pop().close()
    _LOG_FILES.extend(handlers[1:])
    root.handlers[:] = handlers
    root.setLevel(min(h.level for h in handlers))


_SECRETS: list[str] = []


def _known_secrets() -> list[str]:
    return _SECRETS


def load(ctx: click.Context, *, warn: bool = True) -> Config:
    """The config named by --config, $OTG_CONFIG or ./otg.toml, loaded once per command. A `.env`
    other users can read is one warning line, once (``warn=False``: `otg check`, whose FAIL line
    says it)."""
    obj = ctx.ensure_object(dict)
    if "config" not in obj:
        from config import find_config_path, load_config

        cfg = load_config(find_config_path(obj.get("config_path")))
        _SECRETS[:] = cfg.secrets.all()
        obj["config"] = cfg
        for path in cfg.secrets.exposed if warn else ():
            click.echo(
                one_line(f"warning: {path} is readable by other users: run chmod 600 {path}"),
                err=True,
            )
    return obj["config"]


def open_state(cfg: Config, dry_run: bool = False) -> State:
    """The state store. A dry run writes nothing, the state database included: it works on a
    copy in memory of what the database holds (an empty one on a fresh machine), read with the
    read-only open, so that nothing is created, not even SQLite's -wal/-shm files."""
    from sync.state.store import State

    if dry_run:
        return State.for_dry_run(cfg.state_db)
    return State(cfg.state_db)


def look_at_state(cfg: Config) -> State:
    """The state store opened read-only, for the commands that only look: nothing is created,
    and a folder this user can only read is enough. On a fresh machine, an empty one."""
    from sync.state.store import State

    if not cfg.state_db.exists():
        return State(":memory:")
    return State(cfg.state_db, read_only=True)


def json_text(data: Any) -> str:
    """What --json prints: indented, with text as it is (not \\u escapes), which ``click.echo``
    writes as UTF-8 even to a terminal that claims ASCII."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text."
    )(command)


def dry_run_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--dry-run", is_flag=True, help="Show what would be done; change nothing anywhere."
    )(command)


def wait_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=10.0,
        show_default=True,
        help="Seconds to wait for another run (the scheduler, say) to finish.",
    )(command)


@contextmanager
def run_lock(cfg: Config, what: str, wait: float, dry_run: bool = False) -> Iterator[None]:
    """The lock every writing run shares, and SIGTERM/SIGINT finishing the current item."""
    if dry_run:  # a dry run writes nothing: it needs no lock
        yield
        return
    with lock_for(cfg.state_db, what) as lock, graceful_signals():
        lock.acquire(wait)
        yield


#: The options every command takes before or after its name: ``otg -v sync`` is ``otg sync -v``.
#: Their environment variables are the group's: OTG_CONFIG, OTG_VERBOSE, OTG_QUIET, OTG_LOG_FILE.
CONFIG_HELP = "Config file (default: ./otg.toml)."
VERBOSE_HELP = "More detail on stderr: -v for each action, -vv for debug."
QUIET_HELP = "Errors only: no report, no warnings (for cron, which mails any output)."
LOG_FILE_HELP = "Also log to this file, one line per action with its time, rotated at 5 MB."


def global_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--config, -v, -q and --log-file on the group (their OTG_* variables: ``show_envvars``)."""
    for option in reversed(
        [
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False),
                envvar="OTG_CONFIG",
                help=CONFIG_HELP,
            ),
            click.option("-v", "--verbose", count=True, help=VERBOSE_HELP),
            click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP),
            click.option(
                "--log-file",
                type=click.Path(dir_okay=False),
                envvar="OTG_LOG_FILE",
                help=LOG_FILE_HELP,
            ),
        ]
    ):
        command = option(command)
    return command


def show_envvars(group: click.Group, prefix: str = "OTG") -> None:
    """Every option of every command can be set in the environment, and --help says how:
    OTG_, the command's path and the option's long name (`otg sync --dry-run` is
    OTG_SYNC_DRY_RUN, `otg jobs run-once --wait` OTG_JOBS_RUN_ONCE_WAIT), like Click's
    ``auto_envvar_prefix`` but named for what people type. The group's options are OTG_ and
    their name (OTG_VERBOSE); their copies on each command are read from those only."""
    for param in group.params:
        _name_envvar(param, prefix)
    for name, command in group.commands.items():
        path = f"{prefix}_{name.upper().replace('-', '_')}"
        if isinstance(command, click.Group):
            show_envvars(command, path)
            continue
        for param in command.params:
            _name_envvar(param, path)


def _name_envvar(param: click.Parameter, prefix: str) -> None:
    if not isinstance(param, click.Option) or param.is_eager or not param.allow_from_autoenv:
        return  # --help, --version; the global options' copies on each command
    if not param.envvar:
        flag = max(param.opts, key=len).lstrip("-")
        param.envvar = f"{prefix}_{flag.upper().replace('-', '_')}"
    param.show_envvar = True


def with_config(command: Callable[..., Any]) -> Callable[..., Any]:
    """Adds --config, -v, -q and --log-file to a command (they are also accepted before the
    command name); given after it, they win (-v adds up)."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        allow_from_autoenv=False,
        help=CONFIG_HELP + " Also accepted before the command; $OTG_CONFIG.",
    )
    @click.option("-v", "--verbose", count=True, allow_from_autoenv=False, help=VERBOSE_HELP)
    @click.option("-q", "--quiet", is_flag=True, allow_from_autoenv=False, help=QUIET_HELP)
    @click.option(
        "--log-file",
        type=click.Path(dir_okay=False),
        allow_from_autoenv=False,
        help=LOG_FILE_HELP + " $OTG_LOG_FILE.",
    )
    @click.pass_context
    @wraps(command)
    def wrapper(
        ctx: click.Context,
        config_path: str | None,
        verbose: int,
        quiet: bool,
        log_file: str | None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        obj = ctx.ensure_object(dict)
        if config_path:
            obj["config_path"] = config_path
        if verbose or quiet or log_file:
            obj["verbose"] = obj.get("verbose", 0) + verbose
            obj["quiet"] = obj.get("quiet", False) or quiet
            obj["log_file"] = log_file or obj.get("log_file")
            setup_logging(obj["verbose"], obj["log_file"], obj["quiet"])
        return ctx.invoke(command, *args, **kwargs)

    return wrapper
