"""What the browser tests of the page of `crosstalk serve` share (test_page.py, test_edit.py).

check() records one check; Server runs `crosstalk serve` (or tests/browser/mock_serve.py) and
asks its API; run() is a test's main: it trains the tiny model (configs/tiny.toml on
data/toy, two decoder layers, a few seconds) unless --model is given, starts the server and a
headless chromium (tests/browser/cdp_pipe.py), runs the test's checks, and stops everything.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp_pipe import CdpError, Chromium, die_with_parent  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.normpath(os.path.join(HERE, "..", ".."))
INSTALL_HINT = ("chromium is not installed: `bash scripts/setup.sh --tests` installs it "
                "(or `apt-get install chromium`)")


class Failure(AssertionError):
    pass


checks = []


def check(condition, what, detail=""):
    """Records one check; a failed one stops the test with its message."""
    checks.append(what)
    if not condition:
        raise Failure(what + (": " + detail if detail else ""))
    print("ok  " + what, flush=True)


def find_chromium(explicit):
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


# ---- the server --------------------------------------------------------------------------

class Server:
    def __init__(self, cmd, log_path, cwd):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, cwd=cwd,
                                     start_new_session=True, preexec_fn=die_with_parent)
        self.url = None
        deadline = time.monotonic() + 120
        while self.url is None:
            with open(log_path, encoding="utf-8", errors="replace") as f:
                m = re.search(r"listening on (http://\S+)", f.read())
            if m:
                self.url = m.group(1).rstrip("/")
            elif self.proc.poll() is not None:
                raise Failure("the server exited (code %s) before listening:\n%s" % (self.proc.returncode, self.log()))
            elif time.monotonic() > deadline:
                raise Failure("the server did not print 'listening on http://HOST:PORT' within 120 s:\n" + self.log())
            else:
                time.sleep(0.1)

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=60) as r:
            return json.loads(r.read().decode("utf-8"))

    def post(self, path, body):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode("utf-8"))

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._log.close()


def train_tiny_model(binary, source_dir, model):
    """A tiny model in seconds: two decoder layers so there is a layer to switch to, train and
    valid log lines for the model tab's curves. Training is seeded (configs/tiny.toml)."""
    t = time.monotonic()
    p = subprocess.run([binary, "train", "--config", "configs/tiny.toml", "--model-dir", model,
                        "--decoder-layers", "2", "--max-steps", "120", "--log-every", "5",
                        "--valid-every", "30", "--valid-bleu-lines", "8"],
                       cwd=source_dir, capture_output=True, text=True, timeout=240,
                       preexec_fn=die_with_parent)
    if p.returncode != 0:
        raise Failure("training the tiny model failed (code %d):\n%s" % (p.returncode, p.stderr[-3000:]))
    print("trained a tiny model in %.1f s" % (time.monotonic() - t), flush=True)


# ---- the page ----------------------------------------------------------------------------

JS_CELLS = """(() => {
  const cells = [...document.querySelectorAll('#heatmap rect.cell')];
  return cells.map(c => [+c.dataset.row, +c.dataset.col, c.getAttribute('fill'), c.classList.contains('hl')]);
})()"""


def cells(b):
    return b.evaluate(JS_CELLS)


def center(b, selector):
    box = b.evaluate("""(() => { const el = document.querySelector(%s); if (!el) return null;
      el.scrollIntoView({block: 'center', inline: 'center'});
      const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2, r.width, r.height]; })()"""
                     % json.dumps(selector))
    check(box is not None and box[2] > 0 and box[3] > 0, "the page shows " + selector)
    return box[0], box[1]


def wait_ready(b, what):
    state = b.wait_for("(() => { const s = document.body && document.body.dataset.state;"
                       " return (s === 'ready' && document.querySelector('#heatmap rect.cell')) || s === 'error' ? s : null; })()",
                       timeout=120, what=what)
    if state == "error":
        raise Failure(what + ": the page shows an error: " + b.evaluate("document.getElementById('error').textContent"))


# ---- a test's main -----------------------------------------------------------------------

def argument_parser(doc):
    """The options every browser test takes; a test adds its own."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="the crosstalk executable")
    ap.add_argument("--source-dir", default=SOURCE_DIR, help="the project root (configs/, data/)")
    ap.add_argument("--chromium", help="the browser (default: chromium on PATH)")
    ap.add_argument("--model", help="serve this model directory instead of training a tiny one")
    ap.add_argument("--page-from-source", action="store_true",
                    help="the page's files from src/serve/page/ (through mock_serve.py --upstream), the API from "
                         "`crosstalk serve`: try an edited page without rebuilding")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (model, logs)")
    return ap


def start_servers(args, binary, model, tmp):
    """(server, upstream): the server the browser talks to, and the real one behind it, if any."""
    mock_serve = os.path.join(HERE, "mock_serve.py")
    if getattr(args, "mock", False):
        cmd = [sys.executable, mock_serve, "--binary", binary, "--model", model, "--port", "0"]
    else:
        cmd = [binary, "serve", "--model", model, "--port", "0", "--threads", "1"]
    server = Server(cmd, os.path.join(tmp, "server.log"), args.source_dir)
    if args.page_from_source and not getattr(args, "mock", False):
        upstream = server
        server = Server([sys.executable, mock_serve, "--upstream", upstream.url, "--port", "0"],
                        os.path.join(tmp, "proxy.log"), args.source_dir)
        return server, upstream
    return server, None


def run(args, run_checks):
    """Trains (or takes --model), serves, opens chromium, calls run_checks(browser, server, args,
    tmp_dir), stops everything; prints PASS/FAIL with the count of checks. Returns the exit code."""
    # ctest's timeout (or ^C) ends the test through the finally below: browser and server stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("FAIL: terminated"))
    chromium = find_chromium(args.chromium)
    if not chromium:
        print("FAIL: " + INSTALL_HINT, file=sys.stderr)
        return 1
    binary = os.path.abspath(args.binary)
    tmp = tempfile.mkdtemp(prefix="crosstalk-browser-")
    server = browser = upstream = None
    ok = False
    try:
        model = os.path.abspath(args.model) if args.model else os.path.join(tmp, "model")
        if not args.model:
            train_tiny_model(binary, args.source_dir, model)
        server, upstream = start_servers(args, binary, model, tmp)
        print("server at " + server.url, flush=True)
        profile = os.path.join(tmp, "profile")
        os.mkdir(profile)
        browser = Chromium(chromium, profile, log_path=os.path.join(tmp, "chromium.log"))
        run_checks(browser, server, args, tmp)
        ok = True
    except (Failure, CdpError) as e:
        print("FAIL: %s" % e, file=sys.stderr)
    except Exception:  # a bug in the test or an unexpected answer: fail with the trace
        traceback.print_exc()
    finally:
        if browser:
            browser.close()
        if upstream:
            upstream.stop()
            if not ok:
                print("---- crosstalk serve log (tail) ----\n" + upstream.log(), file=sys.stderr)
        if server:
            server.stop()
            if not ok:
                print("---- server log (tail) ----\n" + server.log(), file=sys.stderr)
        if not ok and os.path.exists(os.path.join(tmp, "chromium.log")):
            with open(os.path.join(tmp, "chromium.log"), encoding="utf-8", errors="replace") as f:
                print("---- chromium log (tail) ----\n" + f.read()[-2000:], file=sys.stderr)
        if args.keep:
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%s: %d checks passed" % ("PASS" if ok else "FAIL", len(checks) - (0 if ok else 1)))
    return 0 if ok else 1
