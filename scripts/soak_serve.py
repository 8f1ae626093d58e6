#!/usr/bin/env python3
"""Bounded soak of `crosstalk serve` (scripts/soak_serve.sh starts it): CLIENTS concurrent
loopback clients for SECONDS, each looping over a mix of requests: POST /api/translate (beam
4), POST /api/complete (a prefix cut from the sentence, as typing sends them) and POST
/api/align, and every HANGUP-th request of a client sent and then hung up on mid-body or
before the answer is read. Every 10 s it samples the server's RSS (/proc/PID/status). Prints
one JSON object: requests served, their statuses, errors (anything but 200 and the 503 of a
full queue), p50/p99 latency per kind, and the RSS samples (MiB) over time.
Python 3 standard library only; it only ever connects to 127.0.0.1."""
import argparse
import http.client
import json
import random
import socket
import statistics
import threading
import time


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def hang_up(port, body):
    """Sends the headers and half the body, then closes the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = (f"POST /api/translate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    s.sendall(head + body[: len(body) // 2])
    s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--sources", required=True)
    ap.add_argument("--targets", required=True)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--hangup", type=int, default=10)
    a = ap.parse_args()
    src = [l.rstrip("\n") for l in open(a.sources, encoding="utf-8") if l.strip()]
    tgt = [l.rstrip("\n") for l in open(a.targets, encoding="utf-8") if l.strip()]
    lock = threading.Lock()
    latency = {"translate": [], "complete": [], "align": []}
    statuses, errors, hangups = {}, [], [0]
    stop = time.monotonic() + a.seconds

    def client(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=300)
        n = 0
        while time.monotonic() < stop:
            n += 1
            i = rng.randrange(len(src))
            kind = ("translate", "complete", "align")[n % 3]
            if kind == "translate":
                body = {"text": src[i], "beam": 4}
            elif kind == "complete":
                words = tgt[i].split()
                body = {"text": src[i], "prefix": " ".join(words[: rng.randrange(len(words))]) + " ", "k": 3}
            else:
                body = {"source": src[i], "target": tgt[i]}
            data = json.dumps(body).encode("utf-8")
            if n % a.hangup == 0:
                try:
                    hang_up(a.port, data)
                except OSError as e:
                    with lock:
                        errors.append(f"hang-up connection: {e}")
                with lock:
                    hangups[0] += 1
                continue
            t = time.perf_counter()
            try:
                conn.request("POST", f"/api/{kind}", data, {"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                status = r.status
            except (OSError, http.client.HTTPException) as e:
                status = f"{type(e).__name__}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=300)
            ms = 1000.0 * (time.perf_counter() - t)
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == 200:
                    latency[kind].append(ms)
                elif status != 503:
                    errors.append(f"{kind}: {status}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    rss = []
    while any(t.is_alive() for t in threads):
        rss.append([round(time.monotonic() - start), round(rss_mib(a.pid), 1)])
        time.sleep(10)
    for t in threads:
        t.join()
    rss.append([round(time.monotonic() - start), round(rss_mib(a.pid), 1)])

    def pct(v, q):
        s = sorted(v)
        return round(s[min(len(s) - 1, int(q * len(s)))], 1) if s else None

    print(json.dumps({"clients": a.clients, "seconds": a.seconds,
                      "served": sum(len(v) for v in latency.values()), "statuses": statuses,
                      "hung_up": hangups[0], "errors": len(errors), "first_errors": errors[:5],
                      "p50_ms": {k: pct(v, 0.5) for k, v in latency.items()},
                      "p99_ms": {k: pct(v, 0.99) for k, v in latency.items()},
                      "rss_mib": rss}))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
