"""A headless Chromium the tests start and drive over the DevTools protocol (a websocket): load a
page at a given width, collect console errors and failed loads, take a screenshot, run a script.

Debian's ``chromium`` (``.ci/run`` installs it); a test skips, saying why, where it is missing.
Nothing leaves the machine: the browser runs with an empty profile and no background networking,
and the pages are files.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]


class Browser:
    def __init__(self, profile: Path) -> None:
        websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
        exe = shutil.which("chromium")
        if exe is None:
            pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
        profile.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.is_file() or len(port_file.read_text().split()) < 2:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                pytest.skip("chromium did not start (no DevTools port within 60 s)")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self.socket = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=60)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            answer = json.loads(self.socket.recv())
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method: str, session: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(
                e.get("method") == method and e.get("sessionId") == session for e in self.events
            ):
                return
            self.events.append(json.loads(self.socket.recv()))
        raise TimeoutError(f"no {method} within {timeout} s")

    def open(self, url: str, width: int, height: int, mobile: bool = False) -> Tab:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return Tab(self, session, metrics)

    def close(self) -> None:
        socket = getattr(self, "socket", None)
        if socket is not None:
            with contextlib.suppress(Exception):  # it may be gone already: it is killed below
                self.send("Browser.close")
            socket.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Tab:
    def __init__(self, browser: Browser, session: str, metrics: dict) -> None:
        self.browser, self.session, self.metrics = browser, session, metrics

    def evaluate(self, expression: str, *, wait: bool = False) -> Any:
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": wait, "returnByValue": True},
            self.session,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "script failed"))
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads (a missing stylesheet, say)."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif event.get("method") == "Runtime.consoleAPICalled" and params["type"] == "error":
                found.append(" ".join(str(a.get("value", "")) for a in params.get("args", [])))
            elif event.get("method") == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
        return found

    def screenshot(self, path: Path, *, whole: bool = True) -> Path:
        """The page as a PNG, at the tab's width: the whole page, or what the screen shows."""
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)") if whole else 0
        full = {**self.metrics, "height": max(int(height), self.metrics["height"])}
        self.browser.send("Emulation.setDeviceMetricsOverride", full, self.session)
        shot = self.browser.send("Page.captureScreenshot", {"format": "png"}, self.session)
        self.browser.send("Emulation.setDeviceMetricsOverride", self.metrics, self.session)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
