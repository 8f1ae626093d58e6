#!/usr/bin/env python3
"""A large synthetic parallel corpus for preparation benchmarks: the given pairs
repeated with a marker until N pairs, so that no pair repeats exactly.

Copy k of pair i ends in " #k" on both sides (copy 0 is the pair as it is). It tests
memory and time of reading, splitting, vocabulary sampling and encoding at scale; it
is no corpus to learn translation from.

  python3 scripts/make_big_corpus.py data/multi30k/train.de data/multi30k/train.en 1000000 /tmp/big/m30k
  -> /tmp/big/m30k.de, /tmp/big/m30k.en (the source and target suffixes are kept)
"""
import os
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    src_path, tgt_path, n, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    with open(src_path, encoding="utf-8") as f:
        src = f.read().splitlines()
    with open(tgt_path, encoding="utf-8") as f:
        tgt = f.read().splitlines()
    if len(src) != len(tgt) or not src:
        sys.exit("make_big_corpus.py: the two files must be non-empty and line-aligned")
    os.makedirs(os.path.dirname(prefix) or ".", exist_ok=True)
    s_ext, t_ext = src_path.rsplit(".", 1)[-1], tgt_path.rsplit(".", 1)[-1]
    with open(f"{prefix}.{s_ext}", "w", encoding="utf-8") as fs, open(f"{prefix}.{t_ext}", "w", encoding="utf-8") as ft:
        for k in range(n):
            copy, i = divmod(k, len(src))
            mark = f" #{copy}" if copy else ""
            fs.write(src[i] + mark + "\n")
            ft.write(tgt[i] + mark + "\n")


if __name__ == "__main__":
    main()
