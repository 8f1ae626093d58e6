#!/usr/bin/env python3
"""Long sentence pairs (40-100 words) from a corpus of short ones: runs of consecutive
pairs joined into one pair, both sides with a space, and, with --gold, their gold
alignments joined the same way (the word indices of later pairs shifted).

The run lengths are drawn with the seed: each run ends once its source side has a
target length, drawn uniformly from [MIN, MAX] words (default 40-100), or when the next
pair would take it over MAX; a run shorter than MIN is dropped (the last one). A pair of the output is a paragraph of image captions,
not a natural long sentence: it has the lengths and the positions of one, which is
what forced alignment and a model's attention over long inputs are tested on.

  python3 scripts/make_long_corpus.py SRC TGT OUT_PREFIX [--gold GOLD] [--min 40] [--max 100] [--seed 1]
  e.g. python3 scripts/make_long_corpus.py ../shared/data/multi30k/train.en ../shared/data/multi30k/train.fr /tmp/long/train
       -> /tmp/long/train.en, /tmp/long/train.fr (the suffixes are kept)
"""
import argparse
import random
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def shifted(links, ds, dt):
    out = []
    for link in links.split():
        sep = "-" if "-" in link else "?"
        s, t = link.split(sep)
        out.append(f"{int(s) + ds}{sep}{int(t) + dt}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("tgt")
    ap.add_argument("out_prefix")
    ap.add_argument("--gold")
    ap.add_argument("--min", type=int, default=40)
    ap.add_argument("--max", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    src, tgt = read(a.src), read(a.tgt)
    gold = read(a.gold) if a.gold else None
    if len(src) != len(tgt) or (gold is not None and len(gold) != len(src)):
        sys.exit("make_long_corpus.py: the files must be line-aligned")
    rng = random.Random(a.seed)
    out_src, out_tgt, out_gold = [], [], []
    i = 0
    while i < len(src):
        want = rng.randint(a.min, a.max)
        s_words, t_words, links = [], [], []
        while i < len(src) and len(s_words) < want and (not s_words or len(s_words) + len(src[i].split()) <= a.max):
            if gold is not None:
                links += shifted(gold[i], len(s_words), len(t_words))
            s_words += src[i].split()
            t_words += tgt[i].split()
            i += 1
        if len(s_words) < a.min:
            if i >= len(src):
                break
            continue
        out_src.append(" ".join(s_words))
        out_tgt.append(" ".join(t_words))
        out_gold.append(" ".join(links))
    s_ext, t_ext = a.src.rsplit(".", 1)[-1], a.tgt.rsplit(".", 1)[-1]
    for path, lines in [(f"{a.out_prefix}.{s_ext}", out_src), (f"{a.out_prefix}.{t_ext}", out_tgt)] + (
            [(f"{a.out_prefix}.gold", out_gold)] if gold is not None else []):
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
    words = [len(s.split()) for s in out_src]
    print(f"make_long_corpus.py: {len(out_src)} pairs from {i} short ones, source words "
          f"{min(words)}-{max(words)} (mean {sum(words) / len(words):.1f})", file=sys.stderr)


if __name__ == "__main__":
    main()
