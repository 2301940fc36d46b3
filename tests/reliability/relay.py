"""A real `otg` in a subprocess, its HTTP relayed to the test process: the machinery the crash
suite (test_crash.py) and the simulation's killed and racing nights (tests/simulation/) share.

The child (``tests/reliability/crash_child.py``) sends every request it makes to a :class:`Relay`
on 127.0.0.1, which answers from this process's fakes (Trello, Medium, the feeds, installed with
``responses``) or passes it on to the real Radicale, and may SIGKILL the child at a chosen request:
*before* the request reaches the service, or *after* the service did it but before the answer gets
back. The relay is threaded, so that two children can run at once (a racing second run); one
request at a time reaches the fakes (they are not thread-safe), and each request is logged with
the process that sent it.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from click.testing import CliRunner

import cli
from tests.conftest import ROOT
from tests.world import World

HOP = {"content-length", "connection", "transfer-encoding", "content-encoding", "host"}


@dataclass
class Relay:
    """An HTTP server on 127.0.0.1 that the children send every request to (see crash_child.py)."""

    log: list[tuple[str, str]] = field(default_factory=list)  # (method, path), in order
    senders: list[int] = field(default_factory=list)  # the pid that sent each logged request
    kill_at: int | None = None  # the 1-based request to kill the child at
    after: bool = False  # kill once the service did it (else before it sees the request)
    pid: int | None = None  # the child to kill
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        relay = self
        self.lock = threading.Lock()  # one request at a time reaches the fakes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = relay.handle(asked)
                if answer is None:  # the child is dead: nobody to answer
                    self.close_connection = True
                    return
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self, kill_at: int | None = None, after: bool = False) -> None:
        with self.lock:
            self.log.clear()
            self.senders.clear()
            self.kill_at, self.after, self.pid = kill_at, after, None

    def handle(self, asked: dict[str, Any]) -> dict[str, Any] | None:
        with self.lock:
            return self._handle(asked)

    def _handle(self, asked: dict[str, Any]) -> dict[str, Any] | None:
        self.log.append((asked["method"], requests.utils.urlparse(asked["url"]).path))
        self.senders.append(int(asked.get("pid", 0)))
        killing = len(self.log) == self.kill_at
        if killing and not self.after:
            self.kill()
            return None
        try:
            response = requests.request(  # through this process's fakes, or on to Radicale
                asked["method"],
                asked["url"],
                headers={
                    k: v
                    for k, v in asked["headers"].items()
                    if k.lower() not in HOP | {"accept-encoding"}
                },
                data=base64.b64decode(asked["body"]) or None,
                allow_redirects=False,
                timeout=30,
            )
        except Exception as exc:
            self.errors.append(f"{asked['method']} {asked['url']}: {exc!r}")
            return {"status": 599, "headers": {}, "body": ""}
        if killing:
            self.kill()
            return None
        return {
            "status": response.status_code,
            "headers": {k: v for k, v in response.headers.items() if k.lower() not in HOP},
            "body": base64.b64encode(response.content).decode("ascii"),
        }

    def kill(self) -> None:
        if self.pid is None:
            raise RuntimeError("no child to kill")
        os.kill(self.pid, signal.SIGKILL)


def start_child(world: World, relay: Relay, *args: str) -> subprocess.Popen:
    """`otg --config WORLD sync` (or ``args``) in a subprocess, relayed, on the world's clock."""
    env = {
        **os.environ,
        "OTG_CRASH_RELAY": str(relay.port),
        "OTG_CRASH_NOW": world.now.isoformat(),
    }
    command = ["-m", "tests.reliability.crash_child", "--config", str(world.config_path)]
    return subprocess.Popen(
        [sys.executable, *command, *(args or ("sync",))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(child: subprocess.Popen, timeout: float = 120) -> subprocess.CompletedProcess:
    """Wait for ``child`` (killing it when it hangs past ``timeout``: a hang fails)."""
    try:
        output, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise
    return subprocess.CompletedProcess(child.args, child.returncode, output)


def run_child(
    world: World, relay: Relay, kill_at: int | None = None, after: bool = False
) -> subprocess.CompletedProcess:
    """One relayed `otg sync`, killed at request ``kill_at`` (before or ``after`` the service
    acted) when given and reached."""
    relay.reset(kill_at, after)
    child = start_child(world, relay)
    with relay.lock:
        relay.pid = child.pid
    return finish(child)


def pending_shown(world: World) -> tuple[str, str]:
    """What `otg ledger list` and `otg status` print: where an operator finds pending intents."""
    runner = CliRunner()
    path = str(world.config_path)
    ledger = runner.invoke(cli.main, ["--config", path, "ledger", "list"], catch_exceptions=False)
    status = runner.invoke(cli.main, ["--config", path, "status"], catch_exceptions=False)
    return ledger.output, status.output


@pytest.fixture
def relay():
    relay = Relay()
    yield relay
    relay.close()
