#!/usr/bin/env python3
"""The GEMM limit of a training run: how many target tokens a second training could reach
if it did nothing but its dense matrix products, timed with LibTorch's own matmul
(Debian's python3-torch wraps the same LibTorch 1.13) at the run's shapes, on this machine.

  /usr/bin/python3 scripts/gemm_limit.py MODEL_DIR TRAIN_SRC TRAIN_TGT [--threads 2] [--tok-s MEASURED]

MODEL_DIR is a `crosstalk train` directory: config.toml gives the shapes, spm.model the
pieces, train_summary.json the target tokens per update (tgt tok/s x seconds / steps) and
the measured tok/s. The source tokens per update follow from the corpus's ratio of source
to target pieces (each sentence + EOS).

Per update, each linear layer x W^T (M rows, K in, N out) costs three products: the
forward [M,K]x[K,N], the input gradient [M,N]x[N,K] and the weight gradient [K,M]x[M,N].
Counted: every encoder and decoder projection (Q/K/V, output, cross-attention, both
feed-forward layers) and the output projection over the vocabulary. Not counted: the
attention's per-sentence score and context products, the embeddings, layer norms, softmax,
loss and the optimizer: the limit is an upper bound no implementation reaches, and the
fraction of it a run reaches says how much time goes to anything but those GEMMs.
Prints one JSON object.
"""
import argparse
import json
import os
import statistics
import sys
import time
import tomllib


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("train_src")
    ap.add_argument("train_tgt")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tok-s", type=float, default=None, help="measured target tok/s (default: train_summary.json)")
    ap.add_argument("--repeats", type=int, default=7)
    a = ap.parse_args()
    import sentencepiece as spm
    import torch

    torch.set_num_threads(a.threads)
    cfg = tomllib.load(open(os.path.join(a.model_dir, "config.toml"), "rb"))
    summary = json.load(open(os.path.join(a.model_dir, "train_summary.json")))
    sp = spm.SentencePieceProcessor(model_file=os.path.join(a.model_dir, "spm.model"))

    def pieces(path):
        with open(path, encoding="utf-8") as f:
            return sum(len(ids) + 1 for ids in sp.encode([l.rstrip("\n") for l in f]))

    src_pieces, tgt_pieces = pieces(a.train_src), pieces(a.train_tgt)
    measured = a.tok_s if a.tok_s is not None else summary["tgt_tok_per_s"]
    nt = int(round(summary["tgt_tok_per_s"] * summary["train_seconds"] / summary["steps"]))
    ns = int(round(nt * src_pieces / tgt_pieces))
    d, f, v = cfg["d_model"], cfg["ffn_dim"], cfg["vocab_size"]
    enc, dec = cfg["encoder_layers"], cfg["decoder_layers"]
    # (rows, in, out, how many per update)
    linears = [(ns, d, 3 * d, enc), (ns, d, d, enc), (ns, d, f, enc), (ns, f, d, enc),
               (nt, d, 3 * d, dec), (nt, d, d, dec), (nt, d, d, dec), (ns, d, 2 * d, dec), (nt, d, d, dec),
               (nt, d, f, dec), (nt, f, d, dec), (nt, d, v, 1)]

    def timed(m, k, n):
        x, y = torch.randn(m, k), torch.randn(k, n)
        out = torch.empty(m, n)
        for _ in range(2):
            torch.mm(x, y, out=out)
        times = []
        for _ in range(a.repeats):
            t = time.perf_counter()
            torch.mm(x, y, out=out)
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    seconds, flops = 0.0, 0.0
    with torch.no_grad():
        for m, k, n, count in linears:
            per = timed(m, k, n) + timed(m, n, k) + timed(k, m, n)
            seconds += count * per
            flops += count * 3 * 2.0 * m * k * n
    limit = nt / seconds
    print(json.dumps({"target_tokens_per_update": nt, "source_tokens_per_update": ns,
                      "gemm_seconds_per_update": round(seconds, 4), "gemm_gflop_s": round(flops / seconds / 1e9, 1),
                      "gemm_limit_tok_s": round(limit, 1), "measured_tok_s": round(measured, 1),
                      "fraction_of_limit": round(measured / limit, 3), "threads": a.threads}))


if __name__ == "__main__":
    sys.exit(main())
