#!/usr/bin/env python3
"""Completion latency of `crosstalk serve`, as the page asks for it while the user types.

Starts `crosstalk serve --model MODEL --port 0 --threads THREADS` on 127.0.0.1, then for the
first LINES sentences of test_2016_flickr cuts the reference at every word boundary (k whole
words and a space) and POSTs each cut to /api/complete, one request at a time (k = 3
alternatives, greedy, with the attention, as the page does), timing each from the request
sent to the answer read. Also checks that every completion starts with its prefix. Prints
one JSON object: requests, median, p90, mean and max milliseconds, and the failures.

  /usr/bin/python3 scripts/bench_complete.py BINARY MODEL [LINES=100] [THREADS=2]
  e.g. /usr/bin/python3 scripts/bench_complete.py build/crosstalk models/multi30k_de_en

Run it on an idle machine, nothing else at a time.
"""
import http.client
import json
import re
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, model = sys.argv[1], sys.argv[2]
    lines = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    threads = sys.argv[4] if len(sys.argv) > 4 else "2"
    src = open("data/multi30k/test_2016_flickr.de", encoding="utf-8").read().splitlines()[:lines]
    ref = open("data/multi30k/test_2016_flickr.en", encoding="utf-8").read().splitlines()[:lines]
    server = subprocess.Popen([binary, "serve", "--model", model, "--port", "0", "--threads", threads],
                              stderr=subprocess.PIPE, text=True)
    port = None
    for line in server.stderr:
        m = re.search(r"listening on http://[^:]+:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("bench_complete.py: the server did not start")
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times, bad = [], []
    try:
        for de, en in zip(src, ref):
            start_words = ""
            for w in en.split():
                body = json.dumps({"text": de, "prefix": start_words, "k": 3})
                t = time.perf_counter()
                conn.request("POST", "/api/complete", body, {"Content-Type": "application/json"})
                answer = json.loads(conn.getresponse().read())
                times.append(1000.0 * (time.perf_counter() - t))
                if not answer["completion"]["translation"].startswith(start_words):
                    bad.append((start_words, answer["completion"]["translation"]))
                start_words += w + " "
    finally:
        server.terminate()
        server.wait()
    s = sorted(times)
    print(json.dumps({"requests": len(times), "median_ms": round(statistics.median(times), 2),
                      "p90_ms": round(s[int(0.9 * (len(s) - 1))], 2), "mean_ms": round(statistics.mean(times), 2),
                      "max_ms": round(max(times), 2), "not_starting_with_prefix": len(bad), "threads": int(threads)}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
