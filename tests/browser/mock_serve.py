#!/usr/bin/env python3
"""A stand-in for `crosstalk serve`, for working on the page without the C++ server.

Serves src/serve/page/ and answers the JSON API (docs/serving.md, "JSON API") by
running the crosstalk CLI per request (`translate --nbest --json`, `align --json`), so the
answers are real model outputs, only slow. Not used by the test suite unless
`test_page.py --mock` asks for it.

With --upstream URL it answers nothing itself: it serves the page from src/serve/page/ and
forwards everything else to a running `crosstalk serve` (the page as edited, against the
real API, without rebuilding the binary that embeds it; `test_page.py --page-from-source`).

  python3 tests/browser/mock_serve.py --binary build/crosstalk --model models/tiny --port 0
  python3 tests/browser/mock_serve.py --upstream http://127.0.0.1:8080 --port 0
"""

import argparse
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.normpath(os.path.join(HERE, "..", "..", "src", "serve", "page"))
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def parse_selection(text, layers):
    m = re.match(r"(?:layer (\d+) of \d+|all \d+ layers averaged), (?:heads averaged|head (\d+) of \d+)", text or "")
    if not m:
        return (0 if layers >= 2 else layers), 0  # align::default_alignment_layer
    return int(m.group(1) or 0), int(m.group(2) or 0)


def config(model):
    out = {}
    with open(os.path.join(model, "config.toml"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            k, v = (s.strip() for s in line.split("=", 1))
            try:
                out[k] = json.loads(v)
            except ValueError:
                out[k] = {"true": True, "false": False}.get(v, v)
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, fmt % args))

    def reply(self, status, body, ctype="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def run_cli(self, args, stdin=None):
        p = subprocess.run([self.server.binary] + args, input=stdin, capture_output=True, text=True)
        if p.returncode != 0:
            raise ValueError(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "crosstalk failed")
        return p.stdout

    def result(self, json_path):
        with open(json_path, encoding="utf-8") as f:
            s = json.load(f)["sentences"][0]
        s.pop("sentence", None)
        s["selection_layer"], s["selection_head"] = parse_selection(s.get("selection"), s["layers"])
        s["alignment_pairs"] = [[int(a), int(b)] for a, b in (p.split("-") for p in s["alignment"].split())]
        s["symmetrize"] = None
        s["truncated"] = False
        return s

    def forward(self, body=None):
        """--upstream: the request as it came, to the real server; its answer as it came back."""
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        req = urllib.request.Request(self.server.upstream + self.path, data=body, headers=headers,
                                     method=self.command)
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                status, ctype, data = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, data = e.code, e.headers.get("Content-Type", ""), e.read()
        return self.reply(status, data, ctype)

    def page_file(self, path):
        name = "index.html" if path == "/" else path.lstrip("/")
        file = os.path.join(PAGE, name)
        if "/" in name or not os.path.isfile(file) or os.path.splitext(name)[1] not in TYPES:
            return False
        with open(file, "rb") as f:
            self.reply(200, f.read(), TYPES[os.path.splitext(name)[1]])
        return True

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if self.server.upstream:
            return None if self.page_file(path) else self.forward()
        if path == "/health":
            return self.reply(200, {"status": "ok"})
        if path == "/api/model":
            c = config(self.server.model)
            layers = c.get("decoder_layers", 1)
            sel = 0 if layers >= 2 else layers  # align::default_alignment_layer
            return self.reply(200, {
                "model_dir": self.server.model, "layers": layers, "heads": c.get("heads"),
                "encoder_layers": c.get("encoder_layers"), "decoder_layers": layers, "d_model": c.get("d_model"),
                "ffn_dim": c.get("ffn_dim"), "vocab_size": c.get("vocab_size"), "max_positions": c.get("max_positions"),
                "parameters": 0, "config": c,
                "default_selection": {"layer": sel, "head": 0,
                                      "description": ("all %d layers averaged" % layers if sel == 0 else
                                                      "layer %d of %d" % (sel, layers)) + ", heads averaged"},
                "reverse_model": None, "symmetrize": None, "train_log": os.path.exists(os.path.join(self.server.model, "train_log.jsonl"))})
        if path == "/api/train_log":
            entries = []
            log = os.path.join(self.server.model, "train_log.jsonl")
            if os.path.exists(log):
                with open(log, encoding="utf-8") as f:
                    entries = [json.loads(line) for line in f if line.strip()]
            return self.reply(200, {"entries": entries})
        if path.startswith("/api/"):
            return self.reply(405 if path in ("/api/translate", "/api/align") else 404,
                              {"error": "no such endpoint: GET " + path})
        if not self.page_file(path):
            self.reply(404, {"error": "not found: " + path})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.upstream:
            return self.forward(body)
        try:
            req = json.loads(body)
        except ValueError as e:
            return self.reply(400, {"error": "bad JSON: %s" % e})
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "a.json")
            try:
                if path == "/api/translate":
                    text = req.get("text")
                    if not isinstance(text, str) or not text.strip():
                        return self.reply(400, {"error": "\"text\" must be a non-empty string"})
                    nbest = int(req.get("nbest", 1))
                    lines = self.run_cli(["translate", "-m", self.server.model, "--beam", str(req.get("beam", 4)),
                                          "--nbest", str(nbest), "--json", out, "--threads", "1"], text + "\n")
                    r = self.result(out)
                    r["translation"] = r["target"]
                    r["nbest"] = []
                    for line in lines.splitlines():
                        parts = line.split(" ||| ")
                        if nbest > 1 and len(parts) >= 3:
                            r["nbest"].append({"text": parts[1].strip(), "score": float(parts[2])})
                    if not r["nbest"]:
                        r["nbest"] = [{"text": r["translation"], "score": 0.0}]
                elif path == "/api/align":
                    src, tgt = req.get("source"), req.get("target")
                    if not isinstance(src, str) or not src.strip() or not isinstance(tgt, str) or not tgt.strip():
                        return self.reply(400, {"error": "\"source\" and \"target\" must be non-empty strings"})
                    for name, text in (("s", src), ("t", tgt)):
                        with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                            f.write(text + "\n")
                    self.run_cli(["align", "-m", self.server.model, "--src", os.path.join(tmp, "s"),
                                  "--tgt", os.path.join(tmp, "t"), "--json", out, "--threads", "1"])
                    r = self.result(out)
                    r["translation"] = r["target"]
                    r["nbest"] = []
                else:
                    return self.reply(404, {"error": "no such endpoint: POST " + path})
            except ValueError as e:
                return self.reply(400, {"error": str(e)})
        if not req.get("attention", path == "/api/align"):
            r.pop("attention", None)
            r.pop("word_attention", None)
        return self.reply(200, r)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary")
    ap.add_argument("--model")
    ap.add_argument("--upstream", help="forward the API to this crosstalk serve (http://HOST:PORT)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    a = ap.parse_args()
    if not a.upstream and not (a.binary and a.model):
        ap.error("--binary and --model, or --upstream")
    server = http.server.ThreadingHTTPServer((a.host, a.port), Handler)
    server.upstream = a.upstream.rstrip("/") if a.upstream else None
    if not a.upstream:
        server.binary, server.model = os.path.abspath(a.binary), os.path.abspath(a.model)
    sys.stderr.write("listening on http://%s:%d\n" % server.server_address[:2])
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
