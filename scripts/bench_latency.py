#!/usr/bin/env python3
"""One-sentence latency as a user of the interactive translator feels it.

Starts `crosstalk translate --interactive` with the given model and flags, types the
input's lines one at a time into it (a pipe, no terminal) and times each, from the
line written to its translation read back. Prints one JSON object: sentences, median,
p90, mean and max milliseconds, and the process's peak RSS in MiB.

  python3 scripts/bench_latency.py BINARY MODEL INPUT [translate flags...]
  e.g. python3 scripts/bench_latency.py build/crosstalk models/multi30k_de_en \\
           data/multi30k/test_2016_flickr.de --beam 1 --threads 2

The first WARMUP (default 5) sentences are translated but not counted: they pay for
the first allocations. Run it on an idle machine, nothing else at a time.
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def read_until(stream, marker: bytes) -> bytes:
    """Reads bytes until `marker` ends what was read; EOF is an error."""
    buf = b""
    while not buf.endswith(marker):
        chunk = stream.read(1)
        if not chunk:
            sys.exit("bench_latency.py: the translator ended early; what it printed last: %r" % buf[-200:])
        buf += chunk
    return buf


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    binary, model, path, flags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    warmup = int(os.environ.get("WARMUP", "5"))
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8") if l.strip()]
    proc = subprocess.Popen([binary, "translate", "--model", model, "--interactive", *flags],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    read_until(proc.stdout, b"> ")  # the first prompt: the model is loaded
    times = []
    for i, line in enumerate(lines):
        start = time.perf_counter()
        proc.stdin.write((line + "\n").encode("utf-8"))
        proc.stdin.flush()
        read_until(proc.stdout, b"\n> ")  # the translation, then the next prompt
        if i >= warmup:
            times.append(1000.0 * (time.perf_counter() - start))
    proc.stdin.close()
    proc.wait()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    if not times:
        sys.exit("bench_latency.py: no sentences past the %d warm-up ones" % warmup)
    print(json.dumps({"sentences": len(times), "median_ms": round(statistics.median(times), 2),
                      "p90_ms": round(percentile(times, 0.9), 2), "mean_ms": round(statistics.mean(times), 2),
                      "max_ms": round(max(times), 2), "peak_rss_mib": round(rss, 1), "flags": " ".join(flags)}))


if __name__ == "__main__":
    main()
