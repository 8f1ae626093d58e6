"""A small Chrome DevTools Protocol client over --remote-debugging-pipe (python3 stdlib only).

Chromium started with --remote-debugging-pipe reads NUL-terminated JSON commands from fd 3
and writes NUL-terminated JSON replies and events to fd 4. No port, no websocket, no
downloads: the browser is Debian's chromium and the driver is this file.
"""

import base64
import ctypes
import json
import os
import select
import subprocess
import time


class CdpError(RuntimeError):
    pass


def die_with_parent():
    """In a child (preexec_fn): SIGKILL when the test process dies, even by SIGKILL (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


class Chromium:
    """One headless chromium with one page (a flattened target session)."""

    def __init__(self, executable, user_data_dir, width=1400, height=1000, log_path=None):
        # Pipes: we write commands into cmd_w (the browser reads them at fd 3); the browser
        # writes replies at fd 4 into resp_w (we read resp_r).
        cmd_r, cmd_w = os.pipe()
        resp_r, resp_w = os.pipe()

        def child_fds():
            # Move both ends above 4 first, so the dup2 below cannot clobber one another.
            a = os.dup(cmd_r) if cmd_r <= 4 else cmd_r
            while a <= 4:
                a = os.dup(a)
            b = os.dup(resp_w) if resp_w <= 4 else resp_w
            while b <= 4:
                b = os.dup(b)
            os.dup2(a, 3)
            os.dup2(b, 4)
            die_with_parent()

        args = [
            executable, "--headless=new", "--no-sandbox", "--remote-debugging-pipe",
            "--user-data-dir=" + user_data_dir, "--no-first-run", "--no-default-browser-check",
            "--disable-gpu", "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--disable-component-update", "--disable-default-apps", "--metrics-recording-only",
            "--mute-audio", "--hide-scrollbars", "--force-device-scale-factor=1",
            "--window-size=%d,%d" % (width, height), "about:blank",
        ]
        self._log = open(log_path, "wb") if log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                     pass_fds=(3, 4), preexec_fn=child_fds, start_new_session=True)
        os.close(cmd_r)
        os.close(resp_w)
        self._w = cmd_w
        self._r = resp_r
        self._buf = b""
        self._next_id = 0
        self.events = []      # every event received, in order: (method, params, sessionId)
        self.session = None
        self.width, self.height = width, height

    # ---- protocol ----------------------------------------------------------------------

    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("no reply from chromium within the deadline")
            ready, _, _ = select.select([self._r], [], [], min(left, 0.5))
            if not ready:
                if self.proc.poll() is not None:
                    raise CdpError("chromium exited (code %s)" % self.proc.returncode)
                continue
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise CdpError("chromium closed the debugging pipe (exit code %s)" % self.proc.poll())
            self._buf += chunk
        message, self._buf = self._buf.split(b"\0", 1)
        return json.loads(message.decode("utf-8"))

    def call(self, method, params=None, session=True, timeout=30):
        """Sends one command and returns its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode("utf-8") + b"\0"
        while data:
            data = data[os.write(self._w, data):]
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError("%s: %s" % (method, reply["error"].get("message", reply["error"])))
                return reply.get("result", {})
            if "method" in reply:
                self.events.append((reply["method"], reply.get("params", {}), reply.get("sessionId")))

    def wait_event(self, method, start=0, timeout=30):
        """The params of the first event `method` at index >= start of self.events, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for name, params, _ in self.events[start:]:
                if name == method:
                    return params
            start = len(self.events)
            message = self._read_message(deadline)
            if "method" in message:
                self.events.append((message["method"], message.get("params", {}), message.get("sessionId")))

    def open_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Log.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url, timeout=60):
        """Opens url and waits for its load event (so the previous document is gone)."""
        mark = len(self.events)
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CdpError("navigating to %s: %s" % (url, result["errorText"]))
        self.wait_event("Page.loadEventFired", start=mark, timeout=timeout)

    def evaluate(self, expression, timeout=30):
        """The value of a JS expression (promises awaited), or CdpError with the JS exception."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise CdpError("JS exception in %r: %s" % (expression[:120], text))
        return result.get("result", {}).get("value")

    def wait_for(self, expression, timeout=60, interval=0.1, what=None):
        """Polls a JS expression until it is truthy; returns its value or raises on the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CdpError("timed out after %ss waiting for %s" % (timeout, what or expression))
            time.sleep(interval)

    def mouse_move(self, x, y):
        self.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y, "button": "none"})

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def screenshot(self, path, full_page=True):
        params = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 4000), "scale": 1}
            params["captureBeyondViewport"] = True
        data = base64.b64decode(self.call("Page.captureScreenshot", params, timeout=60)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return data

    def errors(self):
        """Uncaught exceptions and console errors seen so far."""
        out = []
        for method, params, _ in self.events:
            if method == "Runtime.exceptionThrown":
                d = params.get("exceptionDetails", {})
                out.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                out.append("console.error: " + " ".join(str(a.get("value", a.get("description", "")))
                                                        for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                out.append("log: " + params["entry"].get("text", ""))
        return out

    def close(self):
        """Closes the browser; kills it if it does not go within 5 s. Safe to call twice."""
        if self.proc.poll() is None:
            try:
                self.call("Browser.close", session=False, timeout=5)
            except (CdpError, OSError):
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, 9)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        for fd in (self._w, self._r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._w = self._r = -1
        if self._log is not subprocess.DEVNULL:
            self._log.close()
            self._log = subprocess.DEVNULL
