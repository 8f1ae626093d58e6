#!/usr/bin/env python3
"""Load generator for scripts/bench_serve.sh: N concurrent clients, each posting its own
M sentences to POST /api/translate one after another; then the same sentences one by one
from a single client. Prints throughput, p50/p99 latency, errors and the ratio.
Python 3 standard library only; it only ever connects to 127.0.0.1."""
import argparse
import json
import threading
import time
import urllib.error
import urllib.request


def post(port, sentence, beam):
    body = json.dumps({"text": sentence, "beam": beam, "attention": False}).encode("utf-8")
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/translate", data=body,
                                 headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            ok = r.status == 200 and json.loads(r.read()).get("source") == sentence
    except (urllib.error.URLError, OSError, ValueError):
        ok = False
    return time.perf_counter() - start, ok


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def run(port, work, beam):
    """work: one list of sentences per client. Returns (seconds, latencies, errors)."""
    latencies, errors, lock = [], [0], threading.Lock()

    def client(sentences):
        for s in sentences:
            t, ok = post(port, s, beam)
            with lock:
                latencies.append(t)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=client, args=(w,)) for w in work]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, errors[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--sentences", type=int, default=8, help="per client")
    p.add_argument("--beam", type=int, default=4)
    p.add_argument("--label", default="")
    a = p.parse_args()
    lines = [l.strip() for l in open(a.input, encoding="utf-8") if l.strip()]
    needed = a.clients * a.sentences
    sentences = [lines[i % len(lines)] for i in range(needed)]
    work = [sentences[c * a.sentences:(c + 1) * a.sentences] for c in range(a.clients)]
    post(a.port, sentences[0], a.beam)  # warm-up
    label = f"{a.label}, beam {a.beam}, attention off"
    rows = []
    for name, w in [(f"{a.clients} concurrent clients", work), ("one by one (1 client)", [sentences])]:
        secs, lat, errors = run(a.port, w, a.beam)
        rows.append((name, needed / secs, percentile(lat, 0.5) * 1000, percentile(lat, 0.99) * 1000, errors))
    print(f"# {label}; {a.clients} clients x {a.sentences} sentences = {needed} sentences, 127.0.0.1")
    print(f"{'mode':28} {'sentences/s':>12} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for name, tput, p50, p99, errors in rows:
        print(f"{name:28} {tput:12.1f} {p50:9.1f} {p99:9.1f} {errors:7d}")
    print(f"ratio batched/one-by-one ({label}, {a.clients} clients): {rows[0][1] / rows[1][1]:.2f}x")
    return 1 if any(r[4] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
